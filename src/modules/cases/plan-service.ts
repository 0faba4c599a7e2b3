import type { Gateway } from '../../access/gateway.js'
import { eq } from 'drizzle-orm'
import type { z } from 'zod'
import { counsellingSessions, interventionPlans } from '../../../db/schema/index.js'
import { audit, readMany } from '../../access/query.js'
import { Conflict, NotFound } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { decisionOn, groupsOf, mustRead, sentKeys } from '../roster/record-access.js'
import { inTx, type ModuleDeps } from '../screening/module-access.js'
import { activeCase } from './case-service.js'
import { presentSession } from './present.js'
import * as repo from './repository.js'
import type { PlanCreate, PlanPatch, SessionCreate, SessionPatch } from './schemas.js'

/** 干预方案 (one per case) and 辅导记录 (individual or group sessions, notes for psychology teachers only). */
export function createPlanService(deps: Gateway) {
  return {
    async createPlan(ctx: RequestContext, caseId: string, body: z.infer<typeof PlanCreate>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      const schoolId = ctx.actor.schoolId!
      return inTx(deps, ctx, async (tx) => {
        const { studentId } = await activeCase(deps, ctx, tx, caseId)
        if (await repo.planIdOfCase(tx, schoolId, caseId)) throw new Conflict('duplicate', { what: 'plan' })
        const id = await repo.insertPlan(tx, { ...body, schoolId, caseId, studentId, createdBy: ctx.actor.userId })
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'C', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    async planOfCase(ctx: RequestContext, caseId: string) {
      return inTx(deps, ctx, async (tx) => {
        await mustRead(tx, decisionOn(deps, ctx, 'cases'), caseId)
        const row = (await readMany(tx, ctx.decision, { where: eq(interventionPlans.caseId, caseId), filterFields: ['caseId'], limit: 1, offset: 0 })).items[0]
        if (!row) throw new NotFound()
        await audit(tx, ctx, { action: 'R', rows: [row] })
        return row
      })
    },

    async updatePlan(ctx: RequestContext, id: string, body: z.infer<typeof PlanPatch>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inTx(deps, ctx, async (tx) => {
        const cur = await mustRead(tx, ctx.decision, id)
        await activeCase(deps, ctx, tx, cur.caseId as string)
        await repo.updatePlan(tx, ctx.actor.schoolId!, id, body)
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'U', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    async createSession(ctx: RequestContext, caseId: string, body: z.infer<typeof SessionCreate>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      const schoolId = ctx.actor.schoolId!
      return inTx(deps, ctx, async (tx) => {
        const { studentId } = await activeCase(deps, ctx, tx, caseId)
        const id = await repo.insertSession(tx, { ...body, schoolId, caseId, studentId, counsellorId: ctx.actor.userId })
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'C', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return presentSession(row)
      })
    },

    async sessionsOfCase(ctx: RequestContext, caseId: string) {
      return inTx(deps, ctx, async (tx) => {
        await mustRead(tx, decisionOn(deps, ctx, 'cases'), caseId)
        const r = await readMany(tx, ctx.decision, {
          where: eq(counsellingSessions.caseId, caseId), filterFields: ['caseId'], sort: [{ field: 'sessionDate', dir: 'asc' }], limit: 500, offset: 0,
        })
        await audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items.map(presentSession), total: r.total }
      })
    },

    async getSession(ctx: RequestContext, id: string) {
      return inTx(deps, ctx, async (tx) => {
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'R', rows: [row] })
        return presentSession(row)
      })
    },

    async updateSession(ctx: RequestContext, id: string, body: z.infer<typeof SessionPatch>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inTx(deps, ctx, async (tx) => {
        await mustRead(tx, ctx.decision, id)
        await repo.updateSession(tx, ctx.actor.schoolId!, id, body)
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'U', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return presentSession(row)
      })
    },
  }
}

export type PlanService = ReturnType<typeof createPlanService>
