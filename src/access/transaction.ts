import { fillPlaceholders, sql, type Query, type SQL } from 'drizzle-orm'
import type { PgSession } from 'drizzle-orm/pg-core'
import { preparedRows, queryRows, sqlToQuery, type Db, type Executor, type Tx } from '../db/database.js'
import { auditJson, type AuditEvent } from '../audit/audit.js'
import type { Actor } from './roles.js'
import { inNotesScope } from '../crypto/notes-keys.js'
import { groupCommitOf } from '../db/wal-flush.js'

/** Audit events of the open transactions, appended together just before each one commits. */
const pending = new WeakMap<object, AuditEvent[]>()

/**
 * An actor a request took from the server's memory instead of the database (plugins/auth.ts):
 * who it was at `epoch`. Keyed by the request's own actor object, so each request is checked
 * once, by the first statement of its first transaction.
 */
interface EpochCheck {
  epoch: string
  state: 'pending' | 'current' | 'stale'
}
const checks = new WeakMap<Actor, EpochCheck>()

/** The actor changed (or its login ended) since it was kept: nothing ran as it in this transaction. */
export class StaleActor extends Error {
  constructor() {
    super('the actor changed since it was loaded')
    this.name = 'StaleActor'
  }
}

/** Marks a request's actor as remembered at `epoch`: its first transaction compares (withActorTx). */
export function expectEpoch(actor: Actor, epoch: string): void {
  checks.set(actor, { epoch, state: 'pending' })
}

/** pending: a remembered actor no transaction has confirmed yet; stale: one found out of date. */
export function epochState(actor: Actor): EpochCheck['state'] | null {
  return checks.get(actor)?.state ?? null
}

/**
 * Compares a remembered actor with the database outside any transaction (a request that opened
 * none); true when it is still current. One statement.
 */
export async function confirmEpoch(db: Db, actor: Actor): Promise<boolean> {
  const check = checks.get(actor)
  if (!check || check.state === 'current') return true
  if (check.state === 'stale') return false
  const rows = await queryRows<{ epoch: string | number | bigint | null }>(db, sql`select auth_epoch_of(${actor.sessionId}::uuid, ${actor.userId}::uuid) as epoch`)
  return settle(check, rows[0]?.epoch)
}

function settle(check: EpochCheck, epoch: string | number | bigint | null | undefined): boolean {
  if (check.state === 'pending') check.state = epoch !== null && epoch !== undefined && String(epoch) === check.epoch ? 'current' : 'stale'
  return check.state === 'current'
}

/**
 * Runs fn in one transaction as the non-owner role `xinan_app` with the actor's school
 * set, so row-level security applies even if a query forgets its filter. Both settings go
 * in one statement: round trips, not fsync, are what the audited read path costs.
 *
 * The audit events queued on the transaction (queueAudit) are appended in one statement after
 * fn and before COMMIT, still inside the transaction: a change and its audit rows commit or
 * roll back together, and the global chain lock is taken by that last statement only.
 */
export function withSchoolTx<T>(db: Db, schoolId: string | null, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return schoolTx(db, schoolId, undefined, fn)
}

/**
 * withSchoolTx for a request's actor. An actor the request took from memory is checked by the
 * same first statement, which also reads the user's epoch (auth_epoch_of, as the owner): when
 * it moved or the login is over, the transaction stops there and StaleActor is thrown, before
 * fn ran; the request is then answered with the actor loaded afresh (plugins/auth.ts). Every
 * later transaction of a stale actor throws at once.
 */
export function withActorTx<T>(db: Db, actor: Actor, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const check = checks.get(actor)
  if (check?.state === 'stale') return Promise.reject(new StaleActor())
  return schoolTx(db, actor.schoolId, check?.state === 'pending' ? { actor, check } : undefined, fn)
}

/**
 * The school's notes keys are loaded before the transaction opens (sealed columns are sealed
 * and opened inside drizzle's synchronous value mapping, src/crypto/sealed.ts), and the school
 * is the one whose key seals what fn writes.
 */
function schoolTx<T>(db: Db, schoolId: string | null, verify: { actor: Actor; check: EpochCheck } | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return inNotesScope(db, schoolId, () => schoolTxRun(db, schoolId, verify, fn))
}

/**
 * The first statement of a school transaction, built once (only its values change): the
 * non-owner role and the school for row-level security, and with SETTINGS_CHECKED the epoch
 * of a remembered actor (auth_epoch_of, as the owner).
 */
const SETTINGS = sql`select set_config('role', 'xinan_app', true), set_config('app.school_id', ${sql.placeholder('school')}, true)`
const SETTINGS_CHECKED = sql`select set_config('role', 'xinan_app', true), set_config('app.school_id', ${sql.placeholder('school')}, true),
  auth_epoch_of(${sql.placeholder('session')}::uuid, ${sql.placeholder('user')}::uuid) as epoch`
let settingsPlain: Query | undefined
let settingsChecked: Query | undefined

async function schoolTxRun<T>(db: Db, schoolId: string | null, verify: { actor: Actor; check: EpochCheck } | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> {
  let audited: { answer: PromiseLike<unknown> } | null = null
  const groupCommit = groupCommitOf(db)
  const result = await db.transaction(async (tx) => {
    const settings = verify ? settingsChecked ??= sqlToQuery(tx, SETTINGS_CHECKED) : settingsPlain ??= sqlToQuery(tx, SETTINGS)
    const values = verify ? { school: schoolId ?? '', session: verify.actor.sessionId, user: verify.actor.userId } : { school: schoolId ?? '' }
    // The settings travel with fn's first statement instead of a round trip of their own (on
    // the embedded database, in the same call into PostgreSQL): they run first, and a statement
    // after a failed one fails too (the transaction is aborted). The actor's check is read
    // before anything fn returns is used: a stale actor's transaction rolls back and its result
    // is dropped, as if fn had never run.
    const confirm = (rows: unknown) => {
      if (verify && !settle(verify.check, (rows as Array<{ epoch: string | number | bigint | null }>)[0]?.epoch)) throw new StaleActor()
    }
    const ahead = await sendAhead(tx, settings, values)
    pending.set(tx, [])
    try {
      let outcome: { ok: true; value: T } | { ok: false; error: unknown }
      try {
        outcome = { ok: true, value: await fn(tx) }
      } catch (error) {
        outcome = { ok: false, error }
      }
      // A failure of the settings themselves is the one to report (fn's would only say the
      // transaction was aborted); a stale actor is reported before fn's own error.
      confirm(await ahead.answer)
      if (!outcome.ok) throw outcome.error
      audited = await sendAuditsBeforeCommit(tx, groupCommit !== undefined)
      return outcome.value
    } finally {
      pending.delete(tx)
    }
  })
  // Sent ahead of the COMMIT: a failed append aborted the transaction, so the COMMIT rolled
  // it back (PostgreSQL answers a COMMIT of an aborted transaction with ROLLBACK), and the
  // change leaves with this error instead of an answer.
  if (audited) {
    await (audited as { answer: PromiseLike<unknown> }).answer
    // Committed without waiting for the disk: the answer waits for the shared WAL flush.
    if (groupCommit) await groupCommit.flush()
  }
  return result
}

/**
 * Says the transaction's next statement is its last: on the embedded database its call into
 * PostgreSQL carries the COMMIT (EmbeddedTransaction.commitWithNext), so a transaction of one
 * read is one call instead of two; on the server nothing changes. A statement after it fails.
 * The settings sent ahead travel in that call too, and a stale actor's result is still dropped
 * (schoolTxRun checks after fn): a read-only transaction has nothing to roll back.
 */
export function commitWithNext(ex: Executor): void {
  const { session } = ex as unknown as { session: { client?: { commitWithNext?: () => void } } }
  session.client?.commitWithNext?.()
}

/**
 * The driver's side of a drizzle prepared query (drizzle keeps these fields on it): postgres.js's
 * client, or a transaction of the embedded database (src/db/embedded-prepared.ts), which offers ahead().
 */
interface DriverQuery {
  client?: {
    unsafe?: (text: string, params: unknown[], opts: { prepare: boolean }) => PromiseLike<unknown> & { execute(): PromiseLike<unknown> & { catch(f: () => void): unknown } }
    ahead?: (text: string, params: unknown[], options: unknown) => Promise<{ rows: unknown[] }>
    flush?: () => Promise<void>
  }
  queryString?: string
  params?: unknown[]
  rawQueryConfig?: unknown
}

/**
 * Sends a prepared statement on the transaction without waiting for its answer, so the
 * statements after it follow at once: on the server (postgres.js) on the same connection (one
 * round trip for both); on the embedded database in the same call into PostgreSQL as the
 * transaction's next statement (EmbeddedTransaction.ahead). Resolves once the statement is on
 * its way, to its pending answer (rows), to be awaited later.
 */
async function sendAhead(ex: Executor, query: Query, values: Record<string, unknown> = {}): Promise<{ answer: PromiseLike<unknown> }> {
  const { session } = ex as unknown as { session: PgSession }
  const { client, queryString, params, rawQueryConfig } = session.prepareQuery(query, undefined, 'raw', false) as unknown as DriverQuery
  if (typeof queryString !== 'string' || !Array.isArray(params)) throw new Error('prepared query without its text')
  if (typeof client?.ahead === 'function') {
    const rows = client.ahead(queryString, fillPlaceholders(params, values), rawQueryConfig).then((r) => r.rows)
    rows.catch(() => undefined) // awaited later; an early failure must not go unhandled
    // Still queued when its answer is wanted (nothing was sent after it): it goes on its own then.
    const flush = client.flush!
    return { answer: { then: (ok, fail) => flush().then(() => rows).then(ok, fail) } }
  }
  if (typeof client?.unsafe !== 'function') throw new Error('a transaction of neither database driver')
  const sent = client.unsafe(queryString, fillPlaceholders(params, values), { prepare: true }).execute()
  sent.catch(() => undefined) // awaited later; an early failure must not go unhandled
  // postgres.js hands an executed query to the connection one microtask later: after this
  // await it is on the connection, ahead of whatever the transaction sends next.
  await Promise.resolve()
  // Wrapped: an async function returning the query itself would wait for its answer.
  return { answer: sent }
}

/**
 * The transaction's queued audit rows, sent ahead of the COMMIT (sendAhead): the chain's lock,
 * taken by the append, is then held for the append and the commit only, not also for a round
 * trip through a busy event loop, which had serialised every write behind it. Null when
 * nothing is queued. With `commitAsync` the same statement turns synchronous_commit off for
 * this transaction: its caller then waits for the group commit's WAL flush (src/db/wal-flush.ts).
 */
async function sendAuditsBeforeCommit(ex: Executor, commitAsync: boolean): Promise<{ answer: PromiseLike<unknown> } | null> {
  const q = pending.get(ex)
  if (!q || q.length === 0) return null
  const ahead = await sendAhead(ex, sqlToQuery(ex, appendSql(q, commitAsync)))
  q.length = 0
  return ahead
}

function appendSql(events: AuditEvent[], commitAsync = false): SQL {
  const json = JSON.stringify(events.map(auditJson))
  return commitAsync
    ? sql`select audit_append_batch(${json}::jsonb) as seq, set_config('synchronous_commit', 'off', true)`
    : sql`select audit_append_batch(${json}::jsonb) as seq`
}

/**
 * Queues an audit event on a transaction opened by withSchoolTx; false when ex is not one
 * (the pool, a savepoint, a transaction opened elsewhere), and the caller appends it at once.
 */
export function queueAudit(ex: Executor, e: AuditEvent): boolean {
  const q = pending.get(ex)
  if (!q) return false
  q.push(e)
  return true
}

/**
 * Appends the events queued so far on the transaction, in one statement; the chain sequence
 * number of the last one (0 when none was queued). For a caller that stores that number.
 */
export async function flushAudits(ex: Executor): Promise<number> {
  const q = pending.get(ex)
  if (!q || q.length === 0) return 0
  const events = q.splice(0, q.length)
  const rows = await preparedRows<{ seq: string | number }>(ex, appendSql(events))
  return Number(rows[0]!.seq)
}
