import { z } from 'zod'
import { Pagination } from '../../lib/schemas.js'
import { CalendarDate, QueryBool, Text, Timestamp } from './route-parts.js'

/**
 * 师生结对 shapes. Response items make every field optional: the policy's projection removes
 * what a role may not read (a homeroom teacher gets no purpose or guidance). Enumerated
 * columns answer as plain strings so a stored value never breaks an answer.
 */
export const PairingFrequencies = ['weekly', 'biweekly', 'monthly'] as const
export const MentorContactKinds = ['talk', 'activity', 'home_visit', 'online'] as const

export const PairingItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  studentId: z.string(),
  mentorId: z.string(),
  purpose: z.string(),
  frequency: z.string(),
  guidance: z.string().nullable(),
  startDate: z.string(),
  plannedEndDate: z.string().nullable(),
  endedAt: Timestamp.nullable(),
  endedReason: z.string().nullable(),
  /** Set when the pairing is one member's place in a 多帮一 support team. */
  teamId: z.string().nullable(),
  teamRole: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: Timestamp,
  /** Derived from the dates the caller reads: whether the pairing grants access today. */
  active: z.boolean(),
}).partial()

export const PairingCreate = z.strictObject({
  mentorId: z.uuid(),
  purpose: Text(200),
  frequency: z.enum(PairingFrequencies).optional(),
  /** Addressed to the mentor, in everyday words: no diagnosis, no scores. */
  guidance: Text(2000).optional(),
  startDate: CalendarDate.optional(),
  plannedEndDate: CalendarDate.optional(),
})

export const PairingPatch = z.strictObject({
  purpose: Text(200).optional(),
  frequency: z.enum(PairingFrequencies).optional(),
  guidance: Text(2000).nullable().optional(),
  startDate: CalendarDate.optional(),
  plannedEndDate: CalendarDate.nullable().optional(),
}).refine((o) => Object.values(o).some((v) => v !== undefined), { message: 'at least one field' })

export const PairingEnd = z.strictObject({
  endedReason: Text(200).optional(),
})

export const PairingListQuery = Pagination.extend({
  studentId: z.uuid().optional(),
  mentorId: z.uuid().optional(),
  active: QueryBool.optional(),
})

export const MentorContactItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  pairingId: z.string(),
  studentId: z.string(),
  mentorId: z.string(),
  contactDate: z.string(),
  kind: z.string(),
  summary: z.string().nullable(),
  createdAt: Timestamp,
}).partial()

export const MentorContactCreate = z.strictObject({
  contactDate: CalendarDate.optional(),
  kind: z.enum(MentorContactKinds),
  summary: Text(1000).optional(),
})

export const MentorContactListQuery = Pagination.extend({
  pairingId: z.uuid().optional(),
  studentId: z.uuid().optional(),
})
