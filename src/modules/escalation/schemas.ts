import { z } from 'zod'
import { ErrorSchema, Pagination } from '../../lib/schemas.js'
import { ChainDefinition, EscalationKinds, RecipientRoles } from './chain.js'

export const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema }
export const security = [{ bearer: [] }]
export const NoContent = z.null()

export const KindParams = z.strictObject({ kind: z.enum(EscalationKinds) })

export const ChainPut = ChainDefinition

const StepOut = z.object({
  afterMinutes: z.number(),
  recipients: z.object({ roles: z.array(z.enum(RecipientRoles)), userIds: z.array(z.string()), onCall: z.boolean() }),
})

export const ChainItem = z.object({
  kind: z.enum(EscalationKinds),
  steps: z.array(StepOut),
  repeatMinutes: z.number(),
  /** True when the school has not written its own chain and the built-in one applies. */
  isDefault: z.boolean(),
  updatedBy: z.string().nullable(),
  updatedAt: z.date().nullable(),
}).partial()

export const ChainList = z.object({ items: z.array(ChainItem) })

/** An instant with its offset (2026-03-06T17:30:00+08:00). */
const Instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s))

export const ShiftCreate = z.strictObject({ userId: z.uuid(), startsAt: Instant, endsAt: Instant })
  .refine((b) => b.endsAt > b.startsAt, { message: 'the end comes after the start', path: ['endsAt'] })
export const ShiftPatch = z.strictObject({ userId: z.uuid(), startsAt: Instant, endsAt: Instant }).partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change', path: ['userId'] })

export const ShiftItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  userId: z.string(),
  startsAt: z.date(),
  endsAt: z.date(),
  createdBy: z.string().nullable(),
  createdAt: z.date(),
}).partial()

/** Shifts overlapping [from, to); without them, those not yet over. */
export const ShiftListQuery = Pagination.extend({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
})

export const OnCallNow = z.object({
  at: z.date(),
  inSchoolHours: z.boolean(),
  /** school_hours: the psychology teachers; roster: the shifts below; nobody_on_call: the psychology teachers, as a fallback. */
  mode: z.enum(['school_hours', 'roster', 'nobody_on_call']),
  userIds: z.array(z.string()),
  shifts: z.array(ShiftItem),
})

const Clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM')

export const HoursPut = z.strictObject({
  dayStart: Clock,
  dayEnd: Clock,
  weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7)
    .refine((w) => new Set(w).size === w.length, { message: 'each weekday once' }),
}).refine((b) => b.dayEnd > b.dayStart, { message: 'the day ends after it starts', path: ['dayEnd'] })

export const HoursItem = z.object({
  schoolId: z.string(),
  dayStart: z.string(),
  dayEnd: z.string(),
  weekdays: z.array(z.number()),
  isDefault: z.boolean(),
  updatedBy: z.string().nullable(),
  updatedAt: z.date().nullable(),
}).partial()
