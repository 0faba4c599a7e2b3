import { and, eq, sql } from 'drizzle-orm'
import {
  caseEvents, cases, counsellingSessions, crisisChecklist, crisisEvents, interventionPlans,
} from '../../../db/schema/index.js'
import type { Executor } from '../../db/database.js'
import type { RowLock } from '../../db/row-lock.js'

/**
 * Drizzle queries of 积极干预 and 危机事件, nothing else: no access rules, no audit (the
 * services hold those). Every statement names the school beside the id.
 */

// ── cases ─────────────────────────────────────────────────────────────────────────────

export function insertCase(ex: Executor, v: typeof cases.$inferInsert) {
  return ex.insert(cases).values(v).returning({ id: cases.id }).then((r) => r[0]!.id)
}

export type CaseWrite = Partial<Pick<typeof cases.$inferInsert, 'riskLevel' | 'state' | 'summary' | 'closedAt'>>

export function updateCase(ex: Executor, schoolId: string, id: string, v: CaseWrite) {
  return ex.update(cases).set({ ...v, updatedAt: new Date() }).where(and(eq(cases.schoolId, schoolId), eq(cases.id, id)))
}

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

export function insertCaseEvent(ex: Executor, v: typeof caseEvents.$inferInsert) {
  return ex.insert(caseEvents).values(v).returning({ id: caseEvents.id }).then((r) => r[0]!.id)
}

// ── plans & sessions ──────────────────────────────────────────────────────────────────

export function insertPlan(ex: Executor, v: typeof interventionPlans.$inferInsert) {
  return ex.insert(interventionPlans).values(v).returning({ id: interventionPlans.id }).then((r) => r[0]!.id)
}

export type PlanWrite = Partial<Pick<typeof interventionPlans.$inferInsert, 'goals' | 'measures' | 'reviewDate'>>

export function updatePlan(ex: Executor, schoolId: string, id: string, v: PlanWrite) {
  return ex.update(interventionPlans).set({ ...v, updatedAt: new Date() })
    .where(and(eq(interventionPlans.schoolId, schoolId), eq(interventionPlans.id, id)))
}

export function planIdOfCase(ex: Executor, schoolId: string, caseId: string) {
  return ex.select({ id: interventionPlans.id }).from(interventionPlans)
    .where(and(eq(interventionPlans.schoolId, schoolId), eq(interventionPlans.caseId, caseId))).then((r) => r[0]?.id)
}

export function insertSession(ex: Executor, v: typeof counsellingSessions.$inferInsert) {
  return ex.insert(counsellingSessions).values(v).returning({ id: counsellingSessions.id }).then((r) => r[0]!.id)
}

export type SessionWrite = Partial<Pick<typeof counsellingSessions.$inferInsert, 'kind' | 'sessionDate' | 'durationMin' | 'notes' | 'reassessedRisk' | 'reassessmentScore'>>

export function updateSession(ex: Executor, schoolId: string, id: string, v: SessionWrite) {
  return ex.update(counsellingSessions).set(v).where(and(eq(counsellingSessions.schoolId, schoolId), eq(counsellingSessions.id, id)))
}

// ── crisis events ─────────────────────────────────────────────────────────────────────

export interface NewCrisis {
  schoolId: string
  studentId: string
  source: 'safety_rule' | 'manual' | 'alert' | 'letter'
  sourceRef?: string | null
  caseId?: string | null
  summary?: string | null
  openedBy: string | null
  /** Minutes until it must be acknowledged (CRISIS_ACK_MINUTES). */
  ackMinutes: number
}

/** Opens a crisis event; the acknowledgement deadline is counted on the database clock. */
export function insertCrisis(ex: Executor, v: NewCrisis) {
  return ex.insert(crisisEvents).values({
    schoolId: v.schoolId,
    studentId: v.studentId,
    source: v.source,
    sourceRef: v.sourceRef ?? null,
    caseId: v.caseId ?? null,
    summary: v.summary ?? null,
    status: 'open',
    openedBy: v.openedBy,
    ackDeadline: sql`now() + make_interval(mins => ${v.ackMinutes}::int)`,
  }).returning({ id: crisisEvents.id }).then((r) => r[0]!.id)
}

export type CrisisWrite = Partial<Pick<typeof crisisEvents.$inferInsert, 'caseId' | 'summary' | 'status' | 'acknowledgedAt' | 'acknowledgedBy' | 'resolvedAt'>>

export function updateCrisis(ex: Executor, schoolId: string, id: string, v: CrisisWrite) {
  return ex.update(crisisEvents).set(v).where(and(eq(crisisEvents.schoolId, schoolId), eq(crisisEvents.id, id)))
}

/** The raw status; with `lock`, held until the transaction ends (as caseState). */
export function crisisState(ex: Executor, schoolId: string, id: string, lock?: RowLock) {
  const q = ex.select({ status: crisisEvents.status, studentId: crisisEvents.studentId }).from(crisisEvents)
    .where(and(eq(crisisEvents.schoolId, schoolId), eq(crisisEvents.id, id)))
  return (lock ? q.for(strength(lock)) : q).then((r) => r[0])
}

export function insertChecklistItem(ex: Executor, v: typeof crisisChecklist.$inferInsert) {
  return ex.insert(crisisChecklist).values(v).returning({ id: crisisChecklist.id }).then((r) => r[0]!.id)
}
