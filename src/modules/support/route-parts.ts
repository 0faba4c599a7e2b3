import { z } from 'zod'
import { ErrorSchema } from '../../lib/schemas.js'

/** Error answers every support route may give; each route declares them. */
export const errors = {
  400: ErrorSchema,
  401: ErrorSchema,
  403: ErrorSchema,
  404: ErrorSchema,
  409: ErrorSchema,
}

export const security = [{ bearer: [] }]

/** A free-text field: trimmed, not empty, bounded. */
export const Text = (max: number) => z.string().trim().min(1).max(max)

/** The shared date schema: a real date from 1900 to 2200. */
import { CalendarDate } from '../../lib/schemas.js'
export { CalendarDate }

/** Query flags arrive as strings. */
export const QueryBool = z.enum(['true', 'false']).transform((v) => v === 'true')

export const Timestamp = z.date()
