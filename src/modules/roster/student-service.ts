import { and, eq, ilike, like, or, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { students } from '../../../db/schema/index.js'
import { sentKeys, type Gateway } from '../../access/gateway.js'
import type { Sort } from '../../access/query.js'
import type { RequestContext } from '../../plugins/access.js'
import { assignableClass } from './scope.js'
import type { StudentCreate, StudentListQuery, StudentPatch } from './schemas.js'

/** `%` and `_` typed into a search box are characters, not wildcards. */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`)
}

export function createStudentService(gw: Gateway) {
  return {
    async list(ctx: RequestContext, q: z.infer<typeof StudentListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds: SQL[] = []
        const filterFields: string[] = []
        if (q.classId) { conds.push(eq(students.classId, q.classId)); filterFields.push('classId') }
        if (q.status) { conds.push(eq(students.status, q.status)); filterFields.push('status') }
        if (q.q) {
          const term = likeEscape(q.q)
          conds.push(or(ilike(students.name, `%${term}%`), like(students.studentNo, `${term}%`))!)
          filterFields.push('name', 'studentNo')
        }
        const sort: Sort[] = q.sort ?? [{ field: 'studentNo', dir: 'asc' }]
        const r = await gw.list(tx, ctx.decision, { where: and(...conds), filterFields, sort, limit: q.limit, offset: q.offset })
        // A list of pupils is a read of each of them: ids (never names) go into the audit row.
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async get(ctx: RequestContext, id: string) {
      return gw.readAudited(ctx, ctx.decision, id)
    },

    async create(ctx: RequestContext, body: z.infer<typeof StudentCreate>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        await assignableClass(gw, ctx, tx, body.classId)
        return gw.create(tx, ctx, ctx.decision, { input: body, values: { schoolId: ctx.actor.schoolId! } })
      })
    },

    async update(ctx: RequestContext, id: string, body: z.infer<typeof StudentPatch>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        const cur = await gw.read(tx, ctx.decision, id)
        // A graduate's record can still be corrected; only a move into a graduated class is refused.
        if (body.classId && body.classId !== cur.classId) await assignableClass(gw, ctx, tx, body.classId)
        return gw.update(tx, ctx, ctx.decision, id, { input: body, values: { updatedAt: new Date() } })
      })
    },

    async remove(ctx: RequestContext, id: string) {
      // Out of scope deletes nothing and answers 404, as a missing student does. Guardians go
      // with the student (FK cascade); case records of later modules refuse (409 in_use).
      await gw.tx(ctx, (tx) => gw.remove(tx, ctx, ctx.decision, id))
    },
  }
}

export type StudentService = ReturnType<typeof createStudentService>
