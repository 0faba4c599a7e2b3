import { and, eq, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { crisisChecklist, crisisEvents } from '../../../db/schema/index.js'
import { audit, readMany } from '../../access/query.js'
import type { Tx } from '../../db/database.js'
import { AppError, Conflict, NotFound } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { decisionOn, groupsOf, mustRead, sentKeys, type Row } from '../roster/record-access.js'
import { inTx, type ModuleDeps } from '../screening/module-access.js'
import { presentCrisis } from './present.js'
import * as repo from './repository.js'
import type { ChecklistTick, CrisisCreate, CrisisListQuery, CrisisPatch } from './schemas.js'
import { CRISIS_STEP_TEXT, CrisisSteps, type CrisisStep } from './states.js'

/**
 * 危机事件: opened by the safety rule (screening) or by hand; acknowledged before its deadline
 * (CRISIS_ACK_MINUTES, default 30) or escalated by the job in src/jobs; worked through a
 * checklist of first steps; resolved once every step is ticked.
 */
export function createCrisisService(deps: ModuleDeps) {
  /** The checklist in its fixed order, as far as the caller reads it. */
  async function checklistOf(tx: Tx, ctx: RequestContext, crisisId: string): Promise<Row[] | undefined> {
    const d = deps.policies.decide(ctx.actor, 'crisis_checklist', 'list')
    if (!d) return undefined
    const r = await readMany(tx, d, { where: eq(crisisChecklist.crisisId, crisisId), filterFields: ['crisisId'], limit: 50, offset: 0 })
    const byItem = new Map(r.items.map((row) => [row.item, row]))
    return CrisisSteps.map((step) => {
      const row = byItem.get(step)
      return {
        item: step,
        label: CRISIS_STEP_TEXT[step]['zh-CN'],
        done: !!row,
        ...(row ? { id: row.id, doneBy: row.doneBy, doneAt: row.doneAt } : {}),
      }
    })
  }

  async function full(tx: Tx, ctx: RequestContext, id: string): Promise<Row> {
    const row = await mustRead(tx, decisionOn(deps, ctx, 'crisis_events'), id)
    const checklist = await checklistOf(tx, ctx, id)
    return { ...presentCrisis(row), ...(checklist ? { checklist } : {}) }
  }

  /** A case named as the crisis's case must be one the caller reads, of the same student. */
  async function checkCase(tx: Tx, ctx: RequestContext, caseId: string | null | undefined, studentId: string) {
    if (!caseId) return
    const c = await mustRead(tx, decisionOn(deps, ctx, 'cases'), caseId)
    if (c.studentId !== studentId) throw new NotFound()
  }

  return {
    async create(ctx: RequestContext, studentId: string, body: z.infer<typeof CrisisCreate>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      const schoolId = ctx.actor.schoolId!
      return inTx(deps, ctx, async (tx) => {
        await mustRead(tx, decisionOn(deps, ctx, 'students'), studentId)
        await checkCase(tx, ctx, body.caseId, studentId)
        const id = await repo.insertCrisis(tx, {
          schoolId, studentId, source: 'manual', caseId: body.caseId ?? null, summary: body.summary ?? null,
          openedBy: ctx.actor.userId, ackMinutes: deps.config.CRISIS_ACK_MINUTES,
        })
        const row = await full(tx, ctx, id)
        await audit(tx, ctx, { action: 'C', recordIds: [id], studentIds: [studentId], fieldGroups: groupsOf(ctx.decision, [...keys, 'source', 'status']) })
        return row
      })
    },

    async list(ctx: RequestContext, q: z.infer<typeof CrisisListQuery>) {
      return inTx(deps, ctx, async (tx) => {
        const conds: SQL[] = []
        const filterFields: string[] = []
        if (q.status) { conds.push(eq(crisisEvents.status, q.status)); filterFields.push('status') }
        if (q.studentId) { conds.push(eq(crisisEvents.studentId, q.studentId)); filterFields.push('studentId') }
        const r = await readMany(tx, ctx.decision, {
          where: and(...conds), filterFields, sort: [{ field: 'openedAt', dir: 'desc' }], limit: q.limit, offset: q.offset,
        })
        await audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items.map((row) => presentCrisis(row)), total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async get(ctx: RequestContext, id: string) {
      return inTx(deps, ctx, async (tx) => {
        const row = await full(tx, ctx, id)
        await audit(tx, ctx, { action: 'R', recordIds: [id], studentIds: [row.studentId as string].filter(Boolean) })
        return row
      })
    },

    async update(ctx: RequestContext, id: string, body: z.infer<typeof CrisisPatch>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      const schoolId = ctx.actor.schoolId!
      return inTx(deps, ctx, async (tx) => {
        await mustRead(tx, ctx.decision, id)
        const cur = (await repo.crisisState(tx, schoolId, id))!
        await checkCase(tx, ctx, body.caseId, cur.studentId)
        await repo.updateCrisis(tx, schoolId, id, body)
        const row = await full(tx, ctx, id)
        await audit(tx, ctx, { action: 'U', recordIds: [id], studentIds: [cur.studentId], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    /** 确认接收: stops the escalation clock. Only an open event can be acknowledged. */
    async acknowledge(ctx: RequestContext, id: string) {
      ctx.decision.assertWritable(['status', 'acknowledgedAt', 'acknowledgedBy'])
      const schoolId = ctx.actor.schoolId!
      return inTx(deps, ctx, async (tx) => {
        await mustRead(tx, ctx.decision, id)
        // Locked: of several teachers pressing at once, one acknowledges and the rest are told so.
        const cur = (await repo.crisisState(tx, schoolId, id, 'update'))!
        if (cur.status !== 'open') throw new Conflict(cur.status === 'resolved' ? 'crisis_resolved' : 'crisis_not_open')
        await repo.updateCrisis(tx, schoolId, id, { status: 'acknowledged', acknowledgedAt: new Date(), acknowledgedBy: ctx.actor.userId })
        const row = await full(tx, ctx, id)
        await audit(tx, ctx, { action: 'U', recordIds: [id], studentIds: [cur.studentId], fieldGroups: ['state'] })
        return row
      })
    },

    /** 处置完成: acknowledged, and every first step ticked. */
    async resolve(ctx: RequestContext, id: string) {
      ctx.decision.assertWritable(['status', 'resolvedAt'])
      const schoolId = ctx.actor.schoolId!
      return inTx(deps, ctx, async (tx) => {
        await mustRead(tx, ctx.decision, id)
        const cur = (await repo.crisisState(tx, schoolId, id, 'update'))!
        if (cur.status !== 'acknowledged') throw new Conflict(cur.status === 'open' ? 'crisis_not_acknowledged' : 'crisis_resolved')
        const checklist = (await checklistOf(tx, ctx, id)) ?? []
        const missing = checklist.filter((c) => !c.done).map((c) => c.item as string)
        if (missing.length || checklist.length === 0) throw new AppError(409, 'crisis_checklist_incomplete', { count: missing.length }, { missing })
        await repo.updateCrisis(tx, schoolId, id, { status: 'resolved', resolvedAt: new Date() })
        const row = await full(tx, ctx, id)
        await audit(tx, ctx, { action: 'U', recordIds: [id], studentIds: [cur.studentId], fieldGroups: ['state'] })
        return row
      })
    },

    /** Ticks one first step, with who and when; each step once. */
    async tick(ctx: RequestContext, crisisId: string, body: z.infer<typeof ChecklistTick>) {
      ctx.decision.assertWritable(sentKeys(body))
      const schoolId = ctx.actor.schoolId!
      return inTx(deps, ctx, async (tx) => {
        await mustRead(tx, decisionOn(deps, ctx, 'crisis_events'), crisisId)
        // Shared: ticks do not wait for each other, but a resolution waits for them (and they for it).
        const cur = (await repo.crisisState(tx, schoolId, crisisId, 'share'))!
        if (cur.status === 'resolved') throw new Conflict('crisis_resolved')
        const id = await repo.insertChecklistItem(tx, { schoolId, crisisId, studentId: cur.studentId, item: body.item as CrisisStep, doneBy: ctx.actor.userId })
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'C', rows: [row], fieldGroups: ['step'] })
        return row
      })
    },
  }
}

export type CrisisService = ReturnType<typeof createCrisisService>
