import { z } from 'zod'
import { CalendarDate, ErrorSchema } from '../../../lib/schemas.js'
import { CHECKLISTS } from '../checklists/index.js'

/** Request and response shapes of 学校自查. */

export const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema }
export const security = [{ bearer: [] }]
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

const SchoolYear = z.string().regex(/^\d{4}-\d{4}$/, 'YYYY-YYYY')

/** A term of the school (its id), or a whole school year such as 2025-2026: exactly one. */
export const PeriodQuery = z.strictObject({
  termId: z.uuid().optional(),
  schoolYear: SchoolYear.optional(),
}).refine((q) => (q.termId === undefined) !== (q.schoolYear === undefined), { message: 'termId or schoolYear, one of them', path: ['termId'] })
export type PeriodQueryT = z.infer<typeof PeriodQuery>

export const SurveyQuery = z.strictObject({ year: z.coerce.number().int().min(2000).max(2200).optional() })

const Text = (max: number) => z.string().trim().max(max)

export const SelfCheckPut = z.strictObject({
  highlights: Text(5000).nullable().optional(),
  problems: Text(5000).nullable().optional(),
  /** 备注 per checklist item: { "1": "…" }; an empty text removes the item's remark. */
  remarks: z.record(z.string().regex(/^[0-9A-Za-z.-]{1,10}$/), Text(1000)).optional(),
  /** 责任督学 */
  inspector: Text(100).nullable().optional(),
  /** 督导时间 */
  inspectedOn: CalendarDate.nullable().optional(),
  checklistId: z.enum(Object.keys(CHECKLISTS) as [string, ...string[]]).optional(),
})
export type SelfCheckPutT = z.infer<typeof SelfCheckPut>

const Record_ = z.object({
  id: z.string().optional(),
  periodKind: z.string().optional(),
  periodKey: z.string().optional(),
  checklistId: z.string().optional(),
  highlights: z.string().nullable().optional(),
  problems: z.string().nullable().optional(),
  remarks: z.record(z.string(), z.string()).optional(),
  inspector: z.string().nullable().optional(),
  inspectedOn: z.string().nullable().optional(),
  updatedAt: z.union([z.string(), z.date()]).nullable().optional(),
})
export const SelfCheckRecord = Record_

export const ReportAnswer = z.object({
  schoolName: z.string(),
  period: z.object({ kind: z.enum(['term', 'school_year']), key: z.string(), from: z.string(), to: z.string(), label: z.string() }),
  asOf: z.string(),
  checklist: z.object({
    id: z.string(),
    title: z.string(),
    source: z.string(),
    wordingNote: z.string(),
    columns: z.object({ code: z.string(), point: z.string(), tasks: z.string(), method: z.string(), facts: z.string(), remarks: z.string() }),
  }),
  items: z.array(z.object({
    code: z.string(),
    point: z.string(),
    tasks: z.array(z.string()),
    method: z.string(),
    status: z.enum(['met', 'flagged', 'missing', 'outside']),
    text: z.string(),
    flags: z.array(z.string()),
    figures: z.record(z.string(), z.number()),
    remark: z.string(),
  })),
  counts: z.object({ met: z.number(), flagged: z.number(), missing: z.number(), outside: z.number() }),
  record: Record_.nullable(),
})
export type ReportAnswerT = z.infer<typeof ReportAnswer>
