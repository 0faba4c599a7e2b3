import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { customType } from 'drizzle-orm/pg-core'
import { keyInAnyRing, notesScope, type DataKey } from './key-ring.js'

/**
 * Free-text notes at rest: AES-256-GCM under the school's data key, a random 96-bit nonce per
 * value, and as associated data the school, the key and the column, so a value copied into
 * another school's row or another column does not open. Stored as
 * `enc1.<key id>.<nonce>.<tag>.<ciphertext>` (base64url parts); the key id lets any process
 * find the key that sealed it, also after the school moved on to a newer key. A value without
 * the prefix is plaintext written before encryption (an upgraded database): it reads as it is
 * until `npm run keys -- reencrypt` seals it.
 */
export const SEALED_PREFIX = 'enc1.'

export function isSealed(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith(SEALED_PREFIX)
}

/** A sealed value names a key that is not loaded (created by another process since): load it, then run again. */
export class SealedKeyMissing extends Error {
  constructor(readonly keyId: string) {
    super(`notes data key ${keyId} is not loaded`)
    this.name = 'SealedKeyMissing'
  }
}

/** A sealed value that does not open: tampered with, moved to another row or column, or its key's master key is gone. */
export class SealedValueUnreadable extends Error {
  constructor(readonly column: string, reason: string) {
    super(`sealed value of ${column} does not open: ${reason}`)
    this.name = 'SealedValueUnreadable'
  }
}

/** A sealed column written where no school is named: nothing says whose key to use. */
export class NoNotesSchool extends Error {
  constructor(readonly column: string) {
    super(`${column} is written outside a school scope (withActorTx, withSchoolTx or withNotesSchool)`)
    this.name = 'NoNotesSchool'
  }
}

const aad = (schoolId: string, keyId: string, column: string) => Buffer.from(`xinan notes v1|${schoolId}|${keyId}|${column}`, 'utf8')

export function sealWith(key: DataKey, column: string, plain: string): string {
  const iv = randomBytes(12)
  const c = createCipheriv('aes-256-gcm', key.key, iv)
  c.setAAD(aad(key.schoolId, key.id, column))
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()])
  return SEALED_PREFIX + [key.id, iv.toString('base64url'), c.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.')
}

/** The key id a sealed value names. */
export function keyIdOf(sealed: string): string | undefined {
  return isSealed(sealed) ? sealed.slice(SEALED_PREFIX.length).split('.')[0] : undefined
}

export function openWith(key: DataKey, column: string, sealed: string): string {
  const parts = sealed.slice(SEALED_PREFIX.length).split('.')
  if (parts.length !== 4 || parts[0] !== key.id) throw new SealedValueUnreadable(column, 'malformed')
  try {
    const d = createDecipheriv('aes-256-gcm', key.key, Buffer.from(parts[1]!, 'base64url'))
    d.setAAD(aad(key.schoolId, key.id, column))
    d.setAuthTag(Buffer.from(parts[2]!, 'base64url'))
    return Buffer.concat([d.update(Buffer.from(parts[3]!, 'base64url')), d.final()]).toString('utf8')
  } catch {
    throw new SealedValueUnreadable(column, 'authentication failed')
  }
}

/** Seals for the school of the running scope. */
export function sealValue(column: string, plain: string): string {
  const scope = notesScope.getStore()
  if (!scope?.schoolId) throw new NoNotesSchool(column)
  const key = scope.ring.activeKey(scope.schoolId)
  // The transaction wrappers load the school's key before running anything: a miss is a bug.
  if (!key) throw new Error(`no notes data key loaded for the running school (${column})`)
  return sealWith(key, column, plain)
}

/** Opens a sealed value; anything else (legacy plaintext) is returned as it is. */
export function openValue(column: string, stored: string, crossSchool = false): string {
  if (!isSealed(stored)) return stored
  const keyId = keyIdOf(stored)!
  const scope = notesScope.getStore()
  // In a scope, only its own database's ring: another ring could hold a same-named key of another database.
  const key = scope ? scope.ring.byId.get(keyId) : keyInAnyRing(keyId)
  if (!key) throw new SealedKeyMissing(keyId)
  // Another school's value in this school's row: only a column made to travel between schools opens it.
  if (scope?.schoolId && key.schoolId !== scope.schoolId && !crossSchool) throw new SealedValueUnreadable(column, 'sealed for another school')
  return openWith(key, column, stored)
}

export interface SealedColumn {
  table: string
  column: string
  /** text: a string; json: a JSON value (stored as a JSON string holding the sealed text). */
  kind: 'text' | 'json'
  /** Opens in the receiving school's transaction too (student transfer packages). */
  crossSchool: boolean
}

/**
 * Every sealed column of the schema, filled as db/schema builds its tables (import
 * src/crypto/sealed-columns.ts for the complete list).
 */
export const sealedColumnRegistry: SealedColumn[] = []

function register(c: SealedColumn): string {
  if (!sealedColumnRegistry.some((x) => x.table === c.table && x.column === c.column)) sealedColumnRegistry.push(c)
  return `${c.table}.${c.column}`
}

export function sealedColumnOf(table: string, column: string): SealedColumn | undefined {
  return sealedColumnRegistry.find((c) => c.table === table && c.column === column)
}

/**
 * A text column sealed at rest. Reads through drizzle open it, writes seal it with the running
 * school's key; raw SQL sees only the sealed text, so nothing may search, sort or compare it.
 */
export function sealedText(table: string, column: string, opts: { crossSchool?: boolean } = {}) {
  const crossSchool = opts.crossSchool ?? false
  const tag = register({ table, column, kind: 'text', crossSchool })
  return customType<{ data: string; driverData: string }>({
    dataType: () => 'text',
    toDriver: (v) => sealValue(tag, v),
    fromDriver: (v) => openValue(tag, v, crossSchool),
  })(column)
}

/**
 * A jsonb column sealed at rest: the JSON text is sealed and stored as a JSON string, so the
 * column keeps its type and no migration is needed. A stored value that is not such a string
 * is legacy JSON and reads as it is.
 */
export function sealedJson<T>(table: string, column: string) {
  const tag = register({ table, column, kind: 'json', crossSchool: false })
  return customType<{ data: T; driverData: unknown }>({
    dataType: () => 'jsonb',
    toDriver: (v) => JSON.stringify(sealValue(tag, JSON.stringify(v))),
    fromDriver: (raw) => {
      let v: unknown = raw
      // postgres.js hands jsonb over as its text (drizzle turns its parser off); PGlite parses it.
      if (typeof v === 'string' && !isSealed(v)) {
        try { v = JSON.parse(v) } catch { /* a bare string */ }
      }
      return (isSealed(v) ? JSON.parse(openValue(tag, v)) : v) as T
    },
  })(column)
}
