import { and, eq, sql, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { crisisChecklist, crisisEvents } from '../../../db/schema/index.js'
import { sentKeys, type Gateway, type Row } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { AppError, Conflict, NotFound } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { presentCrisis } from './present.js'
import * as repo from './repository.js'
import type { ChecklistTick, CrisisCreate, CrisisListQuery, CrisisPatch } from './schemas.js'
import { crisisSafetyStatus, safetyIncomplete } from './safety-assessment-service.js'
import { CRISIS_STEP_TEXT, CrisisSteps } from './states.js'

/** Field groups of a crisis event the safety rule opens (the rule sets every value). */
export const RULE_CRISIS_GROUPS = ['keys', 'origin', 'state', 'summary']

/**
 * The values of a new crisis event, open, with its acknowledgement deadline counted on the
 * database clock (CRISIS_ACK_MINUTES from now).
 */
export function newCrisis(v: {
  schoolId: string
  studentId: string
  source: 'safety_rule' | 'manual' | 'alert' | 'letter'
  sourceRef?: string | null
  summary?: string | null
  openedBy: string | null
  ackMinutes: number
}): Record<string, unknown> {
  return {
    schoolId: v.schoolId,
    studentId: v.studentId,
    source: v.source,
    ...(v.sourceRef ? { sourceRef: v.sourceRef } : {}),
    ...(v.summary ? { summary: v.summary } : {}),
    status: 'open',
    openedBy: v.openedBy,
    ackDeadline: sql`now() + make_interval(mins => ${v.ackMinutes}::int)`,
  }
}

/**
 * 危机事件: opened by the safety rule (screening) or by hand; acknowledged before its deadline
 * (CRISIS_ACK_MINUTES, default 30) or escalated by the job in src/jobs; worked through a
 * checklist of first steps; resolved once every step is ticked.
 */
export function createCrisisService(gw: Gateway) {
  /** The checklist in its fixed order, as far as the caller reads it. */
  async function checklistOf(tx: Tx, ctx: RequestContext, crisisId: string): Promise<Row[] | undefined> {
    const d = gw.policies.decide(ctx.actor, 'crisis_checklist', 'list')
    if (!d) return undefined
    const r = await gw.list(tx, d, { where: eq(crisisChecklist.crisisId, crisisId), filterFields: ['crisisId'], limit: 50, offset: 0 })
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

  /** The event as the caller reads it, with its checklist and what its safety steps still need. */
  async function withChecklist(tx: Tx, ctx: RequestContext, row: Row): Promise<Row> {
    const checklist = await checklistOf(tx, ctx, row.id as string)
    const safety = await crisisSafetyStatus(gw, tx, ctx, { id: row.id as string, studentId: row.studentId as string, parentContactDueOn: row.parentContactDueOn })
    return { ...presentCrisis(row), ...(checklist ? { checklist } : {}), ...(safety ? { safety } : {}) }
  }

  /** A case named as the crisis's case must be one the caller reads, of the same student. */
  async function checkCase(tx: Tx, ctx: RequestContext, caseId: string | null | undefined, studentId: unknown) {
    if (!caseId) return
    const c = await gw.read(tx, gw.decision(ctx, 'cases'), caseId)
    if (c.studentId !== studentId) throw new NotFound()
  }

  /** Scope first (404 before any rule), then the raw state, locked as the change needs. */
  async function current(tx: Tx, ctx: RequestContext, id: string, lock?: 'update' | 'share') {
    await gw.read(tx, lock === 'share' ? gw.decision(ctx, 'crisis_events') : ctx.decision, id)
    const cur = await repo.crisisState(tx, ctx.actor.schoolId!, id, lock)
    if (!cur) throw new NotFound()
    return cur
  }

  return {
    async create(ctx: RequestContext, studentId: string, body: z.infer<typeof CrisisCreate>) {
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, gw.decision(ctx, 'students'), studentId)
        await checkCase(tx, ctx, body.caseId, studentId)
        const row = await gw.create(tx, ctx, ctx.decision, {
          input: body,
          values: newCrisis({ schoolId: ctx.actor.schoolId!, studentId, source: 'manual', openedBy: ctx.actor.userId, ackMinutes: gw.config.CRISIS_ACK_MINUTES }),
          audit: { fieldGroups: gw.groupsOf(ctx.decision, [...sentKeys(body), 'source', 'status']) },
        })
        return withChecklist(tx, ctx, row)
      })
    },

    async list(ctx: RequestContext, q: z.infer<typeof CrisisListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds: SQL[] = []
        const filterFields: string[] = []
        if (q.status) { conds.push(eq(crisisEvents.status, q.status)); filterFields.push('status') }
        if (q.studentId) { conds.push(eq(crisisEvents.studentId, q.studentId)); filterFields.push('studentId') }
        const r = await gw.list(tx, ctx.decision, {
          where: and(...conds), filterFields, sort: [{ field: 'openedAt', dir: 'desc' }], limit: q.limit, offset: q.offset,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items.map((row) => presentCrisis(row)), total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async get(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => {
        const row = await withChecklist(tx, ctx, await gw.read(tx, ctx.decision, id))
        await gw.audit(tx, ctx, { action: 'R', recordIds: [id], studentIds: [row.studentId as string].filter(Boolean) })
        return row
      })
    },

    async update(ctx: RequestContext, id: string, body: z.infer<typeof CrisisPatch>) {
      return gw.tx(ctx, async (tx) => {
        const cur = await current(tx, ctx, id)
        await checkCase(tx, ctx, body.caseId, cur.studentId)
        return withChecklist(tx, ctx, await gw.update(tx, ctx, ctx.decision, id, { input: body }))
      })
    },

    /** 确认接收: stops the escalation clock. Only an open event can be acknowledged. */
    async acknowledge(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => {
        // Locked: of several teachers pressing at once, one acknowledges and the rest are told so.
        const cur = await current(tx, ctx, id, 'update')
        if (cur.status !== 'open') throw new Conflict(cur.status === 'resolved' ? 'crisis_resolved' : 'crisis_not_open')
        const row = await gw.update(tx, ctx, ctx.decision, id, {
          input: { status: 'acknowledged', acknowledgedAt: new Date(), acknowledgedBy: ctx.actor.userId },
        })
        return withChecklist(tx, ctx, row)
      })
    },

    /** 处置完成: acknowledged, and every first step ticked. */
    async resolve(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => {
        const cur = await current(tx, ctx, id, 'update')
        if (cur.status !== 'acknowledged') throw new Conflict(cur.status === 'open' ? 'crisis_not_acknowledged' : 'crisis_resolved')
        const checklist = (await checklistOf(tx, ctx, id)) ?? []
        const missing = checklist.filter((c) => !c.done).map((c) => c.item as string)
        if (missing.length || checklist.length === 0) throw new AppError(409, 'crisis_checklist_incomplete', { count: missing.length }, { missing })
        // 辅导室指南: the assessment is recorded, the 班主任 and the guardians told (or why a guardian
        // was not), and after an emergency disposition the parents contacted — before it is closed.
        const safety = await crisisSafetyStatus(gw, tx, ctx, { id, studentId: cur.studentId })
        if (!safety || safety.missing.length) throw safetyIncomplete(safety?.missing ?? ['assessment'])
        const row = await gw.update(tx, ctx, ctx.decision, id, { input: { status: 'resolved', resolvedAt: new Date() } })
        const out: Row = { ...presentCrisis(row), checklist, safety }
        return out
      })
    },

    /** Ticks one first step, with who and when; each step once. */
    async tick(ctx: RequestContext, crisisId: string, body: z.infer<typeof ChecklistTick>) {
      return gw.tx(ctx, async (tx) => {
        // Shared: ticks do not wait for each other, but a resolution waits for them (and they for it).
        const cur = await current(tx, ctx, crisisId, 'share')
        if (cur.status === 'resolved') throw new Conflict('crisis_resolved')
        return gw.create(tx, ctx, ctx.decision, {
          input: body, values: { schoolId: ctx.actor.schoolId!, crisisId, studentId: cur.studentId, doneBy: ctx.actor.userId },
        })
      })
    },
  }
}

export type CrisisService = ReturnType<typeof createCrisisService>
