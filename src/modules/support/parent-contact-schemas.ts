import { z } from 'zod'
import { Pagination } from '../../lib/schemas.js'
import { CalendarDate, Text, Timestamp } from './route-parts.js'

/** 家校协同 shapes. A homeroom teacher's answer holds when and how, never what was said. */
export const ContactChannels = ['phone', 'meeting', 'home_visit', 'online'] as const
/** Stored as the channel of a record that parents were deliberately not told. */
export const NOT_TOLD_CHANNEL = 'none'
export const ReferralConsents = ['given', 'refused', 'not_asked'] as const

export const ParentContactItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  studentId: z.string(),
  caseId: z.string().nullable(),
  guardianId: z.string().nullable(),
  /** phone | meeting | home_visit | online (电话 / 面谈 / 家访 / 线上), or none when parents were not told. */
  channel: z.string(),
  contactDate: z.string(),
  content: z.string().nullable(),
  outcome: z.string().nullable(),
  referralConsent: z.string(),
  notToldReason: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: Timestamp,
}).partial()

export const ParentContactCreate = z.strictObject({
  guardianId: z.uuid().optional(),
  caseId: z.uuid().optional(),
  channel: z.enum(ContactChannels).optional(),
  contactDate: CalendarDate.optional(),
  content: Text(2000).optional(),
  outcome: Text(1000).optional(),
  referralConsent: z.enum(ReferralConsents).optional(),
  /** Parents were deliberately not told: then `notToldReason` is required. */
  notTold: z.boolean().optional(),
  notToldReason: Text(500).optional(),
})

export const ParentContactPatch = z.strictObject({
  guardianId: z.uuid().nullable().optional(),
  caseId: z.uuid().nullable().optional(),
  channel: z.enum(ContactChannels).optional(),
  contactDate: CalendarDate.optional(),
  content: Text(2000).nullable().optional(),
  outcome: Text(1000).nullable().optional(),
  referralConsent: z.enum(ReferralConsents).optional(),
  notToldReason: Text(500).nullable().optional(),
}).refine((o) => Object.values(o).some((v) => v !== undefined), { message: 'at least one field' })

export const ParentContactListQuery = Pagination.extend({
  studentId: z.uuid().optional(),
  caseId: z.uuid().optional(),
  from: CalendarDate.optional(),
  to: CalendarDate.optional(),
})
