import { z } from 'zod'
import { ErrorSchema, Pagination } from '../../lib/schemas.js'
import { CalendarDate } from '../roster/schemas.js'
import { DutyKinds, DutyStatuses, LogKinds, Targets } from './rules.js'

/**
 * Request and response shapes of 三个必谈. Response items make every field optional
 * that some role cannot read (the policy engine's projection drops it); values the app
 * branches on are plain strings in answers so an unexpected stored value never breaks one.
 */

export const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema }
export const security = [{ bearer: [] }]
export const tags = ['talks']

export const RuleItem = z.object({
  id: z.string().optional(),
  schoolId: z.string().optional(),
  kind: z.string(),
  target: z.string().optional(),
  withinSchoolDays: z.number().nullable().optional(),
  active: z.boolean().optional(),
  /** True when the school has not set this rule and the default applies. */
  isDefault: z.boolean(),
})
export const RuleList = z.object({ items: z.array(RuleItem), total: z.number() })

export const RuleInput = z.strictObject({
  kind: z.enum(DutyKinds),
  target: z.enum(Targets),
  withinSchoolDays: z.number().int().min(1).max(30).nullable().optional(),
  active: z.boolean().optional(),
})
export const RulesPut = z.strictObject({ rules: z.array(RuleInput).min(1).max(DutyKinds.length) })

export const DutyItem = z.object({
  id: z.string().optional(),
  schoolId: z.string().optional(),
  studentId: z.string().optional(),
  classId: z.string().optional(),
  kind: z.string().optional(),
  windowKey: z.string().optional(),
  windowStart: z.string().optional(),
  dueDate: z.string().optional(),
  status: z.string().optional(),
  talkLogId: z.string().nullable().optional(),
  fulfilledOn: z.string().nullable().optional(),
  createdAt: z.date().optional(),
})

/** Comma-separated statuses, e.g. `open,overdue` for what is due and what is late. */
const StatusList = z.string().transform((s, c) => {
  const parts = s.split(',').map((p) => p.trim()).filter(Boolean)
  const bad = parts.filter((p) => !(DutyStatuses as readonly string[]).includes(p))
  if (bad.length || parts.length === 0) {
    c.addIssue({ code: 'custom', message: `status: ${DutyStatuses.join(', ')}` })
    return z.NEVER
  }
  return parts as Array<(typeof DutyStatuses)[number]>
})

export const DutyListQuery = Pagination.extend({
  status: StatusList.optional(),
  kind: z.enum(DutyKinds).optional(),
  classId: z.uuid().optional(),
  studentId: z.uuid().optional(),
  windowKey: z.string().max(40).optional(),
})

export const LogCreate = z.strictObject({
  studentId: z.uuid(),
  talkDate: CalendarDate,
  kind: z.enum(LogKinds),
  place: z.string().trim().min(1).max(100).optional(),
  summary: z.string().trim().min(1).max(4000).optional(),
  followUpNeeded: z.boolean().optional(),
  concerned: z.boolean().optional(),
})

export const LogItem = z.object({
  id: z.string().optional(),
  schoolId: z.string().optional(),
  classId: z.string().optional(),
  teacherId: z.string().optional(),
  createdAt: z.date().optional(),
  studentId: z.string().optional(),
  talkDate: z.string().optional(),
  kind: z.string().optional(),
  place: z.string().nullable().optional(),
  followUpNeeded: z.boolean().optional(),
  concerned: z.boolean().optional(),
  summary: z.string().nullable().optional(),
})

/** The answer to a new log: the log, and the duty it fulfilled (if any and if the caller may read it). */
export const LogCreated = LogItem.extend({ fulfilled: DutyItem.nullable() })

export const LogListQuery = Pagination.extend({
  studentId: z.uuid().optional(),
  kind: z.enum(LogKinds).optional(),
  from: CalendarDate.optional(),
  to: CalendarDate.optional(),
  concerned: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
})

export const ComplianceQuery = z.object({
  kind: z.enum(DutyKinds).optional(),
  /** Windows due on or after this day (default: all). */
  from: CalendarDate.optional(),
  to: CalendarDate.optional(),
})

export const ComplianceRow = z.object({
  classId: z.string(),
  kind: z.string(),
  windowKey: z.string(),
  windowStart: z.string(),
  dueDate: z.string(),
  total: z.number(),
  done: z.number(),
  doneLate: z.number(),
  overdue: z.number(),
  open: z.number(),
  /** Done on time ÷ duties already decided (done, done late, overdue), in percent; null while none is decided. */
  onTimePct: z.number().nullable(),
})
export const ComplianceList = z.object({ items: z.array(ComplianceRow) })
