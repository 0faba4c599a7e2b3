import { and, count, eq, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { inspectionDocuments, inspectionVisits, rectificationItems, users } from '../../../db/schema/index.js'
import { sentKeys, type Gateway, type Row } from '../../access/gateway.js'
import type { Decision } from '../../access/engine.js'
import type { Tx } from '../../db/database.js'
import { Conflict, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { isChecklistItem } from './rectification-checklist.js'
import type {
  CheckCreate, ItemListQuery, ItemPatch, NoteCreate, ProblemCreate, VisitCreate, VisitListQuery, VisitPatch,
} from './rectification-schemas.js'

type Problem = z.infer<typeof ProblemCreate>

/** 422 naming the field; `row` is the problem's place in a visit's list (1-based) when several are sent. */
function unprocessable(code: string, field: string, row?: number): Validation {
  return new Validation(code, {}, { fields: [field], ...(row !== undefined ? { row } : {}) }, 422)
}

/** Whole days from one calendar day to a later one ('YYYY-MM-DD'). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`)) / 86_400_000)
}

/**
 * Open and past its 整改时限: the deadline is the last day allowed, so an item is overdue from
 * the next day of the school's calendar (not the server's: at 07:00 in Beijing UTC still says
 * yesterday).
 */
export function overdueOf(row: Row, today: string): { overdue: boolean; overdueDays: number } {
  const deadline = typeof row.deadline === 'string' ? row.deadline : undefined
  if (row.status !== 'open' || !deadline || deadline >= today) return { overdue: false, overdueDays: 0 }
  return { overdue: true, overdueDays: daysBetween(deadline, today) }
}

/**
 * 整改: an inspection visit and the problems of its 整改通知书, each tied to a checklist item
 * with its 整改措施, person responsible and 整改时限; progress notes; 回头看 that close a
 * problem when it is found rectified. Every write is one transaction with its audit rows.
 */
export function createRectificationService(gw: Gateway, clock: () => Date = () => new Date()) {
  const today = () => gw.today(clock())

  function checkProblem(p: { itemCode?: string | undefined; deadline?: string | undefined }, visitedOn: string | undefined, row?: number) {
    if (p.itemCode !== undefined && !isChecklistItem(p.itemCode)) throw unprocessable('checklist_item_unknown', 'itemCode', row)
    if (p.deadline !== undefined && visitedOn !== undefined && p.deadline < visitedOn) throw unprocessable('rectification_deadline_before_visit', 'deadline', row)
  }

  /** A responsible person named by account must be a user of the caller's school. */
  async function checkResponsible(tx: Tx, ctx: RequestContext, userId: string | null | undefined) {
    if (!userId) return
    const found = await tx.select({ id: users.id }).from(users)
      .where(and(eq(users.id, userId), eq(users.schoolId, ctx.actor.schoolId!))).limit(1)
    if (!found[0]) throw unprocessable('responsible_user_unknown', 'responsibleUserId')
  }

  /** Display names of the responsible users, for the rows whose responsible person the caller reads. */
  async function withNames(tx: Tx, ctx: RequestContext, rows: Row[]): Promise<Row[]> {
    const now = today()
    const ids = [...new Set(rows.map((r) => r.responsibleUserId).filter((v): v is string => typeof v === 'string'))]
    const names = new Map<string, string>()
    if (ids.length) {
      const found = await tx.select({ id: users.id, name: users.displayName }).from(users)
        .where(and(inArray(users.id, ids), eq(users.schoolId, ctx.actor.schoolId!)))
      for (const u of found) names.set(u.id, u.name)
    }
    return rows.map((r) => ({
      ...r,
      ...(typeof r.responsibleUserId === 'string' ? { responsibleDisplayName: names.get(r.responsibleUserId) ?? null } : {}),
      ...overdueOf(r, now),
    }))
  }

  function problemValues(ctx: RequestContext, visitId: string, p: Problem) {
    return {
      input: p,
      values: { schoolId: ctx.actor.schoolId!, visitId, createdBy: ctx.actor.userId, status: 'open' },
    }
  }

  async function problemCounts(tx: Tx, d: Decision, visitIds: string[]) {
    const out = new Map<string, { total: number; open: number; overdue: number }>()
    if (visitIds.length === 0) return out
    const rows = await tx.select({
      visitId: rectificationItems.visitId,
      total: count(),
      open: sql<number>`count(*) filter (where ${rectificationItems.status} = 'open')::int`,
      overdue: sql<number>`count(*) filter (where ${rectificationItems.status} = 'open' and ${rectificationItems.deadline} < ${today()}::date)::int`,
    }).from(rectificationItems).where(and(d.where(), inArray(rectificationItems.visitId, visitIds))).groupBy(rectificationItems.visitId)
    for (const r of rows) out.set(r.visitId, { total: Number(r.total), open: Number(r.open), overdue: Number(r.overdue) })
    return out
  }

  return {
    async listVisits(ctx: RequestContext, q: z.infer<typeof VisitListQuery>) {
      if (q.from && q.to && q.from > q.to) throw new Validation('date_range_invalid', {}, { fields: ['from', 'to'] })
      return gw.tx(ctx, async (tx) => {
        const conds: SQL[] = []
        if (q.from) conds.push(gte(inspectionVisits.visitedOn, q.from))
        if (q.to) conds.push(lte(inspectionVisits.visitedOn, q.to))
        const r = await gw.list(tx, ctx.decision, {
          where: conds.length ? and(...conds) : undefined,
          filterFields: conds.length ? ['visitedOn'] : [],
          sort: [{ field: 'visitedOn', dir: 'desc' }],
          limit: q.limit,
          offset: q.offset,
        })
        const id = gw.policies.decide(ctx.actor, 'rectification_items', 'list')
        const counts = id ? await problemCounts(tx, id, r.items.map((v) => String(v.id))) : new Map()
        const items = r.items.map((v) => (id ? { ...v, problems: counts.get(String(v.id)) ?? { total: 0, open: 0, overdue: 0 } } : v))
        return { items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async getVisit(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => {
        const visit = await gw.read(tx, ctx.decision, id)
        const d = gw.policies.decide(ctx.actor, 'rectification_items', 'list')
        const items = d ? (await gw.list(tx, d, {
          where: eq(rectificationItems.visitId, id), filterFields: ['visitId'], sort: [{ field: 'itemCode', dir: 'asc' }], limit: 500, offset: 0,
        })).items : []
        return { ...visit, items: await withNames(tx, ctx, items) }
      })
    },

    /** The visit and every problem of its 整改通知书, in one transaction. */
    async createVisit(ctx: RequestContext, body: z.infer<typeof VisitCreate>) {
      const { items: problems, ...visit } = body
      ctx.decision.assertWritable(sentKeys(visit))
      problems.forEach((p, i) => {
        checkProblem(p, body.visitedOn, i + 1)
        if (!p.responsibleUserId && !p.responsibleName) throw unprocessable('rectification_responsible_required', 'responsibleName', i + 1)
      })
      return gw.tx(ctx, async (tx) => {
        const row = await gw.create(tx, ctx, ctx.decision, {
          input: visit, values: { schoolId: ctx.actor.schoolId!, createdBy: ctx.actor.userId },
        })
        let created: Row[] = []
        if (problems.length) {
          const d = gw.decision(ctx, 'rectification_items', 'create')
          for (const p of problems) await checkResponsible(tx, ctx, p.responsibleUserId)
          created = await gw.createMany(tx, ctx, d, problems.map((p) => problemValues(ctx, String(row.id), p)))
        }
        return { ...row, items: await withNames(tx, ctx, created) }
      })
    },

    async updateVisit(ctx: RequestContext, id: string, body: z.infer<typeof VisitPatch>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        if (body.visitedOn !== undefined) {
          // A problem's 整改时限 cannot come before the visit that set it.
          const early = await tx.select({ n: count() }).from(rectificationItems)
            .where(and(eq(rectificationItems.schoolId, ctx.actor.schoolId!), eq(rectificationItems.visitId, id), lt(rectificationItems.deadline, body.visitedOn)))
          if (Number(early[0]?.n ?? 0) > 0) throw unprocessable('rectification_deadline_before_visit', 'visitedOn')
        }
        return gw.update(tx, ctx, ctx.decision, id, { input: body })
      })
    },

    /** One more problem of a visit's 整改通知书. */
    async addProblem(ctx: RequestContext, visitId: string, body: Problem) {
      ctx.decision.assertWritable(sentKeys(body))
      if (!body.responsibleUserId && !body.responsibleName) throw unprocessable('rectification_responsible_required', 'responsibleName')
      return gw.tx(ctx, async (tx) => {
        const visit = await gw.read(tx, gw.decision(ctx, 'inspection_visits', 'read'), visitId)
        checkProblem(body, typeof visit.visitedOn === 'string' ? visit.visitedOn : undefined)
        await checkResponsible(tx, ctx, body.responsibleUserId)
        const row = await gw.create(tx, ctx, ctx.decision, problemValues(ctx, visitId, body))
        return (await withNames(tx, ctx, [row]))[0]!
      })
    },

    async listItems(ctx: RequestContext, q: z.infer<typeof ItemListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds: SQL[] = []
        const fields: string[] = []
        if (q.status) { conds.push(eq(rectificationItems.status, q.status)); fields.push('status') }
        if (q.visitId) { conds.push(eq(rectificationItems.visitId, q.visitId)); fields.push('visitId') }
        if (q.overdue !== undefined) {
          const past = and(eq(rectificationItems.status, 'open'), lt(rectificationItems.deadline, today()))!
          conds.push(q.overdue ? past : sql`not (${past})`)
          fields.push('status', 'deadline')
        }
        const r = await gw.list(tx, ctx.decision, {
          where: conds.length ? and(...conds) : undefined,
          filterFields: fields,
          sort: [{ field: 'deadline', dir: 'asc' }],
          limit: q.limit,
          offset: q.offset,
        })
        return { items: await withNames(tx, ctx, r.items), total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    /** A problem with its progress notes and 回头看, each through the caller's own decision. */
    async getItem(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => {
        const row = (await withNames(tx, ctx, [await gw.read(tx, ctx.decision, id)]))[0]!
        const nd = gw.policies.decide(ctx.actor, 'rectification_notes', 'list')
        const cd = gw.policies.decide(ctx.actor, 'rectification_checks', 'list')
        const sorted = (d: Decision, field: string) => gw.list(tx, d, {
          where: eq(d.column('itemId'), id), filterFields: ['itemId'], sort: [{ field, dir: 'asc' }, { field: 'createdAt', dir: 'asc' }], limit: 500, offset: 0,
        })
        return {
          ...row,
          ...(nd ? { notes: (await sorted(nd, 'notedOn')).items } : {}),
          ...(cd ? { checks: (await sorted(cd, 'checkedOn')).items } : {}),
        }
      })
    },

    /** 整改措施, the person responsible and the 整改时限 may change; the problem itself stays as the notice wrote it. */
    async updateItem(ctx: RequestContext, id: string, body: z.infer<typeof ItemPatch>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        const before = await gw.read(tx, ctx.decision, id)
        if (body.deadline !== undefined) {
          const visit = await tx.select({ visitedOn: inspectionVisits.visitedOn }).from(inspectionVisits)
            .where(and(eq(inspectionVisits.schoolId, ctx.actor.schoolId!), eq(inspectionVisits.id, String(before.visitId))))
          checkProblem({ deadline: body.deadline }, visit[0]?.visitedOn)
        }
        await checkResponsible(tx, ctx, body.responsibleUserId)
        const userId = body.responsibleUserId !== undefined ? body.responsibleUserId : before.responsibleUserId
        const name = body.responsibleName !== undefined ? body.responsibleName : before.responsibleName
        if (!userId && !name) throw unprocessable('rectification_responsible_required', 'responsibleName')
        // A new 整改时限 that passes again is told again.
        const values: Record<string, unknown> = { updatedAt: new Date() }
        if (body.deadline !== undefined && body.deadline !== before.deadline) values.overdueNotifiedAt = null
        const row = await gw.update(tx, ctx, ctx.decision, id, { input: body, values })
        return (await withNames(tx, ctx, [row]))[0]!
      })
    },

    async addNote(ctx: RequestContext, itemId: string, body: z.infer<typeof NoteCreate>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, gw.decision(ctx, 'rectification_items', 'read'), itemId)
        if (body.documentId) {
          const doc = await tx.select({ id: inspectionDocuments.id }).from(inspectionDocuments)
            .where(and(eq(inspectionDocuments.schoolId, ctx.actor.schoolId!), eq(inspectionDocuments.id, body.documentId))).limit(1)
          if (!doc[0]) throw unprocessable('evidence_document_unknown', 'documentId')
        }
        return gw.create(tx, ctx, ctx.decision, {
          input: body,
          values: { schoolId: ctx.actor.schoolId!, itemId, notedOn: body.notedOn ?? today(), authorId: ctx.actor.userId },
        })
      })
    },

    /**
     * 回头看: found rectified, the problem closes on the check's date; not rectified, it stays
     * open and the reason is required. A closed problem takes no further check (409).
     */
    async addCheck(ctx: RequestContext, itemId: string, body: z.infer<typeof CheckCreate>) {
      ctx.decision.assertWritable(sentKeys(body))
      if (!body.rectified && !body.reason) throw unprocessable('rectification_reason_required', 'reason')
      return gw.tx(ctx, async (tx) => {
        const id = gw.decision(ctx, 'rectification_items', 'read')
        const item = await gw.read(tx, id, itemId)
        if (item.status !== 'open') throw new Conflict('rectification_closed')
        const check = await gw.create(tx, ctx, ctx.decision, {
          input: body,
          values: { schoolId: ctx.actor.schoolId!, itemId, checkedBy: ctx.actor.userId, reason: body.rectified ? body.reason ?? null : body.reason },
        })
        let after = item
        if (body.rectified) {
          after = await gw.update(tx, ctx, gw.decision(ctx, 'rectification_items', 'update'), itemId, {
            where: eq(rectificationItems.status, 'open'),
            values: { status: 'rectified', rectifiedOn: body.checkedOn, updatedAt: new Date() },
            audit: { fieldGroups: ['status'] },
          })
        }
        return { check, item: (await withNames(tx, ctx, [after]))[0]! }
      })
    },
  }
}

export type RectificationService = ReturnType<typeof createRectificationService>
