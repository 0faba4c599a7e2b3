import { z } from 'zod'

export const ErrorSchema = z.object({
  statusCode: z.number(),
  code: z.string(),
  message: z.string(),
  requestId: z.string(),
  details: z.unknown().optional(),
})

export const Uuid = z.uuid()
export const IdParams = z.strictObject({ id: z.uuid() })
/**
 * Dates a school record can carry: 1900 to 2200. Year 0 and 9999 would pass a pattern and a
 * calendar check and then fail in PostgreSQL (no year 0) or in date arithmetic later.
 */
export const MIN_YEAR = 1900
export const MAX_YEAR = 2200

/** A real calendar date in the sane range (the pattern alone lets 2013-02-30 through). */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (y < MIN_YEAR || y > MAX_YEAR) return false
  const dt = new Date(Date.UTC(y, mo - 1, d))
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d
}

/** The one date schema of the API: every module's date fields use it. */
export const CalendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')
  .refine(isCalendarDate, `a calendar date from ${MIN_YEAR} to ${MAX_YEAR}`)
export const IsoDate = CalendarDate

export const Pagination = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
})

export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number(), limit: z.number(), offset: z.number() })
}
