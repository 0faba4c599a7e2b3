import { and, eq, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { caseEvents, cases } from '../../../db/schema/index.js'
import type { Gateway } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { Conflict, NotFound, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { riskRank } from '../screening/risk-levels.js'
import { assertRiskLoweringAllowed } from '../support/referral-rules.js'
import { presentCase, presentEvent } from './present.js'
import * as repo from './repository.js'
import type { CaseCreate, CaseListQuery, CasePatch, CaseTransition } from './schemas.js'
import { canTransition } from './states.js'
import { requireStepUp } from '../auth/step-up.js'

type EventFields = Pick<typeof caseEvents.$inferInsert, 'toState' | 'fromState' | 'riskFrom' | 'riskTo' | 'reason'>

/** The case's record of a change (case_events): the caller's roles must write the fields it names. */
function recordEvent(gw: Gateway, tx: Tx, ctx: RequestContext, caseId: string, studentId: string, input: EventFields) {
  return gw.create(tx, ctx, gw.decision(ctx, 'case_events', 'create'), {
    input,
    values: { caseId, studentId, schoolId: ctx.actor.schoolId!, actorId: ctx.actor.userId },
    audit: { fieldGroups: ['change', 'reason'] },
  })
}

export function createCaseService(gw: Gateway) {
  return {
    async list(ctx: RequestContext, q: z.infer<typeof CaseListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds: SQL[] = []
        const filterFields: string[] = []
        if (q.state) { conds.push(eq(cases.state, q.state)); filterFields.push('state') }
        if (q.riskLevel) { conds.push(eq(cases.riskLevel, q.riskLevel)); filterFields.push('riskLevel') }
        if (q.studentId) { conds.push(eq(cases.studentId, q.studentId)); filterFields.push('studentId') }
        if (q.mine === 'true') { conds.push(eq(cases.openedBy, ctx.actor.userId)); filterFields.push('openedBy') }
        const r = await gw.list(tx, ctx.decision, {
          where: and(...conds), filterFields, sort: [{ field: 'openedAt', dir: 'desc' }], limit: q.limit, offset: q.offset,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items.map(presentCase), total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async get(ctx: RequestContext, id: string) {
      // A closed case is history few need again: reading it asks for a recent step-up.
      return presentCase(await gw.readAudited(ctx, ctx.decision, id, async (row) => {
        if (row.state === 'closed') await requireStepUp(gw.database.db, ctx.actor)
      }))
    },

    /** 开案: a student of the caller's scope, with its source and risk; the first event records it. */
    async create(ctx: RequestContext, studentId: string, body: z.infer<typeof CaseCreate>) {
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, gw.decision(ctx, 'students'), studentId)
        const row = await gw.create(tx, ctx, ctx.decision, {
          input: body, values: { schoolId: ctx.actor.schoolId!, studentId, state: 'open', openedBy: ctx.actor.userId },
        })
        await recordEvent(gw, tx, ctx, row.id as string, studentId, { fromState: null, toState: 'open', riskFrom: null, riskTo: body.riskLevel, reason: null })
        return presentCase(row)
      })
    },

    /** Summary and risk level; a risk change carries its reason into the case's events. */
    async update(ctx: RequestContext, id: string, body: z.infer<typeof CasePatch>) {
      const { reason, ...fields } = body
      if (reason !== undefined && body.riskLevel === undefined) throw new Validation('reason_without_risk_change')
      return gw.tx(ctx, async (tx) => {
        // Scope first: out of scope answers 404 before any rule can tell the case exists.
        await gw.read(tx, ctx.decision, id)
        // Locked, so the risk recorded as "from" is the one this change replaces.
        const cur = await repo.caseState(tx, ctx.actor.schoolId!, id, 'update')
        if (!cur) throw new NotFound()
        const riskChanges = body.riskLevel !== undefined && body.riskLevel !== cur.riskLevel
        if (riskChanges && !reason) throw new Validation('risk_change_needs_reason')
        const row = await gw.update(tx, ctx, ctx.decision, id, { input: fields, values: { updatedAt: new Date() } })
        if (riskChanges) {
          // 及时转介: a referred student's risk is lowered only after the 复学 assessment.
          if (riskRank(body.riskLevel!) < riskRank(cur.riskLevel)) await assertRiskLoweringAllowed(tx, ctx.actor.schoolId!, cur.studentId)
          await recordEvent(gw, tx, ctx, id, cur.studentId, { fromState: cur.state, toState: cur.state, riskFrom: cur.riskLevel, riskTo: body.riskLevel!, reason: reason! })
        }
        return presentCase(row)
      })
    },

    /** Only the allowed transitions; each one records who, when and why. */
    async transition(ctx: RequestContext, id: string, body: z.infer<typeof CaseTransition>) {
      return gw.tx(ctx, async (tx) => {
        // Scope first: out of scope answers 404 whatever the state, as a missing case does.
        await gw.read(tx, ctx.decision, id)
        // Locked: two concurrent transitions from the same state cannot both pass the check.
        const cur = await repo.caseState(tx, ctx.actor.schoolId!, id, 'update')
        if (!cur) throw new NotFound()
        if (!canTransition(cur.state, body.to)) throw new Conflict('case_transition_not_allowed', { from: cur.state, to: body.to })
        const row = await gw.update(tx, ctx, ctx.decision, id, {
          input: { state: body.to }, values: { closedAt: body.to === 'closed' ? new Date() : null, updatedAt: new Date() },
        })
        await recordEvent(gw, tx, ctx, id, cur.studentId, { fromState: cur.state, toState: body.to, riskFrom: null, riskTo: null, reason: body.reason })
        return presentCase(row)
      })
    },

    async events(ctx: RequestContext, caseId: string) {
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, gw.decision(ctx, 'cases'), caseId)
        const r = await gw.list(tx, ctx.decision, {
          where: eq(caseEvents.caseId, caseId), filterFields: ['caseId'], sort: [{ field: 'at', dir: 'asc' }], limit: 500, offset: 0,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items.map(presentEvent), total: r.total }
      })
    },
  }
}

/** A case the caller reads that is not closed: plans and sessions hang off it. */
export async function activeCase(gw: Gateway, ctx: RequestContext, tx: Tx, caseId: string) {
  const row = await gw.read(tx, gw.decision(ctx, 'cases'), caseId)
  // Shared lock: the case cannot be closed between this check and the caller's commit.
  const cur = await repo.caseState(tx, ctx.actor.schoolId!, caseId, 'share')
  if (!cur) throw new NotFound()
  if (cur.state === 'closed') throw new Conflict('case_closed')
  return { row, studentId: cur.studentId }
}

export type CaseService = ReturnType<typeof createCaseService>
