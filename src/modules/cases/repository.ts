import { and, eq } from 'drizzle-orm'
import { cases, crisisEvents } from '../../../db/schema/index.js'
import type { Executor } from '../../db/database.js'
import type { RowLock } from '../../db/row-lock.js'

/**
 * The raw state reads of 积极干预 and 危机事件 that their rules need, nothing else: records are
 * read and written through the access gateway (the services). Every statement names the
 * school beside the id.
 */

/** Row-lock strength for a state read (see src/db/row-lock.ts); none for a plain read. */
function strength(lock: RowLock) {
  return lock === 'update' ? 'no key update' as const : 'share' as const
}

/**
 * The raw state and risk, for the transition rules (never returned to a caller). With `lock`
 * the row stays locked until the transaction ends, so the state checked is the state changed.
 */
export function caseState(ex: Executor, schoolId: string, id: string, lock?: RowLock) {
  const q = ex.select({ state: cases.state, riskLevel: cases.riskLevel, studentId: cases.studentId }).from(cases)
    .where(and(eq(cases.schoolId, schoolId), eq(cases.id, id)))
  return (lock ? q.for(strength(lock)) : q).then((r) => r[0])
}

/** The raw status; with `lock`, held until the transaction ends (as caseState). */
export function crisisState(ex: Executor, schoolId: string, id: string, lock?: RowLock) {
  const q = ex.select({ status: crisisEvents.status, studentId: crisisEvents.studentId }).from(crisisEvents)
    .where(and(eq(crisisEvents.schoolId, schoolId), eq(crisisEvents.id, id)))
  return (lock ? q.for(strength(lock)) : q).then((r) => r[0])
}
