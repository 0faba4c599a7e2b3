import { z } from 'zod'
import { ErrorSchema, Pagination } from '../../lib/schemas.js'
import { CalendarDate } from '../roster/schemas.js'
import { GuardianConsents, StudentAssents } from './consent-rules.js'
import { InstrumentDefinition } from './instrument-schema.js'
import { RiskLevels } from './risk-levels.js'

/**
 * Request and response shapes of 测评建档. Response items make every field
 * optional: the policy projection removes what a role may not read. Stored text that the
 * application branches on (band, risk, status) is typed as a plain string in answers, so a
 * stored value never turns a read into a 500; requests are strict and enumerated.
 */

export const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema }
export const security = [{ bearer: [] }]
export const tags = ['screening']

export const CampaignStatuses = ['planned', 'open', 'closed'] as const

/** 小学高年级 (4) to 高三 (12). */
export const GradeLevel = z.number().int().min(4).max(12)
export const SchoolYear = z.string().regex(/^\d{4}-\d{4}$/, 'YYYY-YYYY')
  .refine((s) => Number(s.slice(5)) === Number(s.slice(0, 4)) + 1, 'consecutive years')

const Text = (max: number) => z.string().trim().min(1).max(max)

// ── instruments ───────────────────────────────────────────────────────────────────────

export const InstrumentItem = z.object({
  id: z.string(),
  schoolId: z.string().nullable(),
  code: z.string(),
  version: z.number(),
  nameZh: z.string(),
  nameEn: z.string(),
  licence: z.string(),
  builtIn: z.boolean(),
  definition: z.unknown(),
  createdAt: z.date(),
}).partial()

/** A school's own instrument: the definition is the source of code, version, names and licence. */
export const InstrumentCreate = z.strictObject({ definition: InstrumentDefinition })

export const InstrumentListQuery = Pagination.extend({ includeDefinition: z.enum(['true', 'false']).optional() })

// ── campaigns ─────────────────────────────────────────────────────────────────────────

export const CampaignItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  name: z.string(),
  schoolYear: z.string(),
  instrumentIds: z.array(z.string()),
  gradeLevels: z.array(z.number()),
  startDate: z.string(),
  endDate: z.string(),
  status: z.string(),
  consentRequired: z.boolean(),
  createdBy: z.string().nullable(),
  createdAt: z.date(),
}).partial()

const campaignFields = {
  name: Text(100),
  schoolYear: SchoolYear,
  instrumentIds: z.array(z.uuid()).min(1).max(5),
  gradeLevels: z.array(GradeLevel).min(1).max(9),
  startDate: CalendarDate,
  endDate: CalendarDate,
  status: z.enum(CampaignStatuses),
  /** 知情同意: answers only from students with their guardian's consent (default true). */
  consentRequired: z.boolean(),
}

export const CampaignCreate = z.strictObject({ ...campaignFields, status: campaignFields.status.optional(), consentRequired: campaignFields.consentRequired.optional() })
export const CampaignPatch = z.strictObject(campaignFields).partial().refine((o) => Object.keys(o).length > 0, { message: 'at least one field' })
export const CampaignListQuery = Pagination.extend({ schoolYear: SchoolYear.optional(), status: z.enum(CampaignStatuses).optional() })

export const CoverageAnswer = z.object({
  campaignId: z.string(),
  classes: z.array(z.object({
    classId: z.string(),
    className: z.string().optional(),
    gradeLevel: z.number(),
    enrolled: z.number(),
    screened: z.number(),
    /** Not screened and without consent (未获同意): 0 when the campaign does not require consent. */
    noConsent: z.number(),
    /** Not screened though nothing stands in the way (未测): enrolled − screened − noConsent. */
    notScreened: z.number(),
    /** screened / enrolled, 0–1 (null for an empty class). */
    rate: z.number().nullable(),
  })),
  totals: z.object({ enrolled: z.number(), screened: z.number(), noConsent: z.number(), notScreened: z.number(), rate: z.number().nullable() }),
})

// ── responses ─────────────────────────────────────────────────────────────────────────

export const ResponseItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  campaignId: z.string(),
  studentId: z.string(),
  instrumentId: z.string(),
  /** PHQ-A, GAD-7 …: the code of instrumentId, given beside it. */
  instrumentCode: z.string(),
  screenedOn: z.string(),
  answers: z.array(z.number()),
  totalScore: z.number(),
  band: z.string(),
  suggestedRisk: z.string(),
  suggestedRiskText: z.string(),
  safetyFlag: z.boolean(),
  confirmedRisk: z.string().nullable(),
  confirmedRiskText: z.string(),
  confirmReason: z.string().nullable(),
  confirmedBy: z.string().nullable(),
  confirmedAt: z.date().nullable(),
  source: z.string(),
  enteredBy: z.string().nullable(),
  consentOverrideReason: z.string().nullable(),
  createdAt: z.date(),
  /** Set on the answer to an entry that opened a crisis event (safety rule). */
  crisisEventId: z.string(),
}).partial()

export const ResponseCreate = z.strictObject({
  studentId: z.uuid(),
  instrumentId: z.uuid(),
  answers: z.array(z.number().int().min(0).max(1000)).min(1).max(200),
  /** Defaults to today (Asia/Shanghai). */
  screenedOn: CalendarDate.optional(),
  /**
   * Take the answers although the student has no consent (the campaign requires it): why. Kept
   * with the response, for psychology teachers only, and the entry's audit row names it.
   */
  consentOverrideReason: Text(500).optional(),
})

export const ResponseListQuery = Pagination.extend({
  studentId: z.uuid().optional(),
  instrumentId: z.uuid().optional(),
  band: z.string().max(32).optional(),
  safetyFlag: z.enum(['true', 'false']).optional(),
})

/** 确认风险等级: a change from the suggestion needs a reason. */
export const ResponseConfirm = z.strictObject({
  confirmedRisk: z.enum(RiskLevels),
  confirmReason: Text(1000).optional(),
})

// ── care list ─────────────────────────────────────────────────────────────────────────

export const CareItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  studentId: z.string(),
  riskLevel: z.string(),
  riskLevelText: z.string(),
  reason: z.string().nullable(),
  guidance: z.string().nullable(),
  sourceResponseId: z.string().nullable(),
  addedBy: z.string().nullable(),
  addedAt: z.date(),
  removedAt: z.date().nullable(),
  removedReason: z.string().nullable(),
}).partial()

export const CareCreate = z.strictObject({
  riskLevel: z.enum(RiskLevels),
  /** Why (clinical; psychology teachers only). */
  reason: Text(2000).optional(),
  /** What the homeroom teacher and mentors should do (no clinical detail). */
  guidance: Text(2000).optional(),
  /** The screening that led here, if any (关注名单 entries may also come without one). */
  sourceResponseId: z.uuid().optional(),
})

export const CarePatch = z.strictObject({
  riskLevel: z.enum(RiskLevels),
  reason: Text(2000).nullable(),
  guidance: Text(2000).nullable(),
}).partial().refine((o) => Object.keys(o).length > 0, { message: 'at least one field' })

export const CareRemove = z.strictObject({ removedReason: Text(2000) })

export const CareListQuery = Pagination.extend({
  studentId: z.uuid().optional(),
  /** Entries still on the list (default), removed ones, or both. */
  state: z.enum(['active', 'removed', 'all']).default('active'),
  riskLevel: z.enum(RiskLevels).optional(),
  /** Students of one class. */
  classId: z.uuid().optional(),
  /** Put on the list from a screening result, or by hand (no screening behind it). */
  source: z.enum(['screening', 'manual']).optional(),
  /** Words in the reason (psychology teachers only: the reason is theirs to read). */
  q: z.string().trim().min(1).max(50).optional(),
})

// ── import ────────────────────────────────────────────────────────────────────────────

export const ImportQuery = z.strictObject({
  /** true: answer when the import is done (200, or 422 with every bad row); otherwise 202 at once. */
  wait: z.enum(['true', 'false']).optional(),
  /** For 第1题… columns when the campaign has several instruments: the instrument's id or code. */
  instrument: z.string().trim().min(1).max(64).optional(),
  /**
   * Import the rows of students without consent too (the campaign requires it): why. Without it
   * such rows are refused like any bad row (row number and reason) and nothing is written.
   */
  consentOverride: Text(500).optional(),
})

export const ImportJob = z.object({
  id: z.string(),
  campaignId: z.string(),
  status: z.enum(['running', 'succeeded', 'failed']),
  phase: z.enum(['reading', 'validating', 'writing', 'done']),
  processed: z.number(),
  total: z.number(),
  errors: z.array(z.object({ row: z.number(), field: z.string(), reason: z.string() })),
  errorCount: z.number(),
  code: z.string().nullable(),
  /** Why it failed, in the uploader's language. */
  message: z.string().nullable(),
  /** A refusal of the headers: expected (the template's), found, missing and unrecognised ones. */
  headers: z.object({ expected: z.array(z.string()), found: z.array(z.string()), missing: z.array(z.string()), unknown: z.array(z.string()) }).nullable(),
  result: z.object({
    rows: z.number(),
    responses: z.number(),
    inserted: z.number(),
    alreadyOnFile: z.number(),
    crisisEventsOpened: z.number(),
  }).nullable(),
  startedAt: z.date(),
  finishedAt: z.date().nullable(),
})

// ── consent ───────────────────────────────────────────────────────────────────────────

export const ConsentParams = z.strictObject({ id: z.uuid(), studentId: z.uuid() })
export const ConsentClassQuery = z.strictObject({ classId: z.uuid() })

const consentStates = {
  guardianConsent: z.enum(GuardianConsents),
  studentAssent: z.enum(StudentAssents),
}
const atLeastOneState = (o: { guardianConsent?: unknown; studentAssent?: unknown }) => o.guardianConsent !== undefined || o.studentAssent !== undefined

/** One student's consent: either state or both; who recorded it and when are set here. */
export const ConsentSet = z.strictObject(consentStates).partial().refine(atLeastOneState, { message: 'guardianConsent or studentAssent' })

/** The same states for a class list's selected students, in one transaction. */
export const ConsentBulk = z.strictObject({
  studentIds: z.array(z.uuid()).min(1).max(500),
  ...consentStates,
}).partial({ guardianConsent: true, studentAssent: true }).refine(atLeastOneState, { message: 'guardianConsent or studentAssent' })

export const ConsentItem = z.object({
  id: z.string(),
  schoolId: z.string(),
  campaignId: z.string(),
  studentId: z.string(),
  guardianConsent: z.string(),
  guardianRecordedBy: z.string().nullable(),
  guardianRecordedAt: z.date().nullable(),
  studentAssent: z.string(),
  assentRecordedBy: z.string().nullable(),
  assentRecordedAt: z.date().nullable(),
  createdAt: z.date(),
}).partial()

export const ConsentBulkAnswer = z.object({ created: z.number(), updated: z.number(), items: z.array(ConsentItem) })

/** A class list with each enrolled student's consent (psychology teachers). */
export const ConsentRoster = z.object({
  campaignId: z.string(),
  classId: z.string(),
  className: z.string().optional(),
  consentRequired: z.boolean(),
  items: z.array(z.object({
    studentId: z.string(),
    studentNo: z.string().optional(),
    name: z.string().optional(),
    /** The state; not_returned / not_asked when nothing was recorded. */
    guardianConsent: z.string(),
    studentAssent: z.string(),
    guardianRecordedBy: z.string().nullable(),
    guardianRecordedAt: z.date().nullable(),
    assentRecordedBy: z.string().nullable(),
    assentRecordedAt: z.date().nullable(),
    /** Whether answers may be taken (consent given, no refusal of the student's own). */
    consentOk: z.boolean(),
    screened: z.boolean(),
  })),
})

/**
 * Consent counts of one class. Everyone allowed reads enrolled, given and notGiven; the split of
 * notGiven (refused, not returned) and the assent counts only whoever reads the states themselves.
 */
export const ConsentSummary = z.object({
  campaignId: z.string(),
  classId: z.string(),
  consentRequired: z.boolean(),
  enrolled: z.number(),
  given: z.number(),
  notGiven: z.number(),
  refused: z.number().optional(),
  notReturned: z.number().optional(),
  assentRefused: z.number().optional(),
  assentGiven: z.number().optional(),
})
