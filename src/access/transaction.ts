import { sql, type SQL } from 'drizzle-orm'
import { preparedQuery, preparedRows, queryRows, type Db, type Executor, type Tx } from '../db/database.js'
import { auditJson, type AuditEvent } from '../audit/audit.js'
import type { Actor } from './roles.js'

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

async function schoolTx<T>(db: Db, schoolId: string | null, verify: { actor: Actor; check: EpochCheck } | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> {
  let audited: { answer: PromiseLike<unknown> } | null = null
  const result = await db.transaction(async (tx) => {
    if (verify) {
      const rows = await preparedRows<{ epoch: string | number | bigint | null }>(tx, sql`select set_config('role', 'xinan_app', true), set_config('app.school_id', ${schoolId ?? ''}, true),
        auth_epoch_of(${verify.actor.sessionId}::uuid, ${verify.actor.userId}::uuid) as epoch`)
      if (!settle(verify.check, rows[0]?.epoch)) throw new StaleActor()
    } else {
      await preparedRows(tx, sql`select set_config('role', 'xinan_app', true), set_config('app.school_id', ${schoolId ?? ''}, true)`)
    }
    pending.set(tx, [])
    try {
      const result = await fn(tx)
      audited = await sendAuditsBeforeCommit(tx)
      if (!audited) await flushAudits(tx)
      return result
    } finally {
      pending.delete(tx)
    }
  })
  // Sent ahead of the COMMIT: a failed append aborted the transaction, so the COMMIT rolled
  // it back (PostgreSQL answers a COMMIT of an aborted transaction with ROLLBACK), and the
  // change leaves with this error instead of an answer.
  if (audited) await (audited as { answer: PromiseLike<unknown> }).answer
  return result
}

/** The driver's side of a postgres.js prepared query (drizzle keeps these fields on it). */
interface DriverQuery {
  client?: { unsafe?: (text: string, params: unknown[], opts: { prepare: boolean }) => PromiseLike<unknown> & { execute(): PromiseLike<unknown> & { catch(f: () => void): unknown } } }
  queryString?: string
  params?: unknown[]
}

/**
 * On the server (postgres.js), the transaction's queued audit rows are sent without waiting
 * for their answer, so the COMMIT follows them on the connection at once: the chain's lock,
 * taken by the append, is then held for the append and the commit only, not also for a round
 * trip through a busy event loop, which had serialised every write behind it. Resolves to the
 * append's pending answer, to be awaited after the transaction; null when nothing is queued or the
 * driver is not postgres.js (the embedded database runs one transaction at a time: the caller
 * appends and waits, as before).
 */
async function sendAuditsBeforeCommit(ex: Executor): Promise<{ answer: PromiseLike<unknown> } | null> {
  const q = pending.get(ex)
  if (!q || q.length === 0) return null
  if (typeof (ex as unknown as { session?: DriverQuery }).session?.client?.unsafe !== 'function') return null
  const { client, queryString, params } = preparedQuery(ex, appendSql(q)) as unknown as DriverQuery
  if (typeof client?.unsafe !== 'function' || typeof queryString !== 'string' || !Array.isArray(params)) throw new Error('postgres.js query without its text')
  q.length = 0
  const sent = client.unsafe(queryString, params, { prepare: true }).execute()
  sent.catch(() => undefined) // awaited after the transaction; an early failure must not go unhandled
  // postgres.js hands an executed query to the connection one microtask later: after this
  // await it is on the connection, ahead of the COMMIT the transaction sends next.
  await Promise.resolve()
  // Wrapped: an async function returning the query itself would wait for its answer.
  return { answer: sent }
}

function appendSql(events: AuditEvent[]): SQL {
  return sql`select audit_append_batch(${JSON.stringify(events.map(auditJson))}::jsonb) as seq`
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
