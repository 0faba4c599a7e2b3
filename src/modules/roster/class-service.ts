import { and, eq, isNull, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { classes } from '../../../db/schema/index.js'
import { audit, readMany } from '../../access/query.js'
import { AppError } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import * as repo from './repository.js'
import { decisionOn, groupsOf, inActorTx, mustRead, sentKeys, type RosterDeps } from './record-access.js'
import type { ClassCreate, ClassListQuery, ClassPatch, GradeCreate } from './schemas.js'
import { gradeName } from './grade-names.js'

export function createClassService(deps: RosterDeps) {
  return {
    async listGrades(ctx: RequestContext, q: { limit: number; offset: number }) {
      return inActorTx(deps, ctx, async (tx) => {
        const r = await readMany(tx, ctx.decision, { sort: [{ field: 'level', dir: 'asc' }], limit: q.limit, offset: q.offset })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async createGrade(ctx: RequestContext, body: z.infer<typeof GradeCreate>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(deps, ctx, async (tx) => {
        const id = await repo.insertGrade(tx, { schoolId: ctx.actor.schoolId!, level: body.level, name: body.name ?? gradeName(body.level) })
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'C', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    async listClasses(ctx: RequestContext, q: z.infer<typeof ClassListQuery>) {
      return inActorTx(deps, ctx, async (tx) => {
        // Graduated classes (升年级) stay for their records but are not listed as the school's classes.
        const where: SQL | undefined = and(isNull(classes.endedAt), q.gradeId ? eq(classes.gradeId, q.gradeId) : undefined)
        const r = await readMany(tx, ctx.decision, {
          where,
          filterFields: q.gradeId ? ['gradeId'] : [],
          sort: [{ field: 'gradeId', dir: 'asc' }, { field: 'seq', dir: 'asc' }],
          limit: q.limit,
          offset: q.offset,
        })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async getClass(ctx: RequestContext, id: string) {
      return inActorTx(deps, ctx, (tx) => mustRead(tx, ctx.decision, id))
    },

    async createClass(ctx: RequestContext, body: z.infer<typeof ClassCreate>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(deps, ctx, async (tx) => {
        const grade = await mustRead(tx, decisionOn(deps, ctx, 'grades'), body.gradeId)
        const name = body.name ?? `${typeof grade.name === 'string' ? grade.name : ''}(${body.seq})班`
        const id = await repo.insertClass(tx, { schoolId: ctx.actor.schoolId!, gradeId: body.gradeId, seq: body.seq, name })
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'C', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    async updateClass(ctx: RequestContext, id: string, body: z.infer<typeof ClassPatch>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(deps, ctx, async (tx) => {
        await mustRead(tx, ctx.decision, id)
        if (body.gradeId) await mustRead(tx, decisionOn(deps, ctx, 'grades'), body.gradeId)
        await repo.updateClass(tx, ctx.actor.schoolId!, id, body)
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'U', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    async deleteClass(ctx: RequestContext, id: string) {
      return inActorTx(deps, ctx, async (tx) => {
        const row = await mustRead(tx, ctx.decision, id)
        // Locked before the count: a pupil or role being put into the class holds it shared
        // (assignableClass), so the count sees them once they commit, and they find no class after.
        await repo.lockClass(tx, ctx.actor.schoolId!, id, 'update')
        // A class with pupils is not removed by accident; move or remove them first.
        if (await repo.studentsInClass(tx, ctx.actor.schoolId!, id) > 0) throw new AppError(409, 'in_use')
        await repo.deleteClass(tx, ctx.actor.schoolId!, id)
        await audit(tx, ctx, { action: 'D', rows: [row], fieldGroups: [] })
      })
    },
  }
}

export type ClassService = ReturnType<typeof createClassService>
