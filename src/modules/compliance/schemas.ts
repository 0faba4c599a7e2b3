import { z } from 'zod'
import { ErrorSchema } from '../../lib/schemas.js'

/** Request and response shapes of the yearly compliance report (未成年人个人信息保护合规审计). */

export const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema }
export const security = [{ bearer: [] }]
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** The first and last calendar year a report can be asked for. */
export const FIRST_YEAR = 2000
export const LAST_YEAR = 2200

/** The calendar year of the report (1 January to 31 December in the schools' time zone). */
export const YearQuery = z.strictObject({
  year: z.coerce.number().int().min(FIRST_YEAR).max(LAST_YEAR),
})

const Count = z.number().int().min(0)

const Reader = z.object({ role: z.string(), scope: z.string(), actions: z.array(z.string()) })

export const InventoryEntry = z.object({
  resource: z.string(),
  table: z.string(),
  /** Rows the school holds in the table today. */
  records: Count,
  /** The table names a student (a student column, or the students table itself). */
  aboutStudents: z.boolean(),
  /** The policy marks its reads as sensitive (policy.audit.sensitive). */
  sensitive: z.boolean(),
  groups: z.array(z.object({
    group: z.string(),
    fields: z.array(z.string()),
    /** all | some | none of the group's fields are encrypted at rest; unknown while no list of sealed columns is given. */
    encrypted: z.enum(['all', 'some', 'none', 'unknown']),
    readers: z.array(Reader),
    writers: z.array(z.string()),
  })),
})

export const ComplianceReport = z.object({
  school: z.object({ name: z.string(), code: z.string() }),
  year: z.number().int(),
  /** The calendar year in the schools' time zone, first and last day. */
  period: z.object({ from: z.string(), to: z.string(), timeZone: z.string() }),
  generatedAt: z.string(),
  inventory: z.array(InventoryEntry),
  access: z.object({
    total: Count,
    byRolePurposeAction: z.array(z.object({ roles: z.string(), purpose: z.string().nullable(), action: z.string(), count: Count })),
    byResourceAction: z.array(z.object({ resource: z.string(), action: z.string(), count: Count })),
  }),
  denied: z.object({
    total: Count,
    rows: z.array(z.object({ roles: z.string(), resource: z.string(), outcome: z.string(), count: Count })),
  }),
  exports: z.object({
    total: Count,
    rows: z.array(z.object({ roles: z.string(), resource: z.string(), count: Count })),
  }),
  transfers: z.object({
    total: Count,
    /** resource: the packages as sent (student_transfers) or as received (student_transfers_received). */
    rows: z.array(z.object({ resource: z.string(), action: z.string(), outcome: z.string(), count: Count })),
  }),
  retention: z.object({
    archiveAfterDays: Count,
    purgeAfterDays: Count,
    /** Audit rows the retention job wrote in the year (one per school, resource and run). */
    events: Count,
    /** Records those rows name. */
    records: Count,
    rows: z.array(z.object({ resource: z.string(), events: Count, records: Count })),
  }),
  secondFactor: z.object({
    /** The school's own setting: on, off, or the deployment's default. */
    setting: z.enum(['on', 'off', 'default']),
    required: z.boolean(),
    byRole: z.array(z.object({ role: z.string(), users: Count, enabled: Count })),
    total: z.object({ users: Count, enabled: Count }),
  }),
  auditChain: z.object({
    ok: z.boolean(),
    /** Rows the verification recomputed (the whole chain: every school shares it). */
    checked: Count,
    firstBrokenSeq: z.number().int().nullable(),
    /** This school's rows in the year, all inside the chain checked. */
    schoolRowsInYear: Count,
    checkedAt: z.string(),
  }),
})
export type ComplianceReportT = z.infer<typeof ComplianceReport>
