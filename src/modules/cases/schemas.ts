import { z } from 'zod'
import { ErrorSchema, Pagination } from '../../lib/schemas.js'
import { CalendarDate } from '../roster/schemas.js'
import { RiskLevels } from '../screening/risk-levels.js'
import { CaseSources, CaseStates, CrisisStatuses, CrisisSteps } from './states.js'

/**
 * Request and response shapes of 积极干预. Response items make every field optional
 * (the policy projection decides); stored codes are plain strings in answers; requests are
 * strict and enumerated.
 */

export const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema }
export const security = [{ bearer: [] }]
export const tags = ['cases']

const Text = (max: number) => z.string().trim().min(1).max(max)
const nonEmpty = { check: (o: object) => Object.keys(o).length > 0, message: { message: 'at least one field' } }

// ── cases ─────────────────────────────────────────────────────────────────────────────

export const CaseItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  studentId: z.string(),
  source: z.string(),
  sourceRef: z.string().nullable(),
  riskLevel: z.string(),
  /** 高危 / 较高 / 关注 / 一般: the level never travels without its text. */
  riskLevelText: z.string(),
  state: z.string(),
  stateText: z.string(),
  closedAt: z.date().nullable(),
  summary: z.string().nullable(),
  openedBy: z.string().nullable(),
  openedAt: z.date(),
  updatedAt: z.date(),
}).partial()

export const CaseCreate = z.strictObject({
  source: z.enum(CaseSources),
  /** The screening response, alert, talk or referral the case comes from. */
  sourceRef: z.uuid().optional(),
  riskLevel: z.enum(RiskLevels),
  summary: Text(4000).optional(),
})

/** Risk changes need a reason; it is kept in the case's events. */
export const CasePatch = z.strictObject({
  summary: Text(4000).nullable().optional(),
  riskLevel: z.enum(RiskLevels).optional(),
  reason: Text(2000).optional(),
}).refine(nonEmpty.check, nonEmpty.message)

export const CaseTransition = z.strictObject({
  to: z.enum(CaseStates),
  reason: Text(2000),
})

export const CaseListQuery = Pagination.extend({
  state: z.enum(CaseStates).optional(),
  riskLevel: z.enum(RiskLevels).optional(),
  studentId: z.uuid().optional(),
  /** Only cases the caller opened. */
  mine: z.enum(['true', 'false']).optional(),
})

export const CaseEventItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  caseId: z.string(),
  studentId: z.string(),
  fromState: z.string().nullable(),
  toState: z.string(),
  riskFrom: z.string().nullable(),
  riskFromText: z.string(),
  riskTo: z.string().nullable(),
  riskToText: z.string(),
  reason: z.string().nullable(),
  actorId: z.string().nullable(),
  at: z.date(),
}).partial()

// ── plans & sessions ──────────────────────────────────────────────────────────────────

export const PlanItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  caseId: z.string(),
  studentId: z.string(),
  goals: z.string(),
  measures: z.string(),
  reviewDate: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
}).partial()

export const PlanCreate = z.strictObject({
  goals: Text(4000),
  measures: Text(4000),
  reviewDate: CalendarDate,
})

export const PlanPatch = PlanCreate.partial().refine(nonEmpty.check, nonEmpty.message)

export const SessionKinds = ['individual', 'group'] as const

export const SessionItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  caseId: z.string(),
  studentId: z.string(),
  kind: z.string(),
  sessionDate: z.string(),
  durationMin: z.number(),
  notes: z.string().nullable(),
  reassessedRisk: z.string().nullable(),
  reassessedRiskText: z.string(),
  reassessmentScore: z.number().nullable(),
  counsellorId: z.string().nullable(),
  createdAt: z.date(),
}).partial()

export const SessionCreate = z.strictObject({
  kind: z.enum(SessionKinds),
  sessionDate: CalendarDate,
  durationMin: z.number().int().min(5).max(480),
  notes: Text(20000).optional(),
  reassessedRisk: z.enum(RiskLevels).optional(),
  reassessmentScore: z.number().int().min(0).max(1000).optional(),
})

export const SessionPatch = z.strictObject({
  kind: z.enum(SessionKinds),
  sessionDate: CalendarDate,
  durationMin: z.number().int().min(5).max(480),
  notes: Text(20000).nullable(),
  reassessedRisk: z.enum(RiskLevels).nullable(),
  reassessmentScore: z.number().int().min(0).max(1000).nullable(),
}).partial().refine(nonEmpty.check, nonEmpty.message)

// ── crisis events ─────────────────────────────────────────────────────────────────────

export const ChecklistEntry = z.object({
  item: z.string(),
  label: z.string(),
  done: z.boolean(),
  id: z.string().optional(),
  doneBy: z.string().nullable().optional(),
  doneAt: z.date().optional(),
})

export const CrisisItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  studentId: z.string(),
  caseId: z.string().nullable(),
  source: z.string(),
  sourceRef: z.string().nullable(),
  summary: z.string().nullable(),
  status: z.string(),
  openedBy: z.string().nullable(),
  openedAt: z.date(),
  ackDeadline: z.date(),
  /** True while unacknowledged past its deadline (the escalation job takes it from there). */
  overdue: z.boolean(),
  acknowledgedAt: z.date().nullable(),
  acknowledgedBy: z.string().nullable(),
  escalatedAt: z.date().nullable(),
  escalationLevel: z.number(),
  /** When the escalation chain's next step is due (null before the first: the deadline plus step 1's interval). */
  nextEscalationAt: z.date().nullable(),
  resolvedAt: z.date().nullable(),
  checklist: z.array(ChecklistEntry),
  /** Set by the safety assessment: the safety plan's follow-up date; an emergency's same-day parent-contact date. */
  followUpOn: z.string().nullable(),
  parentContactDueOn: z.string().nullable(),
  /** The safety steps the resolution needs beyond the checklist, and which are still missing. */
  safety: z.object({
    assessed: z.boolean(),
    disposition: z.string().nullable(),
    homeroomTold: z.boolean(),
    guardian: z.enum(['told', 'not_told']).nullable(),
    parentContactDueOn: z.string().nullable(),
    parentContactLogged: z.boolean().nullable(),
    missing: z.array(z.string()),
  }),
}).partial()

export const CrisisCreate = z.strictObject({
  summary: Text(4000).optional(),
  caseId: z.uuid().optional(),
})

export const CrisisPatch = z.strictObject({
  summary: Text(4000).nullable(),
  caseId: z.uuid().nullable(),
}).partial().refine(nonEmpty.check, nonEmpty.message)

export const CrisisListQuery = Pagination.extend({
  status: z.enum(CrisisStatuses).optional(),
  studentId: z.uuid().optional(),
})

export const ChecklistTick = z.strictObject({ item: z.enum(CrisisSteps) })

export const ChecklistItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  crisisId: z.string(),
  studentId: z.string(),
  item: z.string(),
  doneBy: z.string().nullable(),
  doneAt: z.date(),
}).partial()

export const EmptyBody = z.strictObject({}).optional()

// ── worklist ──────────────────────────────────────────────────────────────────────────

export const Worklist = z.object({
  today: z.string(),
  myOpenCases: z.object({
    byRisk: z.object({ red: z.number(), orange: z.number(), yellow: z.number(), green: z.number() }),
    items: z.array(CaseItem),
  }).optional(),
  reviewsDue: z.object({ until: z.string(), items: z.array(PlanItem) }).optional(),
  unacknowledgedCrises: z.object({ items: z.array(CrisisItem) }).optional(),
})
