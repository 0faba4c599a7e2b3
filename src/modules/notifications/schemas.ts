import { z } from 'zod'
import { ErrorSchema, Pagination } from '../../lib/schemas.js'

export const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema }
export const security = [{ bearer: [] }]
export const tags = ['notifications']

export const NotificationItem = z.object({
  id: z.string().optional(),
  schoolId: z.string().optional(),
  userId: z.string().optional(),
  kind: z.string().optional(),
  refId: z.string().nullable().optional(),
  params: z.record(z.string(), z.unknown()).nullable().optional(),
  createdAt: z.date().optional(),
  readAt: z.date().nullable().optional(),
})

export const NotificationListQuery = Pagination.extend({
  unread: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
})

/** Marking read takes nothing from the caller: the time is the server's. */
export const MarkReadBody = z.strictObject({}).optional()
