import { z } from 'zod'
import { CalendarDate, ErrorSchema } from '../../lib/schemas.js'
import { Dispositions } from './safety-form.js'

/** Request and response shapes of the safety assessment and of who was told. */

export const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema }

const Text = (max: number) => z.string().trim().min(1).max(max)

export const AssessmentCreate = z.strictObject({
  /** Item key → answer; checked against the form definition (422 naming the item). */
  answers: z.record(z.string().max(64), z.unknown()),
  disposition: z.enum(Dispositions),
  /** safety_plan: required, today or later. */
  followUpOn: CalendarDate.optional(),
  /** none: required (why no further action is needed); otherwise an optional note. */
  reason: Text(2000).optional(),
  caseId: z.uuid().optional(),
  /** emergency: required — where the pupil is referred for the same-day evaluation. */
  referral: z.strictObject({
    institutionId: z.uuid(),
    reason: Text(1000),
    /** The referral's follow-up date; today when left out (the evaluation is today). */
    followUpDate: CalendarDate.optional(),
  }).optional(),
})

export const AssessmentItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  crisisId: z.string(),
  studentId: z.string(),
  caseId: z.string().nullable(),
  referralId: z.string().nullable(),
  formCode: z.string(),
  formVersion: z.number(),
  answers: z.record(z.string(), z.unknown()),
  disposition: z.string(),
  followUpOn: z.string().nullable(),
  reason: z.string().nullable(),
  assessedBy: z.string().nullable(),
  assessedAt: z.date(),
}).partial()

export const DisclosureRoles = ['homeroom_teacher', 'guardian', 'school_leader', 'other'] as const
export const DisclosureChannels = ['in_person', 'phone', 'message', 'other'] as const

/**
 * Someone told (role, channel, when — now when left out) or a guardian deliberately not told
 * (notTold with its reason, nothing else).
 */
export const DisclosureCreate = z.strictObject({
  role: z.enum(DisclosureRoles),
  channel: z.enum(DisclosureChannels).optional(),
  toldAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
  note: Text(500).optional(),
  notTold: z.boolean().optional(),
  notToldReason: Text(500).optional(),
})

export const DisclosureItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  crisisId: z.string(),
  studentId: z.string(),
  role: z.string(),
  channel: z.string().nullable(),
  toldAt: z.date().nullable(),
  note: z.string().nullable(),
  notToldReason: z.string().nullable(),
  recordedBy: z.string().nullable(),
  recordedAt: z.date(),
}).partial()

export const DisclosureList = z.object({ items: z.array(DisclosureItem), total: z.number() })

const Words = z.object({ 'zh-CN': z.string(), en: z.string() })

export const SafetyFormOut = z.object({
  code: z.string(),
  version: z.number(),
  name: Words,
  instructions: Words,
  reviewFlag: Words,
  sections: z.array(z.object({
    key: z.string(),
    title: Words,
    help: Words.optional(),
    zhPendingReview: z.boolean(),
    items: z.array(z.object({
      key: z.string(),
      type: z.string(),
      label: Words,
      help: Words.optional(),
      options: z.array(z.object({ value: z.string(), label: Words })).optional(),
      required: z.boolean(),
      requiredWhen: z.object({ item: z.string(), equals: z.union([z.boolean(), z.string()]) }).optional(),
      maxLength: z.number().optional(),
      zhPendingReview: z.boolean(),
      /** The Chinese label is the school's own wording (本校措辞), not the form's. */
      zhSchoolWording: z.boolean().optional(),
    })),
  })),
  dispositions: z.array(z.object({ value: z.string(), label: Words, help: Words, zhPendingReview: z.boolean() })),
  licence: z.string(),
  source: z.string(),
})

/** Longest school wording of one item: a question read aloud, not a paragraph. */
export const WORDING_MAX = 300

export const WordingPut = z.strictObject({
  /** item key → the school's Chinese wording; an empty string goes back to the form's own. */
  texts: z.record(z.string(), z.string().trim().max(WORDING_MAX)),
})
