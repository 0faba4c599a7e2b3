import { z } from 'zod'
import { ErrorSchema, Pagination } from '../../lib/schemas.js'

/**
 * Request and response shapes of the practices module. Response items make every
 * field optional: the policy projection removes what a role may not read. Columns holding
 * codes are plain strings in answers (the database is the source of truth); requests take
 * only the listed values.
 */

export const Categories = ['study', 'peers', 'family', 'emotion', 'other'] as const
export type Category = (typeof Categories)[number]
export const FollowUps = ['none', 'revisit', 'case', 'referral'] as const
export const Periods = ['weekly', 'monthly'] as const
export type Period = (typeof Periods)[number]
export const Employments = ['full_time', 'part_time'] as const
export const RiskLevels = ['red', 'orange', 'yellow', 'green'] as const

export const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema }
export const security = [{ bearer: [] }]
export const NoContent = z.null()

const nonEmpty = (o: object) => Object.values(o).some((v) => v !== undefined)
const NON_EMPTY = { message: 'at least one field' }
const Text = (max: number) => z.string().trim().min(1).max(max)

/** The shared date schema: a real date from 1900 to 2200. */
import { CalendarDate } from '../../lib/schemas.js'
export { CalendarDate }

// ── 解忧树洞: anonymous side ──────────────────────────────────────────────────────────

export const SlugParams = z.strictObject({ slug: z.string().min(1).max(80) })

export const BoxInfo = z.object({
  schoolName: z.string(),
  open: z.boolean(),
  closedMessage: z.string().nullable(),
})

export const LetterWrite = z.strictObject({
  body: z.string().trim().min(1).max(2000),
  writerName: z.string().trim().max(50).optional(),
  writerClass: z.string().trim().max(50).optional(),
})

export const LetterWritten = z.object({ replyCode: z.string() })

export const ReplyLookup = z.strictObject({ replyCode: z.string().max(40) })

export const ReplyAnswer = z.object({
  status: z.enum(['waiting', 'replied']),
  reply: z.string().optional(),
  repliedOn: z.string().optional(),
})

// ── 解忧树洞: psychology teachers ─────────────────────────────────────────────────────

export const LetterItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  boxId: z.string(),
  writtenOn: z.string(),
  body: z.string(),
  writerName: z.string().nullable(),
  writerClass: z.string().nullable(),
  category: z.string().nullable(),
  urgent: z.boolean(),
  danger: z.boolean(),
  replyText: z.string().nullable(),
  repliedOn: z.string().nullable(),
  repliedBy: z.string().nullable(),
}).partial()

const flag = z.enum(['true', 'false']).transform((v) => v === 'true')
export const LetterListQuery = Pagination.extend({
  category: z.enum([...Categories, 'none']).optional(),
  urgent: flag.optional(),
  danger: flag.optional(),
  replied: flag.optional(),
})

export const LetterPatch = z.strictObject({
  category: z.enum(Categories).nullable().optional(),
  urgent: z.boolean().optional(),
}).refine(nonEmpty, NON_EMPTY)

export const LetterReply = z.strictObject({ replyText: Text(4000) })

export const LetterToAlert = z.strictObject({
  studentId: z.uuid(),
  /** What the teacher notes for the alert; the letter's own words are not copied. */
  whatSeen: Text(500).optional(),
})

export const LetterToCase = z.strictObject({
  studentId: z.uuid(),
  riskLevel: z.enum(RiskLevels),
  summary: Text(1000).optional(),
})

export const LetterDanger = z.strictObject({ studentId: z.uuid().optional() })

export const ConvertedAnswer = z.object({ letterId: z.string(), alertId: z.string().optional(), caseId: z.string().optional(), crisisId: z.string().nullable().optional() })

export const BoxItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  slug: z.string(),
  open: z.boolean(),
  closedMessage: z.string().nullable(),
  updatedAt: z.date(),
  /** Path of the public page: /letterbox/<slug>. */
  path: z.string(),
}).partial()

export const BoxPatch = z.strictObject({
  open: z.boolean().optional(),
  closedMessage: z.string().trim().max(200).nullable().optional(),
}).refine(nonEmpty, NON_EMPTY)

export const EmptyBody = z.strictObject({}).nullish()

/** No parameters: the poster's address is PUBLIC_BASE_URL, never one chosen by the request. */
export const QrQuery = z.strictObject({})

// ── 心理晴雨表 ────────────────────────────────────────────────────────────────────────

export const BarometerSettingsItem = z.object({ schoolId: z.string(), period: z.string(), updatedAt: z.date().nullable() }).partial()
export const BarometerSettingsPut = z.strictObject({ period: z.enum(Periods) })

export const BarometerWrite = z.strictObject({
  classId: z.uuid(),
  mood: z.number().int().min(1).max(5),
  events: z.string().trim().max(1000).optional(),
  /** Classmates who may need attention: each becomes a peer alert for the psychology teachers. */
  names: z.array(z.uuid()).max(10).refine((a) => new Set(a).size === a.length, 'duplicate student').optional(),
  /**
   * The same by 学号, for class psychology monitors (they read no student record, so they
   * cannot look up ids): matched in the caller's class only; together with `names` at most 10.
   */
  studentNos: z.array(z.string().trim().min(1).max(32)).max(10).refine((a) => new Set(a).size === a.length, 'duplicate student').optional(),
})

export const BarometerItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  classId: z.string(),
  periodKey: z.string(),
  submittedBy: z.string(),
  submitterRole: z.string(),
  mood: z.number(),
  events: z.string().nullable(),
  namedCount: z.number(),
  createdAt: z.date(),
}).partial()

export const BarometerListQuery = Pagination.extend({ classId: z.uuid().optional() })

export const TrendPoint = z.object({
  periodKey: z.string(),
  entries: z.number(),
  avgMood: z.number(),
  minMood: z.number(),
  named: z.number(),
})
export const Trend = z.object({ classId: z.string(), period: z.string(), points: z.array(TrendPoint) })
export const TrendQuery = z.strictObject({ last: z.coerce.number().int().min(1).max(104).default(12) })

// ── 心理辅导室 ────────────────────────────────────────────────────────────────────────

export const RoomSettingsItem = z.object({
  schoolId: z.string(),
  location: z.string().nullable(),
  openingHours: z.string().nullable(),
  updatedAt: z.date().nullable(),
}).partial()
export const RoomSettingsPut = z.strictObject({
  location: z.string().trim().max(100).nullable().optional(),
  openingHours: z.string().trim().max(500).nullable().optional(),
}).refine(nonEmpty, NON_EMPTY)

export const VisitItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  studentId: z.string().nullable(),
  visitDate: z.string(),
  durationMin: z.number(),
  topic: z.string(),
  followUp: z.string(),
  counsellorId: z.string().nullable(),
  createdAt: z.date(),
}).partial()

const visitFields = {
  /** null or absent: an anonymous walk-in. */
  studentId: z.uuid().nullable(),
  visitDate: CalendarDate,
  durationMin: z.number().int().min(1).max(480),
  topic: z.enum(Categories),
  followUp: z.enum(FollowUps),
}
export const VisitCreate = z.strictObject({
  ...visitFields,
  studentId: visitFields.studentId.optional(),
  followUp: visitFields.followUp.optional(),
})
export const VisitPatch = z.strictObject(visitFields).partial().refine(nonEmpty, NON_EMPTY)
export const VisitListQuery = Pagination.extend({
  from: CalendarDate.optional(),
  to: CalendarDate.optional(),
  studentId: z.uuid().optional(),
})

export const SessionItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  sessionDate: z.string(),
  kind: z.string(),
  topic: z.string(),
  attendance: z.number(),
  durationMin: z.number().nullable(),
  facilitatorId: z.string().nullable(),
  createdAt: z.date(),
}).partial()
/** Who a group is for (多帮一): any students, 特殊群体学生, or those students' parents. */
export const GroupKinds = ['general', 'special_students', 'special_parents'] as const
const sessionFields = {
  sessionDate: CalendarDate,
  kind: z.enum(GroupKinds),
  topic: Text(200),
  attendance: z.number().int().min(0).max(5000),
  durationMin: z.number().int().min(1).max(480).nullable(),
}
export const SessionCreate = z.strictObject({ ...sessionFields, kind: sessionFields.kind.optional(), durationMin: sessionFields.durationMin.optional() })
export const SessionPatch = z.strictObject(sessionFields).partial().refine(nonEmpty, NON_EMPTY)
export const SessionListQuery = Pagination.extend({ from: CalendarDate.optional(), to: CalendarDate.optional(), kind: z.enum(GroupKinds).optional() })

export const SummaryQuery = z.strictObject({ from: CalendarDate.optional(), to: CalendarDate.optional() })
const Counts = z.record(z.string(), z.number())
export const RoomSummary = z.object({
  from: z.string().nullable(),
  to: z.string().nullable(),
  visits: z.object({
    total: z.number(),
    minutes: z.number(),
    /** Only for readers of who came (psychology teachers). */
    walkIns: z.number().optional(),
    byMonth: Counts,
    byTopic: Counts,
    byFollowUp: Counts,
  }),
  groupSessions: z.object({ total: z.number(), attendance: z.number(), byKind: Counts }).optional(),
  room: RoomSettingsItem.optional(),
})

// ── 心理健康教师基本情况 ──────────────────────────────────────────────────────────────

export const StaffItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  userId: z.string().nullable(),
  name: z.string().nullable(),
  employment: z.string(),
  qualifications: z.array(z.string()),
  trainingHoursYear: z.number(),
  trainingYear: z.number(),
  createdAt: z.date(),
  updatedAt: z.date(),
}).partial()

const staffFields = {
  userId: z.uuid().nullable(),
  name: Text(50).nullable(),
  employment: z.enum(Employments),
  qualifications: z.array(Text(60)).max(20),
  trainingHoursYear: z.number().int().min(0).max(2000),
  trainingYear: z.number().int().min(2000).max(2100),
}
export const StaffCreate = z.strictObject({
  ...staffFields,
  userId: staffFields.userId.optional(),
  name: staffFields.name.optional(),
  qualifications: staffFields.qualifications.optional(),
  trainingHoursYear: staffFields.trainingHoursYear.optional(),
  trainingYear: staffFields.trainingYear.optional(),
}).refine((b) => !!b.userId || !!b.name, { message: 'userId or name', path: ['userId'] })
export const StaffPatch = z.strictObject(staffFields).partial().refine(nonEmpty, NON_EMPTY)
