import { and, eq, inArray, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { talkDuties } from '../../../db/schema/index.js'
import type { Gateway } from '../../access/gateway.js'
import type { RequestContext } from '../../plugins/access.js'
import { complianceByClass } from './compliance.js'
import type { ComplianceQuery, DutyListQuery } from './schemas.js'

export function createDutyService(gw: Gateway) {
  return {
    /**
     * Due and overdue talks: a homeroom teacher's class, the psychology teacher's whole
     * school; a school admin sees windows and states only (no student).
     */
    list(ctx: RequestContext, q: z.infer<typeof DutyListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds: SQL[] = []
        const filterFields: string[] = []
        if (q.status) { conds.push(inArray(talkDuties.status, q.status)); filterFields.push('status') }
        if (q.kind) { conds.push(eq(talkDuties.kind, q.kind)); filterFields.push('kind') }
        if (q.classId) { conds.push(eq(talkDuties.classId, q.classId)); filterFields.push('classId') }
        if (q.studentId) { conds.push(eq(talkDuties.studentId, q.studentId)); filterFields.push('studentId') }
        if (q.windowKey) { conds.push(eq(talkDuties.windowKey, q.windowKey)); filterFields.push('windowKey') }
        const r = await gw.list(tx, ctx.decision, {
          where: and(...conds),
          filterFields,
          sort: [{ field: 'dueDate', dir: 'asc' }, { field: 'kind', dir: 'asc' }],
          limit: q.limit,
          offset: q.offset,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    /** % done on time per class and window, for the caller's school (counts only). */
    compliance(ctx: RequestContext, q: z.infer<typeof ComplianceQuery>) {
      const d = ctx.decision
      // Grouped only by fields every granted role reads; the caller's row scope filters first.
      d.assertQueryable(['classId', 'kind', 'windowKey', 'windowStart', 'dueDate', 'status'])
      return gw.tx(ctx, async (tx) => {
        const items = await complianceByClass(tx, ctx.actor.schoolId!, q, d.where())
        await gw.audit(tx, ctx, { action: 'R', recordIds: [], fieldGroups: ['window', 'progress'] })
        return { items }
      })
    },
  }
}

export type DutyService = ReturnType<typeof createDutyService>
