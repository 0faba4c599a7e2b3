import { z } from 'zod'
import { Pagination } from '../../lib/schemas.js'
import { CalendarDate, QueryBool, Text, Timestamp } from './route-parts.js'

/** 同伴跟防 peer watch: a psychology teacher's ask to a monitor, and the monitor's short notes. */
export const WatchRequestItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  studentId: z.string(),
  monitorId: z.string(),
  requestedBy: z.string().nullable(),
  ask: z.string(),
  startDate: z.string(),
  endDate: z.string().nullable(),
  endedAt: Timestamp.nullable(),
  createdAt: Timestamp,
}).partial()

export const WatchRequestCreate = z.strictObject({
  monitorId: z.uuid(),
  /** What to keep an eye on, in everyday words: no diagnosis, no risk level, no case detail. */
  ask: Text(300),
  startDate: CalendarDate.optional(),
  endDate: CalendarDate.optional(),
})

export const WatchRequestListQuery = Pagination.extend({
  studentId: z.uuid().optional(),
  monitorId: z.uuid().optional(),
  open: QueryBool.optional(),
})

export const WatchNoteItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  requestId: z.string(),
  studentId: z.string(),
  monitorId: z.string(),
  note: z.string(),
  createdAt: Timestamp,
}).partial()

export const WatchNoteCreate = z.strictObject({
  note: Text(500),
})
