import { z } from 'zod'
import { Pagination } from '../../lib/schemas.js'
import { AlertStatuses, Urgencies } from './alert-rules.js'
import { QueryBool, Text, Timestamp } from './route-parts.js'

/**
 * 同伴跟防 alert shapes. A monitor's answer holds id, student id, urgency, status (with its
 * label) and date; everything else is present only for psychology teachers.
 */
export const AlertItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  studentId: z.string(),
  classId: z.string(),
  submittedBy: z.string().nullable(),
  source: z.string(),
  whatSeen: z.string(),
  urgency: z.string(),
  status: z.string(),
  statusLabel: z.string(),
  ackDeadline: Timestamp,
  acknowledgedAt: Timestamp.nullable(),
  acknowledgedBy: z.string().nullable(),
  escalatedAt: Timestamp.nullable(),
  escalationLevel: z.number(),
  nextEscalationAt: Timestamp.nullable(),
  caseId: z.string().nullable(),
  handledNote: z.string().nullable(),
  createdAt: Timestamp,
  /** Not acknowledged by its deadline (derived; only for those who read the deadline). */
  overdue: z.boolean(),
}).partial()

/**
 * The classmate is named by id, by 学号 or by name: a monitor reads no roster, so a form can
 * let them type who it is; the server finds them in the monitor's own class only.
 */
export const AlertCreate = z.strictObject({
  studentId: z.uuid().optional(),
  studentNo: z.string().trim().min(1).max(32).optional(),
  studentName: z.string().trim().min(1).max(40).optional(),
  urgency: z.enum(Urgencies),
  /** What the monitor saw or heard, in their own words. */
  whatSeen: Text(1000),
}).refine((o) => [o.studentId, o.studentNo, o.studentName].filter((v) => v !== undefined).length === 1, {
  message: 'exactly one of studentId, studentNo, studentName',
})

export const AlertListQuery = Pagination.extend({
  status: z.enum(AlertStatuses).optional(),
  urgency: z.enum(Urgencies).optional(),
  studentId: z.uuid().optional(),
  overdue: QueryBool.optional(),
  /** created: newest first; deadline: the one due soonest first (psychology teachers' inbox). */
  sort: z.enum(['created', 'deadline']).default('created'),
})

export const AlertAcknowledge = z.strictObject({
  caseId: z.uuid().optional(),
})

export const AlertHandle = z.strictObject({
  handledNote: Text(1000).optional(),
  caseId: z.uuid().optional(),
})
