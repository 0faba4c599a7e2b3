import { and, eq, gte, lte, or, isNull, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { grades, schoolActivities } from '../../../db/schema/index.js'
import { sentKeys, type Gateway, type Row } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { NotFound, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import type { ActivityCreate, ActivityListQuery, ActivityPatch } from './lessons-schemas.js'

interface Reach { reach: string; gradeId: string | null; classId: string | null; startsOn: string; endsOn: string | null }

/**
 * 主题活动 (心理健康日, 心理健康教育月, 开学礼 …): whom it reached and how many took part.
 * A school-wide activity names no grade or class; a grade's names its grade; a class's its
 * class. A homeroom teacher's scope is their class, so they keep class activities only.
 */
export function createActivityService(gw: Gateway) {
  async function checkReach(tx: Tx, ctx: RequestContext, r: Reach): Promise<void> {
    if (r.endsOn && r.endsOn < r.startsOn) throw new Validation('date_range_invalid', {}, { fields: ['startsOn', 'endsOn'] })
    if (r.reach === 'school' && (r.gradeId || r.classId)) throw new Validation('activity_reach_mismatch', {}, { fields: ['reach'] }, 422)
    if (r.reach === 'grade' && (!r.gradeId || r.classId)) throw new Validation('activity_grade_required', {}, { fields: ['gradeId'] }, 422)
    if (r.reach === 'class' && (!r.classId || r.gradeId)) throw new Validation('activity_class_required', {}, { fields: ['classId'] }, 422)
    const classOnly = ctx.decision.grants.every((g) => g.scope === 'class')
    if (classOnly && r.reach !== 'class') throw new Validation('activity_class_reach_only', {}, { fields: ['reach'] }, 422)
    if (r.gradeId) {
      const g = await tx.select({ id: grades.id }).from(grades).where(and(eq(grades.schoolId, ctx.actor.schoolId!), eq(grades.id, r.gradeId))).limit(1)
      if (!g.length) throw new NotFound()
    }
    if (r.classId) await gw.read(tx, gw.decision(ctx, 'classes'), r.classId)
  }

  return {
    list(ctx: RequestContext, q: z.infer<typeof ActivityListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds: Array<SQL | undefined> = []
        const fields: string[] = []
        if (q.kind) { conds.push(eq(schoolActivities.kind, q.kind)); fields.push('kind') }
        if (q.classId) { conds.push(eq(schoolActivities.classId, q.classId)); fields.push('classId') }
        // An activity is in the range when any of its days is.
        if (q.from) { conds.push(or(gte(schoolActivities.endsOn, q.from), and(isNull(schoolActivities.endsOn), gte(schoolActivities.startsOn, q.from)))); fields.push('startsOn', 'endsOn') }
        if (q.to) { conds.push(lte(schoolActivities.startsOn, q.to)); fields.push('startsOn') }
        const r = await gw.list(tx, ctx.decision, {
          where: conds.length ? and(...conds) : undefined, filterFields: fields,
          sort: [{ field: 'startsOn', dir: 'desc' }], limit: q.limit, offset: q.offset,
        })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    get(ctx: RequestContext, id: string) {
      return gw.tx(ctx, (tx) => gw.read(tx, ctx.decision, id))
    },

    create(ctx: RequestContext, body: z.infer<typeof ActivityCreate>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        const r: Reach = { reach: body.reach, gradeId: body.gradeId ?? null, classId: body.classId ?? null, startsOn: body.startsOn, endsOn: body.endsOn ?? null }
        await checkReach(tx, ctx, r)
        return gw.create(tx, ctx, ctx.decision, {
          input: body, values: { schoolId: ctx.actor.schoolId!, ...r, createdBy: ctx.actor.userId },
        })
      })
    },

    update(ctx: RequestContext, id: string, body: z.infer<typeof ActivityPatch>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        const before: Row = await gw.read(tx, ctx.decision, id)
        const pick = <K extends keyof Reach>(k: K): Reach[K] => (body[k] === undefined ? before[k] : body[k]) as Reach[K]
        await checkReach(tx, ctx, { reach: pick('reach'), gradeId: pick('gradeId'), classId: pick('classId'), startsOn: pick('startsOn'), endsOn: pick('endsOn') })
        return gw.update(tx, ctx, ctx.decision, id, { input: body })
      })
    },

    remove(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => { await gw.remove(tx, ctx, ctx.decision, id, { audit: { fieldGroups: [] } }) })
    },
  }
}

export type ActivityService = ReturnType<typeof createActivityService>
