import { and, eq, type SQL } from 'drizzle-orm'
import { riskRank } from '../screening/risk-levels.js'
import { assertRiskLoweringAllowed } from '../support/referral-rules.js'
import type { z } from 'zod'
import { caseEvents, cases } from '../../../db/schema/index.js'
import { audit, readMany } from '../../access/query.js'
import type { Tx } from '../../db/database.js'
import { Conflict, NotFound, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { decisionOn, groupsOf, mustRead, sentKeys } from '../roster/record-access.js'
import { inTx, type ModuleDeps } from '../screening/module-access.js'
import { presentCase, presentEvent } from './present.js'
import * as repo from './repository.js'
import type { CaseCreate, CaseListQuery, CasePatch, CaseTransition } from './schemas.js'
import { canTransition } from './states.js'

/** case_events rows are written by this service as the record of every change. */
function eventDecision(deps: ModuleDeps, ctx: RequestContext, fields: string[]) {
  const d = decisionOn(deps, ctx, 'case_events', 'create')
  d.assertWritable(fields)
  return d
}

async function recordEvent(tx: Tx, ctx: RequestContext, v: Omit<typeof caseEvents.$inferInsert, 'schoolId' | 'actorId'>) {
  const id = await repo.insertCaseEvent(tx, { ...v, schoolId: ctx.actor.schoolId!, actorId: ctx.actor.userId })
  await audit(tx, ctx, { action: 'C', resource: 'case_events', recordIds: [id], studentIds: [v.studentId], fieldGroups: ['change', 'reason'] })
  return id
}

export function createCaseService(deps: ModuleDeps) {
  return {
    async list(ctx: RequestContext, q: z.infer<typeof CaseListQuery>) {
      return inTx(deps, ctx, async (tx) => {
        const conds: SQL[] = []
        const filterFields: string[] = []
        if (q.state) { conds.push(eq(cases.state, q.state)); filterFields.push('state') }
        if (q.riskLevel) { conds.push(eq(cases.riskLevel, q.riskLevel)); filterFields.push('riskLevel') }
        if (q.studentId) { conds.push(eq(cases.studentId, q.studentId)); filterFields.push('studentId') }
        if (q.mine === 'true') { conds.push(eq(cases.openedBy, ctx.actor.userId)); filterFields.push('openedBy') }
        const r = await readMany(tx, ctx.decision, {
          where: and(...conds), filterFields, sort: [{ field: 'openedAt', dir: 'desc' }], limit: q.limit, offset: q.offset,
        })
        await audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items.map(presentCase), total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async get(ctx: RequestContext, id: string) {
      return inTx(deps, ctx, async (tx) => {
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'R', rows: [row] })
        return presentCase(row)
      })
    },

    /** 开案: a student of the caller's scope, with its source and risk; the first event records it. */
    async create(ctx: RequestContext, studentId: string, body: z.infer<typeof CaseCreate>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      eventDecision(deps, ctx, ['toState', 'riskTo'])
      const schoolId = ctx.actor.schoolId!
      return inTx(deps, ctx, async (tx) => {
        await mustRead(tx, decisionOn(deps, ctx, 'students'), studentId)
        const id = await repo.insertCase(tx, { ...body, schoolId, studentId, state: 'open', openedBy: ctx.actor.userId })
        await recordEvent(tx, ctx, { caseId: id, studentId, fromState: null, toState: 'open', riskFrom: null, riskTo: body.riskLevel, reason: null })
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'C', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return presentCase(row)
      })
    },

    /** Summary and risk level; a risk change carries its reason into the case's events. */
    async update(ctx: RequestContext, id: string, body: z.infer<typeof CasePatch>) {
      const { reason, ...fields } = body
      const keys = sentKeys(fields)
      ctx.decision.assertWritable(keys)
      if (reason !== undefined && body.riskLevel === undefined) throw new Validation('reason_without_risk_change')
      return inTx(deps, ctx, async (tx) => {
        await mustRead(tx, ctx.decision, id)
        // Locked, so the risk recorded as "from" is the one this change replaces.
        const cur = (await repo.caseState(tx, ctx.actor.schoolId!, id, 'update'))!
        const riskChanges = body.riskLevel !== undefined && body.riskLevel !== cur.riskLevel
        if (riskChanges) {
          if (!reason) throw new Validation('risk_change_needs_reason')
          eventDecision(deps, ctx, ['toState', 'riskFrom', 'riskTo', 'reason'])
          // 及时转介: a referred student's risk is lowered only after the 复学 assessment.
          if (riskRank(body.riskLevel!) < riskRank(cur.riskLevel)) await assertRiskLoweringAllowed(tx, ctx.actor.schoolId!, cur.studentId)
        }
        await repo.updateCase(tx, ctx.actor.schoolId!, id, fields)
        if (riskChanges) {
          await recordEvent(tx, ctx, { caseId: id, studentId: cur.studentId, fromState: cur.state, toState: cur.state, riskFrom: cur.riskLevel, riskTo: body.riskLevel!, reason: reason! })
        }
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'U', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return presentCase(row)
      })
    },

    /** Only the allowed transitions; each one records who, when and why. */
    async transition(ctx: RequestContext, id: string, body: z.infer<typeof CaseTransition>) {
      ctx.decision.assertWritable(['state'])
      eventDecision(deps, ctx, ['fromState', 'toState', 'reason'])
      return inTx(deps, ctx, async (tx) => {
        await mustRead(tx, ctx.decision, id)
        // Locked: two concurrent transitions from the same state cannot both pass the check.
        const cur = (await repo.caseState(tx, ctx.actor.schoolId!, id, 'update'))!
        if (!canTransition(cur.state, body.to)) throw new Conflict('case_transition_not_allowed', { from: cur.state, to: body.to })
        await repo.updateCase(tx, ctx.actor.schoolId!, id, { state: body.to, closedAt: body.to === 'closed' ? new Date() : null })
        await recordEvent(tx, ctx, { caseId: id, studentId: cur.studentId, fromState: cur.state, toState: body.to, riskFrom: null, riskTo: null, reason: body.reason })
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'U', rows: [row], fieldGroups: ['state'] })
        return presentCase(row)
      })
    },

    async events(ctx: RequestContext, caseId: string) {
      return inTx(deps, ctx, async (tx) => {
        await mustRead(tx, decisionOn(deps, ctx, 'cases'), caseId)
        const r = await readMany(tx, ctx.decision, {
          where: eq(caseEvents.caseId, caseId), filterFields: ['caseId'], sort: [{ field: 'at', dir: 'asc' }], limit: 500, offset: 0,
        })
        await audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items.map(presentEvent), total: r.total }
      })
    },
  }
}

/** A case the caller reads that is not closed: plans and sessions hang off it. */
export async function activeCase(deps: ModuleDeps, ctx: RequestContext, tx: Tx, caseId: string) {
  const row = await mustRead(tx, decisionOn(deps, ctx, 'cases'), caseId)
  // Shared lock: the case cannot be closed between this check and the caller's commit.
  const cur = await repo.caseState(tx, ctx.actor.schoolId!, caseId, 'share')
  if (!cur) throw new NotFound()
  if (cur.state === 'closed') throw new Conflict('case_closed')
  return { row, studentId: cur.studentId }
}

export type CaseService = ReturnType<typeof createCaseService>
