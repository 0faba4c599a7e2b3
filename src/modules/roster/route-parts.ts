import { z } from 'zod'
import { ErrorSchema } from '../../lib/schemas.js'

/** Error answers every roster route may give; each route declares them, so the API description lists them. */
export const errors = {
  400: ErrorSchema,
  401: ErrorSchema,
  403: ErrorSchema,
  404: ErrorSchema,
  409: ErrorSchema,
}

export const NoContent = z.null()
export const security = [{ bearer: [] }]
export const tags = ['roster']

/** A list answer without paging (a student's guardians, a user's roles). */
export function all<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number() })
}
