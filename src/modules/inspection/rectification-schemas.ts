import { z } from 'zod'
import { CalendarDate, ErrorSchema, Pagination } from '../../lib/schemas.js'

/**
 * Request and response shapes of the 整改 loop: inspection visits, their problems (整改项),
 * progress notes and 回头看. Response items make every field optional: the policy projection
 * removes what a role may not read.
 */

export const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema }
export const security = [{ bearer: [] }]

export const RectificationStatuses = ['open', 'rectified'] as const

const Text = (max: number) => z.string().trim().min(1).max(max)
/** A checklist item's code ("1" … "13" in the default checklist); checked against the checklist by the service. */
const ItemCode = z.string().trim().min(1).max(16)

const nonEmpty = (o: object) => Object.values(o).some((v) => v !== undefined)
const NON_EMPTY = { message: 'at least one field' }

export const ProblemCreate = z.strictObject({
  itemCode: ItemCode,
  problem: Text(2000),
  measure: Text(2000).optional(),
  /** Responsible: a user of the school, or a name (someone without an account). */
  responsibleUserId: z.uuid().optional(),
  responsibleName: Text(100).optional(),
  deadline: CalendarDate,
})

export const VisitCreate = z.strictObject({
  visitedOn: CalendarDate,
  inspectorName: Text(200),
  inspectorRole: Text(200).optional(),
  noticeRef: Text(200).optional(),
  summary: Text(4000).optional(),
  items: z.array(ProblemCreate).max(50).default([]),
})

export const VisitPatch = z.strictObject({
  visitedOn: CalendarDate.optional(),
  inspectorName: Text(200).optional(),
  inspectorRole: Text(200).nullable().optional(),
  noticeRef: Text(200).nullable().optional(),
  summary: Text(4000).nullable().optional(),
}).refine(nonEmpty, NON_EMPTY)

export const ProblemAdd = ProblemCreate

export const ItemPatch = z.strictObject({
  measure: Text(2000).nullable().optional(),
  responsibleUserId: z.uuid().nullable().optional(),
  responsibleName: Text(100).nullable().optional(),
  deadline: CalendarDate.optional(),
}).refine(nonEmpty, NON_EMPTY)

export const NoteCreate = z.strictObject({
  notedOn: CalendarDate.optional(),
  body: Text(4000),
  /** Evidence: a document of the school (督导资料). */
  documentId: z.uuid().optional(),
})

export const CheckCreate = z.strictObject({
  checkedOn: CalendarDate,
  rectified: z.boolean(),
  /** Required when the problem is not rectified. */
  reason: Text(2000).optional(),
})

export const VisitListQuery = Pagination.extend({
  from: CalendarDate.optional(),
  to: CalendarDate.optional(),
})

export const ItemListQuery = Pagination.extend({
  status: z.enum(RectificationStatuses).optional(),
  /** Only open problems past their 整改时限 (in the school's calendar). */
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  visitId: z.uuid().optional(),
})

const Nullable = <T extends z.ZodType>(t: T) => t.nullable().optional()

export const VisitItem = z.object({
  id: z.string().optional(),
  schoolId: z.string().optional(),
  visitedOn: z.string().optional(),
  inspectorName: z.string().optional(),
  inspectorRole: Nullable(z.string()),
  noticeRef: Nullable(z.string()),
  summary: Nullable(z.string()),
  createdBy: Nullable(z.string()),
  createdAt: z.date().optional(),
  /** Counts of the visit's problems. */
  problems: z.object({ total: z.number(), open: z.number(), overdue: z.number() }).optional(),
})

export const ItemItem = z.object({
  id: z.string().optional(),
  schoolId: z.string().optional(),
  visitId: z.string().optional(),
  itemCode: z.string().optional(),
  problem: z.string().optional(),
  measure: Nullable(z.string()),
  responsibleUserId: Nullable(z.string()),
  responsibleName: Nullable(z.string()),
  /** The responsible user's display name, when the caller may read the item's responsible person. */
  responsibleDisplayName: Nullable(z.string()),
  deadline: z.string().optional(),
  status: z.string().optional(),
  rectifiedOn: Nullable(z.string()),
  overdueNotifiedAt: Nullable(z.date()),
  createdBy: Nullable(z.string()),
  createdAt: z.date().optional(),
  updatedAt: z.date().optional(),
  /** Open and past its 整改时限 in the school's calendar; how many days past. */
  overdue: z.boolean().optional(),
  overdueDays: z.number().optional(),
})

export const NoteItem = z.object({
  id: z.string().optional(),
  schoolId: z.string().optional(),
  itemId: z.string().optional(),
  notedOn: z.string().optional(),
  body: z.string().optional(),
  documentId: Nullable(z.string()),
  authorId: Nullable(z.string()),
  createdAt: z.date().optional(),
})

export const CheckItem = z.object({
  id: z.string().optional(),
  schoolId: z.string().optional(),
  itemId: z.string().optional(),
  checkedOn: z.string().optional(),
  rectified: z.boolean().optional(),
  reason: Nullable(z.string()),
  checkedBy: Nullable(z.string()),
  createdAt: z.date().optional(),
})

export const VisitDetail = VisitItem.extend({ items: z.array(ItemItem) })
export const ItemDetail = ItemItem.extend({ notes: z.array(NoteItem).optional(), checks: z.array(CheckItem).optional() })
export const CheckCreated = z.object({ check: CheckItem, item: ItemItem })

export const DistrictSummaryQuery = z.strictObject({
  from: CalendarDate,
  to: CalendarDate,
})

export const DistrictSummary = z.object({
  from: z.string(),
  to: z.string(),
  asOf: z.string(),
  checklist: z.object({ id: z.string(), title: z.string(), source: z.string() }),
  schools: z.number(),
  items: z.array(z.object({ code: z.string(), point: z.string(), schoolsMet: z.number(), schoolsOverdue: z.number() })),
  bySchool: z.array(z.object({
    schoolId: z.string(), code: z.string(), name: z.string(), itemsMet: z.number(), openProblems: z.number(), overdueProblems: z.number(),
    items: z.array(z.object({ code: z.string(), met: z.boolean(), overdue: z.number() })),
  })),
})

export const ChecklistItems = z.object({
  id: z.string(),
  title: z.string(),
  items: z.array(z.object({ code: z.string(), point: z.string() })),
})
