import { z } from 'zod'
import { ErrorSchema } from '../../lib/schemas.js'

/** Error answers every support route may give; each route declares them (STYLE.md §5). */
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

/** A real calendar date (the regex alone lets 2013-02-30 through to the database). */
export const CalendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD').refine((s) => {
  const d = new Date(`${s}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s
}, 'not a calendar date')

/** Query flags arrive as strings. */
export const QueryBool = z.enum(['true', 'false']).transform((v) => v === 'true')

export const Timestamp = z.date()
