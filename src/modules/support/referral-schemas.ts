import { z } from 'zod'
import { Pagination } from '../../lib/schemas.js'
import { RiskLevels } from '../screening/risk-levels.js'
import { ReferralStates } from './referral-rules.js'
import { CalendarDate, QueryBool, Text, Timestamp } from './route-parts.js'

/** 及时转介 shapes. Medical details (reason, feedback, re-assessment) answer to psychology teachers only. */
export const ReferralItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  studentId: z.string(),
  caseId: z.string().nullable(),
  institutionId: z.string(),
  reason: z.string(),
  state: z.string(),
  stateLabel: z.string(),
  consentContactId: z.string().nullable(),
  proposedAt: Timestamp,
  sentAt: Timestamp.nullable(),
  receivedOn: z.string().nullable(),
  feedback: z.string().nullable(),
  feedbackAt: Timestamp.nullable(),
  followUpDate: z.string(),
  /** 紧急转介: an emergency evaluation the same day. */
  urgent: z.boolean(),
  reassessedAt: Timestamp.nullable(),
  reassessmentResult: z.string().nullable(),
  reassessedRisk: z.string().nullable(),
  closedAt: Timestamp.nullable(),
  createdBy: z.string().nullable(),
  updatedAt: Timestamp,
  /** No receipt or feedback by the follow-up date (derived). */
  overdue: z.boolean(),
}).partial()

export const ReferralCreate = z.strictObject({
  institutionId: z.uuid(),
  /** What the receiving institution needs to know, no more. */
  reason: Text(1000),
  followUpDate: CalendarDate,
  caseId: z.uuid().optional(),
  /** 紧急转介: an emergency evaluation is needed the same day. */
  urgent: z.boolean().optional(),
})

export const ReferralPatch = z.strictObject({
  institutionId: z.uuid().optional(),
  reason: Text(1000).optional(),
  followUpDate: CalendarDate.optional(),
  caseId: z.uuid().nullable().optional(),
}).refine((o) => Object.values(o).some((v) => v !== undefined), { message: 'at least one field' })

/** One step of the state machine; each names only what that step records. */
export const ReferralTransition = z.discriminatedUnion('to', [
  z.strictObject({ to: z.literal('consented'), consentContactId: z.uuid() }),
  z.strictObject({ to: z.literal('sent') }),
  z.strictObject({ to: z.literal('received'), receivedOn: CalendarDate, followUpDate: CalendarDate.optional() }),
  /** Kept minimal: whether treatment goes on and what the school should do, not a diagnosis. */
  z.strictObject({ to: z.literal('feedback'), feedback: Text(500), followUpDate: CalendarDate.optional() }),
  z.strictObject({ to: z.literal('reassessed'), reassessmentResult: Text(1000), reassessedRisk: z.enum(RiskLevels) }),
  z.strictObject({ to: z.literal('closed') }),
  z.strictObject({ to: z.literal('withdrawn'), note: Text(200).optional() }),
])

export const ReferralListQuery = Pagination.extend({
  studentId: z.uuid().optional(),
  caseId: z.uuid().optional(),
  state: z.enum(ReferralStates).optional(),
  overdue: QueryBool.optional(),
})

export const ReferralEventItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  referralId: z.string(),
  studentId: z.string(),
  fromState: z.string().nullable(),
  toState: z.string(),
  actorId: z.string().nullable(),
  note: z.string().nullable(),
  at: Timestamp,
}).partial()
