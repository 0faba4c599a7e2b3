import * as drizzle from 'drizzle-orm'
import { and, asc, desc, eq, getTableName, sql, type Query, type SQL } from 'drizzle-orm'
import type { PgSession } from 'drizzle-orm/pg-core'
import type { Executor } from '../db/database.js'
import { appendAudit, type AuditAction, type AuditEvent, type AuditOutcome } from '../audit/audit.js'
import type { RequestContext } from '../plugins/access.js'
import type { Decision } from './engine.js'
import { queueAudit } from './transaction.js'
import { sealedColumnOf } from '../crypto/sealed.js'
import { KeptPer } from '../lib/kept.js'

export interface Sort { field: string; dir: 'asc' | 'desc' }

/** One record through the policy: undefined when missing or out of scope (both answer 404). */
export async function readOne(ex: Executor, d: Decision, id: string, extra?: SQL): Promise<Record<string, unknown> | undefined> {
  // Prepared (named): a record read is the commonest statement, its text fixed per resource and roles.
  const rows = extra
    ? await ex.select(d.selection()).from(d.policy.table)
      .where(and(eq(d.column(d.policy.idColumn), id), d.where(), extra)).limit(1).prepare('readOne').execute()
    : await recordRead(ex, d).execute({ id }) as Record<string, unknown>[]
  const row = rows[0]
  return row ? d.project(row) : undefined
}

/** drizzle's select, as its prepare() hands it to the session (text, parameters, result fields). */
type ResultFields = Parameters<PgSession['prepareQuery']>[1]
interface BuiltRead {
  query: Query
  fields: ResultFields
  joinsNotNullableMap: Record<string, boolean>
}
type PreparedRead = ReturnType<PgSession['prepareQuery']> & { joinsNotNullableMap?: Record<string, boolean> }
/** What drizzle's select does with its selection before preparing (exported, typed internal). */
const orderSelectedFields = (drizzle as unknown as { orderSelectedFields: (fields: unknown) => ResultFields }).orderSelectedFields

/**
 * The record read of a decision, built once: decisions are kept per actor (engine.ts) and their
 * scope is fixed SQL (the school day included), so only the record's id changes, as a
 * placeholder. drizzle takes longer to build the select than the database to answer it.
 */
const builtReads = new WeakMap<Decision, BuiltRead>()

function recordRead(ex: Executor, d: Decision): PreparedRead {
  let built = builtReads.get(d)
  if (!built) {
    built = builtOf(ex.select(d.selection()).from(d.policy.table)
      .where(and(eq(d.column(d.policy.idColumn), sql.placeholder('id')), d.where())).limit(1))
    builtReads.set(d, built)
  }
  return preparedOf(ex, built, 'readOne')
}

/**
 * What drizzle's select (or INSERT … RETURNING) hands to its session when prepared: built
 * once, run many times.
 */
function builtOf(query: unknown): BuiltRead {
  const internals = query as { getSQL(): SQL; dialect: { sqlToQuery(s: SQL): Query }; config: { fields?: unknown; returning?: ResultFields }; joinsNotNullableMap?: Record<string, boolean> }
  const fields = internals.config.returning ?? orderSelectedFields(internals.config.fields)
  return { query: internals.dialect.sqlToQuery(internals.getSQL()), fields, joinsNotNullableMap: internals.joinsNotNullableMap ?? {} }
}

/**
 * A write of fixed shape (INSERT … SELECT … RETURNING), built once per decision and `key` like
 * readManyPrepared: `build` is called the first time only, and names what changes between
 * calls as placeholders (sql.placeholder), filled from `values`. Building an INSERT … SELECT
 * with its scope and per-role flags took drizzle longer than the database took to run it.
 */
const builtWrites = new KeptPer<BuiltRead>()

export async function writePrepared(ex: Executor, d: Decision, key: string, build: () => unknown, values: Record<string, unknown>): Promise<Record<string, unknown>[]> {
  const built = builtWrites.get(d, key, () => builtOf(build()))
  return await preparedOf(ex, built, 'write').execute(values) as Record<string, unknown>[]
}

function preparedOf(ex: Executor, built: BuiltRead, name: string): PreparedRead {
  const { session } = ex as unknown as { session: PgSession }
  const prepared: PreparedRead = session.prepareQuery(built.query, built.fields, name, true)
  prepared.joinsNotNullableMap = built.joinsNotNullableMap
  return prepared
}

/**
 * A page of records through the policy. Filters and sorts may name only fields every granted
 * role reads; `where` is built by the caller from such fields.
 */
export async function readMany(ex: Executor, d: Decision, opts: ListOptions): Promise<{ items: Record<string, unknown>[]; total: number; raw: Record<string, unknown>[] }> {
  const rows = await listSelect(ex, d, opts) as Record<string, unknown>[]
  return listed(d, rows)
}

export interface ListOptions {
  where?: SQL | undefined
  filterFields?: string[]
  sort?: Sort[]
  limit: number
  offset: number
}

/**
 * readMany of a list whose shape is fixed (a screen's part), built once per decision and `key`:
 * its `where` names what changes between calls as placeholders (sql.placeholder), given in
 * `values`. Values fixed for the actor (their own id) may stay literal: decisions are per actor.
 */
const builtLists = new KeptPer<BuiltRead>()

export async function readManyPrepared(ex: Executor, d: Decision, key: string, opts: ListOptions, values: Record<string, unknown>): Promise<{ items: Record<string, unknown>[]; total: number; raw: Record<string, unknown>[] }> {
  const built = builtLists.get(d, key, () => builtOf(listSelect(ex, d, opts)))
  const rows = await preparedOf(ex, built, 'readMany').execute(values) as Record<string, unknown>[]
  return listed(d, rows)
}

function listSelect(ex: Executor, d: Decision, opts: ListOptions) {
  const sort = opts.sort ?? []
  d.assertQueryable([...(opts.filterFields ?? []), ...sort.map((s) => s.field)])
  // The database holds sealed notes as ciphertext: a filter or order on one would be meaningless.
  for (const f of [...(opts.filterFields ?? []), ...sort.map((s) => s.field)]) {
    if (sealedColumnOf(getTableName(d.policy.table), d.column(f).name)) throw new Error(`${d.resource}.${f} is sealed: it cannot be searched or sorted`)
  }
  const order = sort.map((s) => (s.dir === 'desc' ? desc(d.column(s.field)) : asc(d.column(s.field))))
  order.push(asc(d.column(d.policy.idColumn)))
  return ex.select({ ...d.selection(), __total: sql<number>`count(*) over()`.as('__total') })
    .from(d.policy.table)
    .where(and(d.where(), opts.where))
    .orderBy(...order)
    .limit(opts.limit).offset(opts.offset)
}

function listed(d: Decision, rows: Record<string, unknown>[]) {
  const total = rows.length ? Number(rows[0]!.__total) : 0
  return { items: rows.map((r) => d.project(r)), total, raw: rows }
}

/** Student ids a row concerns, for the audit row's indexed column. */
export function studentIdsOf(d: Decision, rows: Record<string, unknown>[]): string[] {
  const key = d.policy.relations.student
  if (!key) return []
  return [...new Set(rows.map((r) => r[key]).filter((v): v is string => typeof v === 'string'))]
}

export function idsOf(d: Decision, rows: Record<string, unknown>[]): string[] {
  return rows.map((r) => r[d.policy.idColumn]).filter((v): v is string => typeof v === 'string')
}

/**
 * The audit row for what this request did, written in the caller's transaction. Resolves to
 * the row's chain sequence number only when appended at once (0 when queued or deferred):
 * a caller that stores it calls flushAudits.
 */
export function audit(ex: Executor, ctx: RequestContext, e: {
  action: AuditAction
  rows?: Record<string, unknown>[]
  recordIds?: string[]
  studentIds?: string[]
  fieldGroups?: string[]
  outcome?: AuditOutcome
  resource?: string
}): Promise<number> {
  const d = ctx.decision
  const rows = e.rows ?? []
  const event: AuditEvent = {
    actorId: ctx.actor.userId,
    roles: d.roles,
    action: e.action,
    resource: e.resource ?? d.resource,
    recordIds: e.recordIds ?? idsOf(d, rows),
    studentIds: e.studentIds ?? studentIdsOf(d, rows),
    fieldGroups: e.fieldGroups ?? d.readGroups(),
    outcome: e.outcome ?? 'ok',
    requestId: ctx.requestId,
    purpose: ctx.purpose,
    schoolId: ctx.actor.schoolId,
  }
  // A read's row goes to the group commit (durable before the answer leaves); a change's row
  // stays in the change's own transaction, appended with the transaction's other rows in one
  // statement before it commits (withSchoolTx).
  if (event.action === 'R' && ctx.deferAudit) {
    ctx.deferAudit(event)
    return Promise.resolve(0)
  }
  if (queueAudit(ex, event)) return Promise.resolve(0)
  return appendAudit(ex, event)
}
