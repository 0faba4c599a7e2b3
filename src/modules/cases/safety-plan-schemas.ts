import { z } from 'zod'
import { CalendarDate } from '../../lib/schemas.js'

/**
 * 安全计划 shapes (Stanley–Brown Safety Planning Intervention). Each step is a list of short
 * entries the student can read at a glance on a printed card; answers make every field
 * optional because the policy projection decides what a reader gets.
 */

export const ReviewContexts = ['follow_up', 'return_to_school', 'other'] as const
export type ReviewContext = (typeof ReviewContexts)[number]

/** 随访 / 复学 / 其他: the moment a review took place, in words. */
export const REVIEW_CONTEXT_TEXT: Record<ReviewContext, { 'zh-CN': string; en: string }> = {
  follow_up: { 'zh-CN': '随访', en: 'Follow-up' },
  return_to_school: { 'zh-CN': '复学', en: 'Return to school' },
  other: { 'zh-CN': '其他', en: 'Other' },
}

/** Short enough for a pocket card; twenty lines are more than any step needs. */
const ENTRY_MAX = 200
const ENTRIES_MAX = 20

const Entry = z.string().trim().min(1).max(ENTRY_MAX)
const Entries = z.array(Entry).max(ENTRIES_MAX)
/** A name and a number as the psychology teacher wrote them (free text: an extension, 周一至周五 …). */
const Contact = z.strictObject({
  name: z.string().trim().min(1).max(100),
  phone: z.string().trim().max(40).optional(),
})
const Contacts = z.array(Contact).max(ENTRIES_MAX)

/** The plan's content: the six steps and the reasons for living. A save replaces it whole. */
export const SafetyPlanContent = z.strictObject({
  warningSigns: Entries,
  copingStrategies: Entries,
  socialDistractions: Entries,
  helpContacts: Contacts,
  professionals: Contacts,
  environmentSafety: Entries,
  reasonsForLiving: Entries,
})
export type SafetyPlanContentInput = z.infer<typeof SafetyPlanContent>

/** A new plan: step 5 is filled from the school's directory when it is not sent. */
export const SafetyPlanCreate = SafetyPlanContent.extend({
  professionals: Contacts.optional(),
  crisisId: z.uuid().optional(),
})

export const SafetyPlanReviewCreate = z.strictObject({
  reviewedOn: CalendarDate,
  context: z.enum(ReviewContexts),
  note: z.string().trim().min(1).max(2000).optional(),
  /** When the plan was changed at the review: its new content, saved as the next version. */
  plan: SafetyPlanContent.optional(),
})

export const VersionParams = z.strictObject({ id: z.uuid(), version: z.coerce.number().int().min(1).max(100000) })

const ContactOut = z.object({ name: z.string(), phone: z.string().optional() })

/** The six steps and the reasons for living, as a version and the printed card carry them. */
const StepsOut = {
  warningSigns: z.array(z.string()),
  copingStrategies: z.array(z.string()),
  socialDistractions: z.array(z.string()),
  helpContacts: z.array(ContactOut),
  professionals: z.array(ContactOut),
  environmentSafety: z.array(z.string()),
  reasonsForLiving: z.array(z.string()),
}

export const SafetyPlanVersionItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  planId: z.string(),
  studentId: z.string(),
  version: z.number(),
  ...StepsOut,
  createdBy: z.string().nullable(),
  createdAt: z.date(),
}).partial()

export const SafetyPlanReviewItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  planId: z.string(),
  studentId: z.string(),
  reviewedOn: z.string(),
  context: z.string(),
  contextText: z.string(),
  note: z.string().nullable(),
  newVersion: z.number().nullable(),
  reviewerId: z.string().nullable(),
  createdAt: z.date(),
}).partial()

export const SafetyPlanItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  caseId: z.string(),
  studentId: z.string(),
  crisisId: z.string().nullable(),
  status: z.string(),
  currentVersion: z.number(),
  createdBy: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  endedAt: z.date().nullable(),
  /** The version in force, as far as the caller reads it. */
  current: SafetyPlanVersionItem,
}).partial()

/** The plan with its version in force, every version's number and author, and its latest review. */
export const SafetyPlanView = SafetyPlanItem.extend({
  versions: z.array(SafetyPlanVersionItem).optional(),
  /** Absent for a reader of no reviews; null when there has been none. */
  lastReview: SafetyPlanReviewItem.nullable().optional(),
})

export const SafetyPlanLastReview = z.object({
  planId: z.string(),
  planStatus: z.string().optional(),
  lastReview: SafetyPlanReviewItem.nullable(),
})

export const SafetyPlanDefaults = z.object({ professionals: z.array(ContactOut) })

/** What the printed card carries: the student's name, the steps, and the numbers to call. */
export const SafetyPlanPrint = z.object({
  schoolName: z.string(),
  studentName: z.string(),
  version: z.number(),
  versionDate: z.string(),
  printedOn: z.string(),
  ...StepsOut,
  hotlines: z.array(z.object({ name: z.string(), phone: z.string() })),
})

export const SafetyPlanListQuery = z.object({
  studentId: z.uuid().optional(),
  status: z.enum(['active', 'ended']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
})
