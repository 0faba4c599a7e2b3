import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Config } from '../config.js'
import { queryRows, sql, type Db, type Executor } from '../db/database.js'
import { privateSecret } from './secret-box.js'
import { KeyRing, notesScope, trackRing, type DataKey } from './key-ring.js'
import { SealedKeyMissing } from './sealed.js'

/**
 * Each school's data keys (school_keys) are random and stored only wrapped, AES-256-GCM under
 * a master key with the school and the key id as associated data. The master key comes from
 * NOTES_MASTER_KEY or NOTES_MASTER_KEY_FILE; NOTES_MASTER_KEY_PREVIOUS(_FILE) keeps keys
 * wrapped before a rotation readable until they are re-wrapped. A master key is named by a
 * fingerprint of itself (master_key_id), so each wrapped key says which master opens it.
 *
 * Without configuration (development, the demo, tests) a master key is generated once and kept
 * in the database's private schema (xinan_private.secrets, not readable by the app role). A
 * dump of the whole database then carries it, so in production a warning asks for one.
 */
export interface MasterKey { id: string; key: Buffer }

export interface NotesKeyConfig {
  NODE_ENV?: Config['NODE_ENV']
  NOTES_MASTER_KEY?: string | undefined
  NOTES_MASTER_KEY_FILE?: string | undefined
  NOTES_MASTER_KEY_PREVIOUS?: string | undefined
  NOTES_MASTER_KEY_PREVIOUS_FILE?: string | undefined
}

/** A master key given as 32 bytes in base64, base64url or hex (text), or as the raw bytes of a file. */
export function parseMasterKey(material: string | Buffer, what: string): Buffer {
  if (Buffer.isBuffer(material) && material.length === 32) return material
  const text = (Buffer.isBuffer(material) ? material.toString('utf8') : material).trim()
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64')
  if (key.length !== 32) throw new Error(`${what} must be 32 bytes (base64 or hex); it has ${key.length}`)
  return key
}

export function masterKeyId(key: Buffer): string {
  return 'mk-' + createHash('sha256').update('xinan notes master key id\0').update(key).digest('hex').slice(0, 16)
}

const master = (key: Buffer): MasterKey => ({ id: masterKeyId(key), key })

function configured(value: string | undefined, file: string | undefined, what: string): MasterKey | undefined {
  if (value) return master(parseMasterKey(value, what))
  if (file) return master(parseMasterKey(readFileSync(file), `${what}_FILE`))
  return undefined
}

const GENERATED = 'notes_master_key'

async function generatedMaster(db: Db, create: boolean): Promise<MasterKey | undefined> {
  const value = await privateSecret(db, GENERATED, create ? randomBytes(32).toString('base64') : undefined)
  return value ? master(parseMasterKey(value, GENERATED)) : undefined
}

const WRAP_INFO = (schoolId: string, keyId: string) => Buffer.from(`xinan notes data key v1|${schoolId}|${keyId}`, 'utf8')

export function wrapKey(m: MasterKey, schoolId: string, keyId: string, key: Buffer): string {
  const iv = randomBytes(12)
  const c = createCipheriv('aes-256-gcm', m.key, iv)
  c.setAAD(WRAP_INFO(schoolId, keyId))
  const ct = Buffer.concat([c.update(key), c.final()])
  return [iv.toString('base64url'), c.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.')
}

export function unwrapKey(m: MasterKey, schoolId: string, keyId: string, wrapped: string): Buffer {
  const [iv, tag, ct] = wrapped.split('.')
  const d = createDecipheriv('aes-256-gcm', m.key, Buffer.from(iv ?? '', 'base64url'))
  d.setAAD(WRAP_INFO(schoolId, keyId))
  d.setAuthTag(Buffer.from(tag ?? '', 'base64url'))
  return Buffer.concat([d.update(Buffer.from(ct ?? '', 'base64url')), d.final()])
}

interface KeyRow { school_id: string; id: string; wrapped_key: string; master_key_id: string; retired_at: unknown }

/** How long a process trusts its idea of a school's current key before reading it again (another process may rotate). */
const ACTIVE_TTL_MS = 5 * 60_000

/** The master keys and data keys of one database, and what loads them. */
export class NotesKeys {
  readonly ring = new KeyRing()
  private masters: Promise<{ current: MasterKey; all: Map<string, MasterKey>; generated: boolean }> | undefined

  constructor(readonly db: Db, private readonly config: NotesKeyConfig, private readonly warn: (msg: string) => void = () => {}) {
    trackRing(this.ring)
  }

  /**
   * The master keys: the configured one (or the database's generated one), the previous, and the
   * generated one if it exists. Resolved once, on the pool: a generated key must be committed
   * before anything is wrapped with it.
   */
  mastersOf() {
    this.masters ??= (async () => {
      const current = configured(this.config.NOTES_MASTER_KEY, this.config.NOTES_MASTER_KEY_FILE, 'NOTES_MASTER_KEY')
      const previous = configured(this.config.NOTES_MASTER_KEY_PREVIOUS, this.config.NOTES_MASTER_KEY_PREVIOUS_FILE, 'NOTES_MASTER_KEY_PREVIOUS')
      // Keys wrapped by a generated master before one was configured stay readable (rotate-master re-wraps them).
      const generated = await generatedMaster(this.db, !current)
      const all = new Map<string, MasterKey>()
      for (const m of [generated, previous, current]) if (m) all.set(m.id, m)
      if (!current && this.config.NODE_ENV === 'production') {
        this.warn('NOTES_MASTER_KEY is not set: the notes master key is kept in the database, so a full dump can open the notes; set NOTES_MASTER_KEY or NOTES_MASTER_KEY_FILE')
      }
      return { current: current ?? generated!, all, generated: !current }
    })()
    this.masters.then(() => { this.mastersResolved = true }, () => { this.masters = undefined })
    return this.masters
  }

  mastersResolved = false

  private async unwrapRow(r: KeyRow): Promise<DataKey> {
    const { all } = await this.mastersOf()
    const m = all.get(r.master_key_id)
    if (!m) throw new Error(`notes data key ${r.id} is wrapped by master key ${r.master_key_id}, which is not configured (NOTES_MASTER_KEY / NOTES_MASTER_KEY_PREVIOUS)`)
    return { id: r.id, schoolId: r.school_id, key: unwrapKey(m, r.school_id, r.id, r.wrapped_key) }
  }

  /** Every key of every school, at start: a key a master no longer opens is reported, not fatal. */
  async loadAll(): Promise<{ loaded: number; unreadable: number }> {
    const rows = await queryRows<KeyRow>(this.db, sql`select school_id, id, wrapped_key, master_key_id, retired_at from school_keys`)
    let unreadable = 0
    for (const r of rows) {
      try {
        this.ring.add(await this.unwrapRow(r))
        if (r.retired_at === null) this.ring.setActive(r.school_id, r.id, Date.now())
      } catch {
        unreadable++
      }
    }
    if (unreadable) this.warn(`${unreadable} notes data key(s) cannot be unwrapped with the configured master keys: the notes they sealed are unreadable`)
    return { loaded: rows.length - unreadable, unreadable }
  }

  /** True when the school's current key is loaded and fresh: the hot path checks this without a round trip. */
  ready(schoolId: string): boolean {
    const a = this.ring.active.get(schoolId)
    return a !== undefined && Date.now() - a.checkedAt < ACTIVE_TTL_MS && this.ring.byId.has(a.keyId)
  }

  /**
   * Loads the school's keys (every one, retired ones too: older values name them) and creates
   * its first key when it has none. `ex` runs as the owner (before a transaction sets its role);
   * a key created here commits with ex, so pass the pool unless the school itself is being
   * created in ex.
   */
  async ensureSchool(schoolId: string, ex: Executor = this.db): Promise<DataKey> {
    if (this.ready(schoolId)) return this.ring.activeKey(schoolId)!
    let rows = await queryRows<KeyRow>(ex, sql`select school_id, id, wrapped_key, master_key_id, retired_at from school_keys where school_id = ${schoolId}`)
    if (!rows.some((r) => r.retired_at === null)) {
      const { current } = await this.mastersOf()
      const id = randomUUID()
      const wrapped = wrapKey(current, schoolId, id, randomBytes(32))
      // Two processes creating the first key at once: the unique index keeps one, both read it.
      await ex.execute(sql`insert into school_keys (school_id, id, wrapped_key, master_key_id) values (${schoolId}, ${id}, ${wrapped}, ${current.id})
        on conflict (school_id) where retired_at is null do nothing`)
      rows = await queryRows<KeyRow>(ex, sql`select school_id, id, wrapped_key, master_key_id, retired_at from school_keys where school_id = ${schoolId}`)
    }
    for (const r of rows) {
      if (!this.ring.byId.has(r.id)) this.ring.add(await this.unwrapRow(r))
      if (r.retired_at === null) this.ring.setActive(schoolId, r.id, Date.now())
    }
    const key = this.ring.activeKey(schoolId)
    if (!key) throw new Error('school has no notes data key after creating one')
    return key
  }

  /** A key named by a value (sealed by another process, or another school's transfer package). */
  async loadKey(keyId: string, ex: Executor = this.db): Promise<void> {
    if (this.ring.byId.has(keyId)) return
    const rows = await queryRows<KeyRow>(ex, sql`select school_id, id, wrapped_key, master_key_id, retired_at from school_keys where id = ${keyId}`)
    if (!rows[0]) throw new Error(`notes data key ${keyId} does not exist`)
    this.ring.add(await this.unwrapRow(rows[0]))
  }

  /**
   * Runs fn with this ring and the school set for sealing (code outside a request's transaction:
   * the demo seed, imports, the key commands, tests). `ex` is where a missing key is created: the
   * open transaction when the school is created in it, otherwise the pool.
   */
  async inSchool<T>(schoolId: string, fn: () => Promise<T>, ex?: Executor): Promise<T> {
    // Inside an open transaction the pool may not be free (the embedded database runs one at a time): resolved beforehand.
    if (ex && ex !== this.db && !this.mastersResolved) throw new Error('resolve the notes master keys (prepareNotesKeys) before the transaction')
    if (!this.ready(schoolId)) await this.ensureSchool(schoolId, ex ?? this.db)
    // Awaited inside the scope: a drizzle query is lazy and would otherwise build (and seal) after it.
    return notesScope.run({ ring: this.ring, schoolId }, async () => await fn())
  }

  /** Forgets what was read about a school's current key (after a rotation in this process). */
  forgetActive(schoolId: string): void {
    this.ring.active.delete(schoolId)
  }
}

const registry = new WeakMap<Db, NotesKeys>()

/**
 * The notes keys of a database, set up once per database handle: the app, the server and the
 * command-line tools call this with their configuration and load every key at start. A handle
 * nobody opened (a test's or the bench's own database) gets the database's generated master key.
 */
export async function openNotesKeys(db: Db, config: NotesKeyConfig, warn?: (msg: string) => void): Promise<NotesKeys> {
  let k = registry.get(db)
  if (!k) {
    k = new NotesKeys(db, config, warn)
    registry.set(db, k)
    await k.mastersOf()
    await k.loadAll()
  }
  return k
}

export function notesKeysOf(db: Db): NotesKeys {
  let k = registry.get(db)
  if (!k) {
    k = new NotesKeys(db, {})
    registry.set(db, k)
  }
  return k
}

/**
 * Runs fn (a transaction's body) with the school's keys loaded and the school set for sealing.
 * A value naming a key this process has not seen (another process rotated, or a transfer from
 * another school) stops the query with SealedKeyMissing: the key is loaded and fn runs once
 * more from the start (it ran in a transaction that rolled back).
 */
export async function inNotesScope<T>(db: Db, schoolId: string | null, fn: () => Promise<T>): Promise<T> {
  const keys = notesKeysOf(db)
  if (schoolId && !keys.ready(schoolId)) await keys.ensureSchool(schoolId)
  const scope = { ring: keys.ring, schoolId }
  try {
    return await notesScope.run(scope, async () => await fn())
  } catch (err) {
    const missing = missingKeyOf(err)
    if (!missing) throw err
    await keys.loadKey(missing)
    return notesScope.run(scope, async () => await fn())
  }
}

function missingKeyOf(err: unknown): string | undefined {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    if (e instanceof SealedKeyMissing) return e.keyId
  }
  return undefined
}

/** NotesKeys.inSchool for the keys of a database handle. */
export function withNotesSchool<T>(db: Db, schoolId: string, fn: () => Promise<T>, ex?: Executor): Promise<T> {
  return notesKeysOf(db).inSchool(schoolId, fn, ex)
}

/** Resolves the master keys on the pool, for a caller about to open a transaction that seals (withNotesSchool with ex). */
export async function prepareNotesKeys(db: Db): Promise<void> {
  await notesKeysOf(db).mastersOf()
}
