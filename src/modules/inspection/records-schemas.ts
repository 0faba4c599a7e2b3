import { z } from 'zod'
import { CalendarDate, ErrorSchema, Pagination } from '../../lib/schemas.js'

/**
 * Request and response shapes of the 督导资料 records (组织保障, 队伍建设, 危机干预). Response
 * items make every field optional: the policy projection removes what a role may not read.
 */

export const GroupRoles = ['leader', 'deputy', 'member'] as const
export const Reaches = ['school', 'grade', 'class'] as const

export const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema }
export const security = [{ bearer: [] }]
export const tags = ['inspection-records']
export const NoContent = z.null()

const Text = (max: number) => z.string().trim().min(1).max(max)
const OptText = (max: number) => z.string().trim().max(max).nullable().optional()
const nonEmpty = (o: object) => Object.values(o).some((v) => v !== undefined)
const NON_EMPTY = { message: 'at least one field' }

/** A school year such as 2026-2027: two consecutive years. */
export const SchoolYear = z.string().regex(/^\d{4}-\d{4}$/, 'YYYY-YYYY')
  .refine((s) => Number(s.slice(5)) === Number(s.slice(0, 4)) + 1, 'two consecutive years')
export const SchoolYearParams = z.strictObject({ schoolYear: SchoolYear })

export const DateRangeQuery = Pagination.extend({
  from: CalendarDate.optional(),
  to: CalendarDate.optional(),
})

// ── documents ─────────────────────────────────────────────────────────────────────────

/** The largest file kept (the table's own check says the same). */
export const MAX_DOCUMENT_BYTES = 10 * 1_048_576
/** Base64 of the largest file plus room for the JSON around it. */
export const DOCUMENT_BODY_LIMIT = Math.ceil(MAX_DOCUMENT_BYTES / 3) * 4 + 64 * 1024

export const DocumentUpload = z.strictObject({
  fileName: Text(200),
  /** The file's bytes, base64-encoded. */
  content: z.string().min(1),
})

export const DocumentItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  fileName: z.string(),
  mediaType: z.string(),
  sizeBytes: z.number(),
  uploadedBy: z.string().nullable(),
  createdAt: z.date().or(z.string()),
}).partial()

// ── 领导小组 ──────────────────────────────────────────────────────────────────────────

export const MemberCreate = z.strictObject({
  userId: z.uuid().optional(),
  name: Text(50).optional(),
  post: Text(50),
  groupRole: z.enum(GroupRoles),
  since: CalendarDate,
  until: CalendarDate.nullable().optional(),
}).refine((b) => b.userId !== undefined || b.name !== undefined, { message: 'userId or name', path: ['name'] })

export const MemberPatch = z.strictObject({
  userId: z.uuid().nullable().optional(),
  name: Text(50).nullable().optional(),
  post: Text(50).optional(),
  groupRole: z.enum(GroupRoles).optional(),
  since: CalendarDate.optional(),
  until: CalendarDate.nullable().optional(),
}).refine(nonEmpty, NON_EMPTY)

export const MemberItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  userId: z.string().nullable(),
  name: z.string().nullable(),
  post: z.string(),
  groupRole: z.string(),
  since: z.string(),
  until: z.string().nullable(),
  createdAt: z.date().or(z.string()),
}).partial()

export const MeetingCreate = z.strictObject({
  meetingDate: CalendarDate,
  topic: Text(200),
  attendees: z.number().int().min(1).max(500).nullable().optional(),
  minutesDocumentId: z.uuid().nullable().optional(),
})

export const MeetingPatch = z.strictObject({
  meetingDate: CalendarDate.optional(),
  topic: Text(200).optional(),
  attendees: z.number().int().min(1).max(500).nullable().optional(),
  minutesDocumentId: z.uuid().nullable().optional(),
}).refine(nonEmpty, NON_EMPTY)

export const MeetingItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  meetingDate: z.string(),
  topic: z.string(),
  attendees: z.number().nullable(),
  minutesDocumentId: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.date().or(z.string()),
}).partial()

// ── 工作方案与经费 ────────────────────────────────────────────────────────────────────

export const YearlyPlanPut = z.strictObject({
  title: OptText(200),
  adoptedOn: CalendarDate.nullable().optional(),
  planDocumentId: z.uuid().nullable().optional(),
  /** 专项经费, yuan with at most two decimals. */
  budgetYuan: z.number().min(0).max(9_999_999_999.99).refine((n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6, 'at most two decimals').nullable().optional(),
})

export const YearlyPlanItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  schoolYear: z.string(),
  title: z.string().nullable(),
  adoptedOn: z.string().nullable(),
  planDocumentId: z.string().nullable(),
  budgetYuan: z.number().nullable(),
  updatedBy: z.string().nullable(),
  updatedAt: z.date().or(z.string()),
}).partial()

// ── 教师培训 ──────────────────────────────────────────────────────────────────────────

const Hours = z.number().positive().max(1000).refine((n) => Math.abs(Math.round(n * 10) - n * 10) < 1e-6, 'at most one decimal')

export const TrainingCreate = z.strictObject({
  /** The member of staff; without userId or name, the caller's own training. */
  userId: z.uuid().optional(),
  name: Text(50).optional(),
  course: Text(200),
  provider: OptText(200),
  hours: Hours,
  completedOn: CalendarDate,
  certificate: OptText(100),
})

export const TrainingPatch = z.strictObject({
  userId: z.uuid().nullable().optional(),
  name: Text(50).nullable().optional(),
  course: Text(200).optional(),
  provider: OptText(200),
  hours: Hours.optional(),
  completedOn: CalendarDate.optional(),
  certificate: OptText(100),
}).refine(nonEmpty, NON_EMPTY)

export const TrainingListQuery = DateRangeQuery.extend({ userId: z.uuid().optional() })

export const TrainingItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  userId: z.string().nullable(),
  name: z.string().nullable(),
  course: z.string(),
  provider: z.string().nullable(),
  hours: z.number(),
  completedOn: z.string(),
  certificate: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.date().or(z.string()),
}).partial()

export const TrainingImportResult = z.object({ created: z.number(), skipped: z.number() })

// ── 应急预案与演练 ────────────────────────────────────────────────────────────────────

export const PlanVersionCreate = z.strictObject({
  title: Text(200),
  adoptedOn: CalendarDate,
  changeNote: OptText(2000),
  documentId: z.uuid().nullable().optional(),
})

export const PlanVersionItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  version: z.number(),
  title: z.string(),
  adoptedOn: z.string(),
  changeNote: z.string().nullable(),
  documentId: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.date().or(z.string()),
}).partial()

export const CurrentPlan = z.object({ current: PlanVersionItem.nullable() })

export const DrillCreate = z.strictObject({
  drillDate: CalendarDate,
  reach: z.enum(Reaches).optional(),
  scenario: Text(200),
  participants: z.number().int().min(0).max(100_000).nullable().optional(),
  review: OptText(4000),
})

export const DrillPatch = z.strictObject({
  drillDate: CalendarDate.optional(),
  reach: z.enum(Reaches).optional(),
  scenario: Text(200).optional(),
  participants: z.number().int().min(0).max(100_000).nullable().optional(),
  review: OptText(4000),
}).refine(nonEmpty, NON_EMPTY)

export const DrillItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  drillDate: z.string(),
  reach: z.string(),
  scenario: z.string(),
  participants: z.number().nullable(),
  review: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.date().or(z.string()),
}).partial()

export type MemberCreateBody = z.infer<typeof MemberCreate>
export type MemberPatchBody = z.infer<typeof MemberPatch>
export type MeetingCreateBody = z.infer<typeof MeetingCreate>
export type MeetingPatchBody = z.infer<typeof MeetingPatch>
export type YearlyPlanBody = z.infer<typeof YearlyPlanPut>
export type TrainingCreateBody = z.infer<typeof TrainingCreate>
export type TrainingPatchBody = z.infer<typeof TrainingPatch>
export type PlanVersionBody = z.infer<typeof PlanVersionCreate>
export type DrillCreateBody = z.infer<typeof DrillCreate>
export type DrillPatchBody = z.infer<typeof DrillPatch>
