import { z } from 'zod'
import { Pagination } from '../../lib/schemas.js'
import { CalendarDate, Text, Timestamp } from './route-parts.js'

/** 家长学校 / 家访 / 家长会 with attendance, per class or for the whole school. */
export const ActivityKinds = ['parent_school', 'home_visit', 'parent_meeting'] as const

export const ActivityItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  /** null: a school-wide activity. */
  classId: z.string().nullable(),
  kind: z.string(),
  title: z.string(),
  activityDate: z.string(),
  attendance: z.number(),
  createdBy: z.string().nullable(),
  createdAt: Timestamp,
}).partial()

export const ActivityCreate = z.strictObject({
  classId: z.uuid().optional(),
  kind: z.enum(ActivityKinds),
  title: Text(100),
  activityDate: CalendarDate,
  /** Parents (or families, for 家访) who took part. */
  attendance: z.number().int().min(0).max(100_000),
})

export const ActivityPatch = z.strictObject({
  classId: z.uuid().nullable().optional(),
  kind: z.enum(ActivityKinds).optional(),
  title: Text(100).optional(),
  activityDate: CalendarDate.optional(),
  attendance: z.number().int().min(0).max(100_000).optional(),
}).refine((o) => Object.values(o).some((v) => v !== undefined), { message: 'at least one field' })

export const ActivityListQuery = Pagination.extend({
  classId: z.uuid().optional(),
  kind: z.enum(ActivityKinds).optional(),
  from: CalendarDate.optional(),
  to: CalendarDate.optional(),
})

export const ActivitySummaryQuery = z.object({
  from: CalendarDate.optional(),
  to: CalendarDate.optional(),
})

export const ActivitySummary = z.object({
  items: z.array(z.object({ kind: z.string(), classId: z.string().nullable(), activities: z.number(), attendance: z.number() })),
})
