import { and, eq, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { careList, students } from '../../../db/schema/index.js'
import type { Decision } from '../../access/engine.js'
import type { Gateway, Row } from '../../access/gateway.js'
import { Conflict, NotFound, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import * as repo from './repository.js'
import { withRiskText } from './risk-levels.js'
import type { CareCreate, CareListQuery, CarePatch, CareRemove } from './schemas.js'

const present = (row: Row) => withRiskText(row, ['riskLevel'])

/**
 * A filter on a clinical field (risk, source, reason) reaches only the rows of the caller's
 * grants that read it: a psychology teacher also holds the implied mentor grant, which reads
 * neither, so the engine's every-grant rule (assertQueryable) would refuse them outright.
 * No such grant → the same 400 assertQueryable gives (a filter would leak by bisection).
 */
function readableRows(d: Decision, fields: string[]): SQL {
  const grants = d.grants.filter((g) => fields.every((f) => g.readable.has(f)))
  if (grants.length === 0) throw new Validation('field_not_readable', { fields: fields.join(', ') }, { fields })
  return or(...grants.map((g) => g.condition))!
}

/**
 * 关注名单. A student is on it at most once at a time, with or without a screening behind it.
 * What the homeroom teacher and mentors see of an entry is the policy's call (keys, since
 * when, guidance) — never the reason or the risk.
 */
export function createCareListService(gw: Gateway) {
  return {
    async list(ctx: RequestContext, q: z.infer<typeof CareListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds: SQL[] = []
        const filterFields: string[] = []
        if (q.state === 'active') { conds.push(isNull(careList.removedAt)); filterFields.push('removedAt') }
        if (q.state === 'removed') { conds.push(isNotNull(careList.removedAt)); filterFields.push('removedAt') }
        if (q.studentId) { conds.push(eq(careList.studentId, q.studentId)); filterFields.push('studentId') }
        if (q.riskLevel) conds.push(readableRows(ctx.decision, ['riskLevel']), eq(careList.riskLevel, q.riskLevel))
        if (q.source === 'screening') conds.push(readableRows(ctx.decision, ['sourceResponseId']), isNotNull(careList.sourceResponseId))
        if (q.source === 'manual') conds.push(readableRows(ctx.decision, ['sourceResponseId']), isNull(careList.sourceResponseId))
        if (q.q) conds.push(readableRows(ctx.decision, ['reason']), sql`strpos(${careList.reason}, ${q.q}) > 0`)
        if (q.classId) {
          // The class through the caller's own reading of students: a class they cannot see matches nobody.
          const pupils = gw.decision(ctx, 'students', 'list')
          pupils.assertQueryable(['classId'])
          conds.push(inArray(careList.studentId, tx.select({ id: students.id }).from(students).where(and(pupils.where(), eq(students.classId, q.classId)))))
          filterFields.push('studentId')
        }
        const r = await gw.list(tx, ctx.decision, {
          where: and(...conds), filterFields, sort: [{ field: 'addedAt', dir: 'desc' }], limit: q.limit, offset: q.offset,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items.map(present), total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async get(ctx: RequestContext, id: string) {
      return present(await gw.readAudited(ctx, ctx.decision, id))
    },

    async create(ctx: RequestContext, studentId: string, body: z.infer<typeof CareCreate>) {
      const schoolId = ctx.actor.schoolId!
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, gw.decision(ctx, 'students'), studentId)
        if (body.sourceResponseId) {
          const response = await gw.read(tx, gw.decision(ctx, 'screening_responses'), body.sourceResponseId)
          if (response.studentId !== studentId) throw new NotFound()
        }
        if (await repo.activeCareEntry(tx, schoolId, studentId)) throw new Conflict('duplicate', { what: 'care_list' })
        const row = await gw.create(tx, ctx, ctx.decision, { input: body, values: { schoolId, studentId, addedBy: ctx.actor.userId } })
        return present(row)
      })
    },

    async update(ctx: RequestContext, id: string, body: z.infer<typeof CarePatch>) {
      return gw.tx(ctx, async (tx) => present(await gw.update(tx, ctx, ctx.decision, id, { input: body })))
    },

    /** Taken off the list with a reason; the entry stays in the archive. */
    async remove(ctx: RequestContext, id: string, body: z.infer<typeof CareRemove>) {
      return gw.tx(ctx, async (tx) => {
        const cur = await gw.read(tx, ctx.decision, id)
        if (cur.removedAt) throw new Conflict('care_already_removed')
        const row = await gw.update(tx, ctx, ctx.decision, id, {
          input: body, values: { removedAt: new Date() }, audit: { fieldGroups: ['clinical', 'listing'] },
        })
        return present(row)
      })
    },
  }
}

export type CareListService = ReturnType<typeof createCareListService>
