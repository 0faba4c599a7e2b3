import { and, asc, count, desc, eq, gte, lte, max, type SQL } from 'drizzle-orm'
import type { PgColumn } from 'drizzle-orm/pg-core'
import {
  emergencyDrills, emergencyPlans, inspectionDocuments, leadershipMeetings, staffTrainings, users, yearlyPlans,
} from '../../../db/schema/index.js'
import { sentKeys, type Gateway, type Row } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { AppError, NotFound, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import {
  MAX_DOCUMENT_BYTES, type DrillCreateBody, type DrillPatchBody, type MeetingCreateBody, type MeetingPatchBody, type MemberCreateBody,
  type MemberPatchBody, type PlanVersionBody, type TrainingCreateBody, type TrainingPatchBody, type YearlyPlanBody,
} from './records-schemas.js'
import { createTrainingFileService } from './records-trainings.js'

/** What a file's extension says it is; anything else is kept as plain bytes. */
const MEDIA_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  wps: 'application/vnd.ms-works',
  odt: 'application/vnd.oasis.opendocument.text',
  txt: 'text/plain; charset=utf-8',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  zip: 'application/zip',
}

/**
 * The type is decided here from the name, never taken from the uploader: a download is always
 * an attachment, and HTML or SVG (which a browser would run) is served as plain bytes.
 */
export function mediaTypeOf(fileName: string): string {
  const ext = /\.([A-Za-z0-9]{1,5})$/.exec(fileName)?.[1]?.toLowerCase()
  return (ext && Object.hasOwn(MEDIA_TYPES, ext) ? MEDIA_TYPES[ext] : undefined) ?? 'application/octet-stream'
}

/** A name without any directory part (a browser on Windows may send C:\\…\\方案.docx). */
function baseName(fileName: string): string {
  const name = fileName.split(/[\\/]/).pop()!.trim()
  return name || 'file'
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Decoded bytes, or a 400 naming the field; a file over the limit is a 413 that says the limit. */
export function decodeDocument(content: string): Buffer {
  const compact = content.replace(/\s+/g, '')
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) throw new Validation('document_bad_content', {}, { fields: ['content'] })
  // 3 bytes per 4 characters: too large is known before anything is decoded.
  const size = compact.length / 4 * 3 - (compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0)
  if (size > MAX_DOCUMENT_BYTES) throw new AppError(413, 'document_too_large', { max: MAX_DOCUMENT_BYTES / 1_048_576 }, { fields: ['content'] })
  if (size === 0) throw new Validation('document_empty', {}, { fields: ['content'] })
  return Buffer.from(compact, 'base64')
}

/** numeric columns arrive as strings; answers carry numbers. */
function numbers<R extends Row>(row: R, keys: string[]): R {
  const out: Row = { ...row }
  for (const k of keys) if (typeof out[k] === 'string') out[k] = Number(out[k])
  return out as R
}

function range(col: PgColumn, from?: string, to?: string): SQL[] {
  const out: SQL[] = []
  if (from) out.push(gte(col, from))
  if (to) out.push(lte(col, to))
  return out
}

interface Paging { limit: number; offset: number }

/**
 * 督导资料: the evidence records of 组织保障 (领导小组, meetings, the yearly plan and budget),
 * 队伍建设 (staff training) and 危机干预 (the versioned 应急预案 and its drills), with the
 * documents attached to them. No row here names a student.
 */
function createRecordsCore(gw: Gateway) {
  /** A member of staff named on a record: an account of the caller's own school, or 404 naming the field. */
  async function checkStaff(tx: Tx, ctx: RequestContext, userId: string | null | undefined) {
    if (!userId) return
    const found = await tx.select({ id: users.id }).from(users).where(and(eq(users.id, userId), eq(users.schoolId, ctx.actor.schoolId!)))
    if (!found[0]) throw new AppError(404, 'staff_not_found', {}, { fields: ['userId'] })
  }

  /** A document named on a record: one the caller reaches (the content is not loaded to check it). */
  async function checkDocument(tx: Tx, ctx: RequestContext, id: string | null | undefined, field: string) {
    if (!id) return
    const d = gw.policies.decide(ctx.actor, 'inspection_documents', 'read')
    const found = d ? await tx.select({ id: inspectionDocuments.id }).from(inspectionDocuments).where(and(eq(inspectionDocuments.id, id), d.where())) : []
    if (!found[0]) throw new AppError(404, 'document_not_found', {}, { fields: [field] })
  }

  async function page(ctx: RequestContext, q: Paging, sort: Array<{ field: string; dir: 'asc' | 'desc' }>, where: SQL[] = [], filterFields: string[] = []) {
    return gw.tx(ctx, async (tx) => {
      const r = await gw.list(tx, ctx.decision, { where: where.length ? and(...where) : undefined, filterFields, sort, limit: q.limit, offset: q.offset })
      return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
    })
  }

  const remove = (ctx: RequestContext, id: string) =>
    gw.tx(ctx, async (tx) => { await gw.remove(tx, ctx, ctx.decision, id, { audit: { fieldGroups: [] } }) })

  return {
    // ── documents ──
    async listDocuments(ctx: RequestContext, q: Paging) {
      return gw.tx(ctx, async (tx) => {
        const d = ctx.decision
        // The list never loads the files themselves.
        const { content: _content, ...selection } = d.selection()
        const where = d.where()
        const rows = await tx.select(selection).from(inspectionDocuments).where(where)
          .orderBy(desc(inspectionDocuments.createdAt), asc(inspectionDocuments.id)).limit(q.limit).offset(q.offset)
        const total = await tx.select({ n: count() }).from(inspectionDocuments).where(where)
        return { items: rows.map((r) => d.project(r)), total: Number(total[0]?.n ?? 0), limit: q.limit, offset: q.offset }
      })
    },

    async uploadDocument(ctx: RequestContext, body: { fileName: string; content: string }) {
      ctx.decision.assertWritable(sentKeys(body))
      const bytes = decodeDocument(body.content)
      const fileName = baseName(body.fileName)
      return gw.tx(ctx, async (tx) => {
        const { content: _content, ...row } = await gw.create(tx, ctx, ctx.decision, {
          input: { fileName, content: bytes },
          values: { schoolId: ctx.actor.schoolId!, mediaType: mediaTypeOf(fileName), sizeBytes: bytes.length, uploadedBy: ctx.actor.userId },
        })
        return row
      })
    },

    /** The file as stored, with its name and type; 404 when out of scope. */
    async downloadDocument(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => {
        const row = await gw.read(tx, ctx.decision, id)
        const content = row.content
        if (!(content instanceof Uint8Array)) throw new NotFound()
        return { fileName: String(row.fileName), mediaType: String(row.mediaType), content: Buffer.from(content.buffer, content.byteOffset, content.byteLength) }
      })
    },

    deleteDocument: remove,

    // ── 领导小组 ──
    listMembers: (ctx: RequestContext, q: Paging) =>
      page(ctx, q, [{ field: 'since', dir: 'asc' }, { field: 'id', dir: 'asc' }]),

    async createMember(ctx: RequestContext, body: MemberCreateBody) {
      ctx.decision.assertWritable(sentKeys(body))
      if (body.until && body.until < body.since) throw new Validation('validation_failed', {}, { fields: ['until'] })
      return gw.tx(ctx, async (tx) => {
        await checkStaff(tx, ctx, body.userId)
        return gw.create(tx, ctx, ctx.decision, { input: body, values: { schoolId: ctx.actor.schoolId! } })
      })
    },

    async updateMember(ctx: RequestContext, id: string, body: MemberPatchBody) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        const before = await gw.read(tx, ctx.decision, id)
        const merged = { ...before, ...body }
        if (!merged.userId && !merged.name) throw new Validation('validation_failed', {}, { fields: ['name'] })
        if (merged.until && merged.since && String(merged.until) < String(merged.since)) throw new Validation('validation_failed', {}, { fields: ['until'] })
        await checkStaff(tx, ctx, body.userId)
        return gw.update(tx, ctx, ctx.decision, id, { input: body })
      })
    },

    deleteMember: remove,

    // ── meetings ──
    listMeetings: (ctx: RequestContext, q: Paging & { from?: string | undefined; to?: string | undefined }) => {
      const where = range(leadershipMeetings.meetingDate, q.from, q.to)
      return page(ctx, q, [{ field: 'meetingDate', dir: 'desc' }, { field: 'id', dir: 'asc' }], where, where.length ? ['meetingDate'] : [])
    },

    async createMeeting(ctx: RequestContext, body: MeetingCreateBody) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        await checkDocument(tx, ctx, body.minutesDocumentId, 'minutesDocumentId')
        return gw.create(tx, ctx, ctx.decision, { input: body, values: { schoolId: ctx.actor.schoolId!, createdBy: ctx.actor.userId } })
      })
    },

    async updateMeeting(ctx: RequestContext, id: string, body: MeetingPatchBody) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        await checkDocument(tx, ctx, body.minutesDocumentId, 'minutesDocumentId')
        return gw.update(tx, ctx, ctx.decision, id, { input: body })
      })
    },

    deleteMeeting: remove,

    // ── 工作方案与经费 ──
    async listYearlyPlans(ctx: RequestContext, q: Paging) {
      const r = await page(ctx, q, [{ field: 'schoolYear', dir: 'desc' }])
      return { ...r, items: r.items.map((i) => numbers(i, ['budgetYuan'])) }
    },

    /** One plan per school year: the answer replaces every field of that year's row. */
    async putYearlyPlan(ctx: RequestContext, schoolYear: string, body: YearlyPlanBody) {
      ctx.decision.assertWritable(sentKeys(body))
      const fields = {
        title: body.title || null,
        adoptedOn: body.adoptedOn ?? null,
        planDocumentId: body.planDocumentId ?? null,
        budgetYuan: body.budgetYuan === null || body.budgetYuan === undefined ? null : body.budgetYuan.toFixed(2),
      }
      return gw.tx(ctx, async (tx) => {
        await checkDocument(tx, ctx, body.planDocumentId, 'planDocumentId')
        const set = { ...fields, updatedBy: ctx.actor.userId, updatedAt: new Date() }
        const row = await gw.upsert(tx, ctx, ctx.decision, [yearlyPlans.schoolId, yearlyPlans.schoolYear], {
          input: body, values: { schoolId: ctx.actor.schoolId!, schoolYear, ...set }, onConflict: set, audit: { action: 'U' },
        })
        return numbers(row!, ['budgetYuan'])
      })
    },

    // ── 教师培训 ──
    async listTrainings(ctx: RequestContext, q: Paging & { from?: string | undefined; to?: string | undefined; userId?: string | undefined }) {
      const where = range(staffTrainings.completedOn, q.from, q.to)
      const fields = where.length ? ['completedOn'] : []
      if (q.userId) { where.push(eq(staffTrainings.userId, q.userId)); fields.push('userId') }
      const r = await page(ctx, q, [{ field: 'completedOn', dir: 'desc' }, { field: 'id', dir: 'asc' }], where, fields)
      return { ...r, items: r.items.map((i) => numbers(i, ['hours'])) }
    },

    async createTraining(ctx: RequestContext, body: TrainingCreateBody) {
      ctx.decision.assertWritable(sentKeys(body))
      // Naming nobody records the caller's own training (a homeroom teacher's only kind).
      const own = body.userId === undefined && body.name === undefined
      return gw.tx(ctx, async (tx) => {
        await checkStaff(tx, ctx, body.userId)
        const row = await gw.create(tx, ctx, ctx.decision, {
          input: { ...body, hours: body.hours.toFixed(1) },
          values: { schoolId: ctx.actor.schoolId!, createdBy: ctx.actor.userId, ...(own ? { userId: ctx.actor.userId } : {}) },
        })
        return numbers(row, ['hours'])
      })
    },

    async updateTraining(ctx: RequestContext, id: string, body: TrainingPatchBody) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        const before = await gw.read(tx, ctx.decision, id)
        const merged = { ...before, ...body }
        if (!merged.userId && !merged.name) throw new Validation('validation_failed', {}, { fields: ['name'] })
        await checkStaff(tx, ctx, body.userId)
        const row = await gw.update(tx, ctx, ctx.decision, id, { input: body.hours !== undefined ? { ...body, hours: body.hours.toFixed(1) } : body })
        return numbers(row, ['hours'])
      })
    },

    deleteTraining: remove,

    // ── 应急预案 ──
    async listPlanVersions(ctx: RequestContext, q: Paging) {
      return page(ctx, q, [{ field: 'version', dir: 'desc' }])
    },

    /** The version in force: the highest. */
    async currentPlan(ctx: RequestContext) {
      return gw.tx(ctx, async (tx) => {
        const r = await gw.list(tx, ctx.decision, { sort: [{ field: 'version', dir: 'desc' }], limit: 1, offset: 0 })
        return { current: r.items[0] ?? null }
      })
    },

    /**
     * A new version: the next number after the highest, in the same transaction. Two adoptions at
     * once both read the same highest number; the second to commit breaks the unique key and is
     * answered 409, never kept as a duplicate version.
     */
    async createPlanVersion(ctx: RequestContext, body: PlanVersionBody) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        await checkDocument(tx, ctx, body.documentId, 'documentId')
        const top = await tx.select({ v: max(emergencyPlans.version) }).from(emergencyPlans).where(ctx.decision.where())
        const version = Number(top[0]?.v ?? 0) + 1
        return gw.create(tx, ctx, ctx.decision, {
          input: body, values: { schoolId: ctx.actor.schoolId!, version, createdBy: ctx.actor.userId },
        })
      })
    },

    // ── 演练 ──
    listDrills: (ctx: RequestContext, q: Paging & { from?: string | undefined; to?: string | undefined }) => {
      const where = range(emergencyDrills.drillDate, q.from, q.to)
      return page(ctx, q, [{ field: 'drillDate', dir: 'desc' }, { field: 'id', dir: 'asc' }], where, where.length ? ['drillDate'] : [])
    },

    createDrill: (ctx: RequestContext, body: DrillCreateBody) =>
      gw.tx(ctx, (tx) => gw.create(tx, ctx, ctx.decision, { input: body, values: { schoolId: ctx.actor.schoolId!, createdBy: ctx.actor.userId } })),

    updateDrill: (ctx: RequestContext, id: string, body: DrillPatchBody) =>
      gw.tx(ctx, (tx) => gw.update(tx, ctx, ctx.decision, id, { input: body })),

    deleteDrill: remove,
  }
}

/** The records and the training file's import and export, as one service (app.services.inspectionRecords). */
export function createInspectionRecordsService(gw: Gateway) {
  return { ...createRecordsCore(gw), ...createTrainingFileService(gw) }
}

export type InspectionRecordsService = ReturnType<typeof createInspectionRecordsService>
