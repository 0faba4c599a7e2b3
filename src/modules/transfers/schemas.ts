import { z } from 'zod'
import { CalendarDate, Pagination } from '../../lib/schemas.js'

/** What may travel with a pupil: chosen one by one, never the whole history. */
export const TransferParts = ['open_risk', 'safety_plan', 'referrals', 'summary'] as const
export type TransferPart = (typeof TransferParts)[number]
export const TransferStatuses = ['draft', 'sent', 'viewed', 'accepted', 'declined', 'cancelled'] as const
/** How the guardian agreed: 书面 (in writing), 电话 (by phone), 当面 (in person). */
export const ConsentMethods = ['书面', '电话', '当面'] as const

const Text = (max: number) => z.string().trim().min(1).max(max)

const prepared = {
  parts: z.array(z.enum(TransferParts)).min(1).max(4).refine((p) => new Set(p).size === p.length, 'each part once'),
  /** The note the sending psychology teacher writes for this transfer (the summary part). */
  summary: Text(4000).nullable(),
  consentGuardian: Text(50).nullable(),
  consentMethod: z.enum(ConsentMethods).nullable(),
  consentDate: CalendarDate.nullable(),
}

export const TransferCreate = z.strictObject({
  toSchoolId: z.uuid(),
  ...prepared,
  summary: prepared.summary.optional(),
  consentGuardian: prepared.consentGuardian.optional(),
  consentMethod: prepared.consentMethod.optional(),
  consentDate: prepared.consentDate.optional(),
})

export const TransferPatch = z.strictObject({ toSchoolId: z.uuid(), ...prepared }).partial()
  .refine((o) => Object.keys(o).length > 0, { message: 'at least one field' })

export const TransferDecline = z.strictObject({ declineReason: Text(500) })

/** An export for a school outside XinAn: the same minimum, sealed with a password the teacher chooses. */
export const TransferExport = z.strictObject({
  parts: prepared.parts,
  summary: prepared.summary.optional(),
  consentGuardian: Text(50),
  consentMethod: z.enum(ConsentMethods),
  consentDate: CalendarDate,
  receivingSchoolName: Text(100),
  /** Told to the receiving school apart from the file (by phone); never stored. */
  password: z.string().min(10).max(128),
})

export const TransferListQuery = Pagination.extend({
  status: z.enum(TransferStatuses).optional(),
})

const Content = z.object({
  pupil: z.object({ name: z.string(), gender: z.string(), birthDate: z.string().nullable(), nationalId: z.string() }).partial(),
  openRisk: z.object({
    caseRisk: z.string().nullable(),
    caseOpenedOn: z.string().nullable(),
    careListRisk: z.string().nullable(),
    careListSince: z.string().nullable(),
  }).optional(),
  safetyPlan: z.object({
    version: z.number(),
    savedOn: z.string(),
    steps: z.record(z.string(), z.array(z.string())),
  }).nullable().optional(),
  referrals: z.array(z.object({ institution: z.string(), date: z.string(), state: z.string() })).optional(),
  summary: z.string().nullable().optional(),
}).partial()
export type TransferContent = z.infer<typeof Content>

/**
 * A package as its reader may see it. `content` is present for the sending school until the
 * package is accepted, and for the receiving school from then on; the consent the sending
 * school recorded, likewise.
 */
export const TransferItem = z.object({
  id: z.string(),
  direction: z.enum(['sent', 'received']),
  nationalId: z.string(),
  studentId: z.string().optional(),
  fromSchoolName: z.string().optional(),
  toSchoolId: z.string().optional(),
  toSchoolName: z.string().optional(),
  status: z.enum(TransferStatuses),
  parts: z.array(z.string()),
  createdAt: z.date().optional(),
  sentAt: z.date().nullable(),
  viewedAt: z.date().nullable(),
  decidedAt: z.date().nullable(),
  declineReason: z.string().nullable().optional(),
  receivedStudentId: z.string().nullable().optional(),
  consentGuardian: z.string().nullable().optional(),
  consentMethod: z.string().nullable().optional(),
  consentDate: z.string().nullable().optional(),
  content: Content.optional(),
})

export const SchoolChoice = z.object({ id: z.string(), name: z.string() })
