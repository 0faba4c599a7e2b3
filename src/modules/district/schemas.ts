import { z } from 'zod'

/**
 * Response schemas of the district tables. Every number is a cell: the count, or
 * null with `suppressed: true` when withheld. Nothing here can carry a person: the schemas
 * are strict, so a stray field fails serialisation instead of leaving the server.
 */

export const Cell = z.strictObject({ value: z.number().nullable(), suppressed: z.boolean() })

const School = {
  schoolId: z.uuid(),
  code: z.string(),
  name: z.string(),
  stage: z.string(),
}

const Column = z.strictObject({ key: z.string(), colour: z.string(), labelZh: z.string(), labelEn: z.string() })
const Label = z.strictObject({ key: z.string(), labelZh: z.string(), labelEn: z.string() })

const RiskRow = z.strictObject({ cells: z.record(z.string(), Cell), total: Cell })
const RiskGradeRow = z.strictObject({ level: z.number(), grade: z.string(), cells: z.record(z.string(), Cell), total: Cell })
const RiskBody = {
  schools: z.array(z.strictObject({ ...School, rows: z.array(RiskGradeRow), subtotal: RiskRow })),
  total: RiskRow,
}

/** Every answer is one stored release: its id and the school day it describes. */
const Release = { releaseId: z.uuid(), releasedOn: z.string().describe('YYYY-MM-DD') }

const Envelope = {
  table: z.string(),
  schoolYear: z.string(),
  previousSchoolYear: z.string(),
  generatedAt: z.string(),
  threshold: z.number(),
  releaseId: z.uuid().nullable(),
  releasedOn: z.string().nullable(),
}
const envelope = <T extends z.ZodRawShape>(district: T) =>
  z.strictObject({ ...Envelope, districts: z.array(z.strictObject({ districtId: z.uuid(), ...Release, ...district })) })

export const RiskCurrent = envelope({ columns: z.array(Column), ...RiskBody })

export const RiskByYear = envelope({
  columns: z.array(Column),
  years: z.array(z.strictObject({ schoolYear: z.string(), ...RiskBody })),
})

const CoverageRow = { enrolled: Cell, screened: Cell, coverage: Cell }
export const Coverage = envelope({
  schools: z.array(z.strictObject({
    ...School,
    rows: z.array(z.strictObject({ level: z.number(), grade: z.string(), ...CoverageRow })),
    subtotal: z.strictObject(CoverageRow),
  })),
  total: z.strictObject(CoverageRow),
})

const TalkRow = z.strictObject({
  kind: z.string(), windowKey: z.string(),
  total: Cell, done: Cell, doneLate: Cell, overdue: Cell, open: Cell, onTimeRate: Cell,
})
export const TalkCompliance = envelope({
  statuses: z.array(Label),
  windows: z.array(z.strictObject({ kind: z.string(), windowKey: z.string(), label: z.string() })),
  schools: z.array(z.strictObject({ ...School, rows: z.array(TalkRow) })),
  total: z.array(TalkRow),
})

const ActivityRow = { parentSchool: Cell, homeVisit: Cell, parentMeeting: Cell, other: Cell, total: Cell, attendance: Cell }
export const HomeSchool = envelope({
  kinds: z.array(Label),
  schools: z.array(z.strictObject({ ...School, ...ActivityRow })),
  total: z.strictObject(ActivityRow),
})

const ReferralRow = { sent: Cell, withReceipt: Cell, receiptShare: Cell, closed: Cell, closedShare: Cell, medianDaysToReceipt: Cell }
export const Referrals = envelope({
  schools: z.array(z.strictObject({ ...School, ...ReferralRow })),
  total: z.strictObject(ReferralRow),
})

const CrisisRow = { due: Cell, acknowledgedOnTime: Cell, onTimeShare: Cell }
export const Crisis = envelope({
  schools: z.array(z.strictObject({ ...School, ...CrisisRow })),
  total: z.strictObject(CrisisRow),
})

/**
 * 心理健康教师基本情况: staff facts, counts per school, never a name or profile. A count of
 * one person, and the training hours of one person, are withheld (cells as elsewhere);
 * whether a school is large (enrolment at or above the threshold) is a flag.
 */
const StaffingCounts = { fullTime: Cell, partTime: Cell, certified: Cell, trainingHours: Cell }
export const Staffing = z.strictObject({
  table: z.literal('staffing'),
  year: z.number(),
  generatedAt: z.string(),
  releaseId: z.uuid().nullable(),
  releasedOn: z.string().nullable(),
  threshold: z.number(),
  largeSchoolEnrolment: z.number(),
  fullTimeNeeded: z.number(),
  districts: z.array(z.strictObject({
    districtId: z.uuid(),
    ...Release,
    schools: z.array(z.strictObject({ ...School, ...StaffingCounts, largeSchool: z.boolean(), ruleHolds: z.boolean() })),
    total: z.strictObject({ schools: z.number(), ruleHolds: z.number(), ...StaffingCounts }),
  })),
})

const ReleaseItem = z.strictObject({
  id: z.uuid(), districtId: z.uuid(), releasedOn: z.string(), createdAt: z.string(),
  trigger: z.enum(['scheduled', 'on_demand', 'first_read']),
})
export const ReleaseList = z.strictObject({
  items: z.array(ReleaseItem),
  onDemand: z.array(z.strictObject({ districtId: z.uuid(), allowedFrom: z.string().nullable() })),
})
export const ReleaseCreated = z.strictObject({ items: z.array(ReleaseItem) })
export const ReleaseQuery = z.object({
  release: z.uuid().optional().describe('a release id from GET /district/releases; the latest release when absent'),
})
