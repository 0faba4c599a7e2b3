import { randomBytes, randomUUID } from 'node:crypto'
import { and, eq, getTableColumns, getTableName, inArray, sql, type SQL } from 'drizzle-orm'
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core'
import * as schema from '../../db/schema/index.js'
import { appendAudit } from '../audit/audit.js'
import { queryRows, type Db } from '../db/database.js'
import { unwrapKey, wrapKey, type NotesKeys } from './notes-keys.js'
import { sealedColumns, type SealedColumn } from './sealed-columns.js'
import { SEALED_PREFIX } from './sealed.js'

/**
 * What `npm run keys` does (scripts/keys.ts). Each change to the keys writes an audit row with
 * ids only (roles 'command:keys', no actor); no value, plaintext or key ever reaches a log.
 */
const ROLES = 'command:keys'

/** Re-wraps every data key under the current master key; the values themselves are not touched. */
export async function rotateMaster(keys: NotesKeys): Promise<{ rewrapped: number; current: string }> {
  const { current, all } = await keys.mastersOf()
  const db = keys.db
  const rows = await queryRows<{ school_id: string; id: string; wrapped_key: string; master_key_id: string }>(db,
    sql`select school_id, id, wrapped_key, master_key_id from school_keys where master_key_id <> ${current.id}`)
  for (const r of rows) {
    if (!all.has(r.master_key_id)) throw new Error(`data key ${r.id} is wrapped by master key ${r.master_key_id}, which is not configured: set it as NOTES_MASTER_KEY_PREVIOUS`)
  }
  await db.transaction(async (tx) => {
    for (const r of rows) {
      const plain = unwrapKey(all.get(r.master_key_id)!, r.school_id, r.id, r.wrapped_key)
      await tx.execute(sql`update school_keys set wrapped_key = ${wrapKey(current, r.school_id, r.id, plain)}, master_key_id = ${current.id}
        where school_id = ${r.school_id} and id = ${r.id}`)
    }
    for (const [schoolId, ids] of groupBySchool(rows)) {
      await appendAudit(tx, { actorId: null, roles: ROLES, action: 'U', resource: 'school_keys', recordIds: ids, fieldGroups: ['rewrap'], outcome: 'ok', schoolId })
    }
  })
  return { rewrapped: rows.length, current: current.id }
}

function groupBySchool(rows: Array<{ school_id: string; id: string }>): Map<string, string[]> {
  const m = new Map<string, string[]>()
  for (const r of rows) m.set(r.school_id, [...(m.get(r.school_id) ?? []), r.id])
  return m
}

/** A new data key for the school (the old one retired, still opening what it sealed), then every value of the school re-sealed under it. */
export async function rotateSchool(keys: NotesKeys, schoolId: string, batch = 200): Promise<{ keyId: string; resealed: number }> {
  const { current } = await keys.mastersOf()
  const db = keys.db
  const keyId = randomUUID()
  await db.transaction(async (tx) => {
    const retired = await queryRows<{ id: string }>(tx, sql`update school_keys set retired_at = now() where school_id = ${schoolId} and retired_at is null returning id`)
    await tx.execute(sql`insert into school_keys (school_id, id, wrapped_key, master_key_id) values (${schoolId}, ${keyId}, ${wrapKey(current, schoolId, keyId, randomBytes(32))}, ${current.id})`)
    await appendAudit(tx, { actorId: null, roles: ROLES, action: 'C', resource: 'school_keys', recordIds: [keyId, ...retired.map((r) => r.id)], fieldGroups: ['rotate'], outcome: 'ok', schoolId })
  })
  keys.forgetActive(schoolId)
  await keys.ensureSchool(schoolId)
  const resealed = await resealSchool(keys, schoolId, (c) => notUnderKey(c, keyId), batch)
  return { keyId, resealed }
}

/** Seals the school's values still stored in the clear (written before encryption at rest). */
export async function reencryptSchool(keys: NotesKeys, schoolId: string, batch = 200): Promise<{ sealed: number }> {
  await keys.ensureSchool(schoolId)
  return { sealed: await resealSchool(keys, schoolId, (c) => notUnderKey(c, null), batch) }
}

/** The stored text of a sealed column: a JSON column keeps the sealed text as a JSON string. */
function storedText(c: SealedColumn): SQL {
  const col = sql.identifier(c.column)
  return c.kind === 'json' ? sql`(case when jsonb_typeof(${col}) = 'string' then ${col} #>> '{}' end)` : sql`${col}`
}

/** Rows whose value is not sealed under keyId (null: not sealed at all). */
function notUnderKey(c: SealedColumn, keyId: string | null): SQL {
  const prefix = keyId ? `${SEALED_PREFIX}${keyId}.%` : `${SEALED_PREFIX}%`
  return sql`${sql.identifier(c.column)} is not null and coalesce(${storedText(c)}, '') not like ${prefix}`
}

function tableOf(name: string): PgTable {
  const t = Object.values(schema).find((v) => typeof v === 'object' && v !== null && safeName(v) === name)
  if (!t) throw new Error(`no table ${name}`)
  return t as PgTable
}

function safeName(v: object): string | undefined {
  try { return getTableName(v as PgTable) } catch { return undefined }
}

function jsKey(table: PgTable, column: string): string {
  const e = Object.entries(getTableColumns(table) as Record<string, PgColumn>).find(([, c]) => c.name === column)
  if (!e) throw new Error(`no column ${column}`)
  return e[0]
}

/**
 * Re-seals, in batches of one transaction each, every value of the school that `which` picks:
 * read through drizzle (opened with whichever key sealed it, or taken as plaintext), written
 * back through drizzle (sealed with the school's current key). A batch picks rows by primary
 * key, so a value another process changed meanwhile is simply re-sealed again or left for the
 * next run; nothing is lost.
 */
async function resealSchool(keys: NotesKeys, schoolId: string, which: (c: SealedColumn) => SQL, batch: number): Promise<number> {
  const db = keys.db
  let total = 0
  for (const c of sealedColumns) {
    const table = tableOf(c.table)
    const cols = getTableColumns(table) as Record<string, PgColumn>
    const key = jsKey(table, c.column)
    for (;;) {
      const ids = (await queryRows<{ id: string }>(db, sql`select id from ${table} where school_id = ${schoolId} and ${which(c)} limit ${batch}`)).map((r) => r.id)
      if (ids.length === 0) break
      await keys.inSchool(schoolId, () => db.transaction(async (tx) => {
        const rows = await tx.select({ id: cols.id!, value: cols[key]! }).from(table)
          .where(and(eq(cols.schoolId!, schoolId), inArray(cols.id!, ids))) as Array<{ id: string; value: unknown }>
        for (const r of rows) {
          if (r.value === null) continue
          await tx.update(table).set({ [key]: r.value }).where(and(eq(cols.schoolId!, schoolId), eq(cols.id!, r.id)))
        }
        await appendAudit(tx, { actorId: null, roles: ROLES, action: 'U', resource: c.table, recordIds: rows.map((r) => r.id), fieldGroups: [`reseal:${c.column}`], outcome: 'ok', schoolId })
      }))
      total += ids.length
      if (ids.length < batch) break
    }
  }
  return total
}

export interface KeyStatus {
  keys: Array<{ schoolId: string; schoolCode: string; keyId: string; masterKeyId: string; masterConfigured: boolean; active: boolean; createdAt: string; values: number }>
  /** Values per school still stored in the clear. */
  plaintext: Array<{ schoolId: string; schoolCode: string; values: number }>
  currentMaster: string
}

/** Per key: how many values it sealed; per school: how many are still in the clear. Counts only. */
export async function keyStatus(keys: NotesKeys): Promise<KeyStatus> {
  const { current, all } = await keys.mastersOf()
  const db = keys.db
  const perKey = new Map<string, number>()
  const plain = new Map<string, number>()
  for (const c of sealedColumns) {
    const table = tableOf(c.table)
    const rows = await queryRows<{ school_id: string; key_id: string | null; n: string | number }>(db, sql`
      select school_id, case when ${storedText(c)} like ${SEALED_PREFIX + '%'} then split_part(${storedText(c)}, '.', 2) end as key_id, count(*) as n
      from ${table} where ${sql.identifier(c.column)} is not null group by 1, 2`)
    for (const r of rows) {
      if (r.key_id) perKey.set(r.key_id, (perKey.get(r.key_id) ?? 0) + Number(r.n))
      else plain.set(r.school_id, (plain.get(r.school_id) ?? 0) + Number(r.n))
    }
  }
  const keyRows = await queryRows<{ school_id: string; code: string; id: string; master_key_id: string; retired_at: unknown; created_at: unknown }>(db, sql`
    select k.school_id, s.code, k.id, k.master_key_id, k.retired_at, k.created_at from school_keys k join schools s on s.id = k.school_id order by s.code, k.created_at`)
  const codes = new Map(keyRows.map((r) => [r.school_id, r.code]))
  const missing = [...plain.keys()].filter((id) => !codes.has(id))
  if (missing.length) {
    for (const r of await queryRows<{ id: string; code: string }>(db, sql`select id, code from schools where id = any(${`{${missing.join(',')}}`}::uuid[])`)) codes.set(r.id, r.code)
  }
  return {
    currentMaster: current.id,
    keys: keyRows.map((r) => ({
      schoolId: r.school_id, schoolCode: r.code, keyId: r.id, masterKeyId: r.master_key_id, masterConfigured: all.has(r.master_key_id), active: r.retired_at === null,
      createdAt: r.created_at instanceof Date ? r.created_at.toISOString() : String(r.created_at), values: perKey.get(r.id) ?? 0,
    })),
    plaintext: [...plain].map(([schoolId, values]) => ({ schoolId, schoolCode: codes.get(schoolId) ?? '?', values })),
  }
}

/** The school id of a school code. */
export async function schoolIdOf(db: Db, code: string): Promise<string | undefined> {
  return (await queryRows<{ id: string }>(db, sql`select id from schools where code = ${code}`))[0]?.id
}
