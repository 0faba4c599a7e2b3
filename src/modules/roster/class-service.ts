import { and, eq, isNull, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { classes } from '../../../db/schema/index.js'
import { sentKeys, type Gateway } from '../../access/gateway.js'
import { AppError } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import * as repo from './repository.js'
import type { ClassCreate, ClassListQuery, ClassPatch, GradeCreate } from './schemas.js'
import { gradeName } from './grade-names.js'

export function createClassService(gw: Gateway) {
  return {
    async listGrades(ctx: RequestContext, q: { limit: number; offset: number }) {
      return gw.tx(ctx, async (tx) => {
        const r = await gw.list(tx, ctx.decision, { sort: [{ field: 'level', dir: 'asc' }], limit: q.limit, offset: q.offset })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async createGrade(ctx: RequestContext, body: z.infer<typeof GradeCreate>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, (tx) => gw.create(tx, ctx, ctx.decision, {
        input: body, values: { schoolId: ctx.actor.schoolId!, name: body.name ?? gradeName(body.level) },
      }))
    },

    async listClasses(ctx: RequestContext, q: z.infer<typeof ClassListQuery>) {
      return gw.tx(ctx, async (tx) => {
        // Graduated classes (升年级) stay for their records but are not listed as the school's classes.
        const where: SQL | undefined = and(isNull(classes.endedAt), q.gradeId ? eq(classes.gradeId, q.gradeId) : undefined)
        const r = await gw.list(tx, ctx.decision, {
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
      return gw.tx(ctx, (tx) => gw.read(tx, ctx.decision, id))
    },

    async createClass(ctx: RequestContext, body: z.infer<typeof ClassCreate>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        const grade = await gw.read(tx, gw.decision(ctx, 'grades'), body.gradeId)
        const name = body.name ?? `${typeof grade.name === 'string' ? grade.name : ''}(${body.seq})班`
        return gw.create(tx, ctx, ctx.decision, { input: body, values: { schoolId: ctx.actor.schoolId!, name } })
      })
    },

    async updateClass(ctx: RequestContext, id: string, body: z.infer<typeof ClassPatch>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, ctx.decision, id)
        if (body.gradeId) await gw.read(tx, gw.decision(ctx, 'grades'), body.gradeId)
        return gw.update(tx, ctx, ctx.decision, id, { input: body })
      })
    },

    async deleteClass(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, ctx.decision, id)
        // Locked before the count: a pupil or role being put into the class holds it shared
        // (assignableClass), so the count sees them once they commit, and they find no class after.
        await repo.lockClass(tx, ctx.actor.schoolId!, id, 'update')
        // A class with pupils is not removed by accident; move or remove them first.
        if (await repo.studentsInClass(tx, ctx.actor.schoolId!, id) > 0) throw new AppError(409, 'in_use')
        await gw.remove(tx, ctx, ctx.decision, id)
      })
    },
  }
}

export type ClassService = ReturnType<typeof createClassService>
