import { eq } from 'drizzle-orm'
import type { z } from 'zod'
import { counsellingSessions, interventionPlans } from '../../../db/schema/index.js'
import type { Gateway } from '../../access/gateway.js'
import { NotFound } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { activeCase } from './case-service.js'
import { presentSession } from './present.js'
import type { PlanCreate, PlanPatch, SessionCreate, SessionPatch } from './schemas.js'

/** 干预方案 (one per case) and 辅导记录 (individual or group sessions, notes for psychology teachers only). */
export function createPlanService(gw: Gateway) {
  return {
    /** One plan per case: a second one is refused by the database's unique key (409 naming the plan). */
    async createPlan(ctx: RequestContext, caseId: string, body: z.infer<typeof PlanCreate>) {
      return gw.tx(ctx, async (tx) => {
        const { studentId } = await activeCase(gw, ctx, tx, caseId)
        return gw.create(tx, ctx, ctx.decision, {
          input: body, values: { schoolId: ctx.actor.schoolId!, caseId, studentId, createdBy: ctx.actor.userId },
        })
      })
    },

    async planOfCase(ctx: RequestContext, caseId: string) {
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, gw.decision(ctx, 'cases'), caseId)
        const row = (await gw.list(tx, ctx.decision, { where: eq(interventionPlans.caseId, caseId), filterFields: ['caseId'], limit: 1, offset: 0 })).items[0]
        if (!row) throw new NotFound()
        await gw.audit(tx, ctx, { action: 'R', rows: [row] })
        return row
      })
    },

    async updatePlan(ctx: RequestContext, id: string, body: z.infer<typeof PlanPatch>) {
      return gw.tx(ctx, async (tx) => {
        // Scope first: a plan out of scope answers 404 before its case's state is looked at.
        const cur = await gw.read(tx, ctx.decision, id)
        await activeCase(gw, ctx, tx, cur.caseId as string)
        return gw.update(tx, ctx, ctx.decision, id, { input: body, values: { updatedAt: new Date() } })
      })
    },

    async createSession(ctx: RequestContext, caseId: string, body: z.infer<typeof SessionCreate>) {
      return gw.tx(ctx, async (tx) => {
        const { studentId } = await activeCase(gw, ctx, tx, caseId)
        const row = await gw.create(tx, ctx, ctx.decision, {
          input: body, values: { schoolId: ctx.actor.schoolId!, caseId, studentId, counsellorId: ctx.actor.userId },
        })
        return presentSession(row)
      })
    },

    async sessionsOfCase(ctx: RequestContext, caseId: string) {
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, gw.decision(ctx, 'cases'), caseId)
        const r = await gw.list(tx, ctx.decision, {
          where: eq(counsellingSessions.caseId, caseId), filterFields: ['caseId'], sort: [{ field: 'sessionDate', dir: 'asc' }], limit: 500, offset: 0,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items.map(presentSession), total: r.total }
      })
    },

    async getSession(ctx: RequestContext, id: string) {
      return presentSession(await gw.readAudited(ctx, ctx.decision, id))
    },

    async updateSession(ctx: RequestContext, id: string, body: z.infer<typeof SessionPatch>) {
      return gw.tx(ctx, async (tx) => presentSession(await gw.update(tx, ctx, ctx.decision, id, { input: body })))
    },
  }
}

export type PlanService = ReturnType<typeof createPlanService>
