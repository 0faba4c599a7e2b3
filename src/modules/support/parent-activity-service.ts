import { and, asc, eq, gte, lte, sql, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { homeSchoolActivities } from '../../../db/schema/index.js'
import { sentKeys, type Gateway } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { NotFound, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import type { ActivityCreate, ActivityListQuery, ActivityPatch, ActivitySummaryQuery } from './parent-activity-schemas.js'

export function createActivityService(gw: Gateway) {
  /** A class must be one the caller reaches; a school-wide activity needs a school-wide grant. */
  async function assertPlace(tx: Tx, ctx: RequestContext, classId: string | null | undefined) {
    if (classId) {
      await gw.read(tx, gw.decision(ctx, 'classes'), classId)
      return
    }
    if (!ctx.decision.grants.some((g) => g.scope === 'school')) throw new Validation('class_required', {}, { fields: ['classId'] })
  }

  function filters(q: { classId?: string | undefined; kind?: string | undefined; from?: string | undefined; to?: string | undefined }) {
    const conds: SQL[] = []
    const filterFields: string[] = []
    if (q.classId) { conds.push(eq(homeSchoolActivities.classId, q.classId)); filterFields.push('classId') }
    if (q.kind) { conds.push(eq(homeSchoolActivities.kind, q.kind)); filterFields.push('kind') }
    if (q.from) { conds.push(gte(homeSchoolActivities.activityDate, q.from)); filterFields.push('activityDate') }
    if (q.to) { conds.push(lte(homeSchoolActivities.activityDate, q.to)); filterFields.push('activityDate') }
    return { where: and(...conds), filterFields }
  }

  return {
    create(ctx: RequestContext, body: z.infer<typeof ActivityCreate>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        await assertPlace(tx, ctx, body.classId)
        return gw.create(tx, ctx, ctx.decision, {
          input: body, values: { schoolId: ctx.actor.schoolId!, classId: body.classId ?? null, createdBy: ctx.actor.userId },
        })
      })
    },

    list(ctx: RequestContext, q: z.infer<typeof ActivityListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const f = filters(q)
        const r = await gw.list(tx, ctx.decision, { ...f, sort: [{ field: 'activityDate', dir: 'desc' }], limit: q.limit, offset: q.offset })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    get(ctx: RequestContext, id: string) {
      return gw.readAudited(ctx, ctx.decision, id)
    },

    update(ctx: RequestContext, id: string, body: z.infer<typeof ActivityPatch>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, ctx.decision, id)
        if (body.classId !== undefined) await assertPlace(tx, ctx, body.classId)
        const row = await gw.update(tx, ctx, ctx.decision, id, { input: body })
        // The caller must still reach the activity where it now sits (no grant reaches it: nothing
        // readable), or the transaction ends and nothing changes.
        if (!('id' in row)) throw new NotFound()
        return row
      })
    },

    /** Counts and attendance per kind and class, over the rows the caller reaches: for the duty statistics. */
    summary(ctx: RequestContext, q: z.infer<typeof ActivitySummaryQuery>) {
      return gw.tx(ctx, async (tx) => {
        const d = ctx.decision
        const f = filters(q)
        d.assertQueryable([...f.filterFields, 'kind', 'classId', 'attendance'])
        const rows = await tx.select({
          kind: homeSchoolActivities.kind,
          classId: homeSchoolActivities.classId,
          activities: sql<number>`count(*)::int`,
          attendance: sql<number>`coalesce(sum(${homeSchoolActivities.attendance}), 0)::int`,
        }).from(homeSchoolActivities).where(and(d.where(), f.where))
          .groupBy(homeSchoolActivities.kind, homeSchoolActivities.classId)
          .orderBy(asc(homeSchoolActivities.kind), asc(homeSchoolActivities.classId))
        await gw.audit(tx, ctx, { action: 'R', recordIds: [], fieldGroups: ['activity'] })
        return { items: rows.map((r) => ({ ...r, activities: Number(r.activities), attendance: Number(r.attendance) })) }
      })
    },
  }
}

export type ActivityService = ReturnType<typeof createActivityService>
