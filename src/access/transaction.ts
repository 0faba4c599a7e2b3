import { sql } from 'drizzle-orm'
import { queryRows, type Db, type Executor, type Tx } from '../db/database.js'
import { auditJson, type AuditEvent } from '../audit/audit.js'
import type { Actor } from './roles.js'

/** Audit events of the open transactions, appended together just before each one commits. */
const pending = new WeakMap<object, AuditEvent[]>()

/**
 * Runs fn in one transaction as the non-owner role `xinan_app` with the actor's school
 * set, so row-level security applies even if a query forgets its filter. Both settings go
 * in one statement: round trips are the cost of the audited read path (STACK-NOTES.md).
 *
 * The audit events queued on the transaction (queueAudit) are appended in one statement after
 * fn and before COMMIT, still inside the transaction: a change and its audit rows commit or
 * roll back together, and the global chain lock is taken by that last statement only.
 */
export function withSchoolTx<T>(db: Db, schoolId: string | null, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('role', 'xinan_app', true), set_config('app.school_id', ${schoolId ?? ''}, true)`)
    pending.set(tx, [])
    try {
      const result = await fn(tx)
      await flushAudits(tx)
      return result
    } finally {
      pending.delete(tx)
    }
  })
}

export function withActorTx<T>(db: Db, actor: Actor, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withSchoolTx(db, actor.schoolId, fn)
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
  const rows = await queryRows<{ seq: string | number }>(ex, sql`select audit_append_batch(${JSON.stringify(events.map(auditJson))}::jsonb) as seq`)
  return Number(rows[0]!.seq)
}
