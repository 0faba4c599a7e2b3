import { and, eq, ilike, like, or, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { students } from '../../../db/schema/index.js'
import { audit, readMany, type Sort } from '../../access/query.js'
import type { RequestContext } from '../../plugins/access.js'
import * as repo from './repository.js'
import { assignableClass, groupsOf, inActorTx, mustRead, sentKeys, type RosterDeps } from './record-access.js'
import type { StudentCreate, StudentListQuery, StudentPatch } from './schemas.js'

/** `%` and `_` typed into a search box are characters, not wildcards. */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`)
}

export function createStudentService(deps: RosterDeps) {
  return {
    async list(ctx: RequestContext, q: z.infer<typeof StudentListQuery>) {
      return inActorTx(deps, ctx, async (tx) => {
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
        const r = await readMany(tx, ctx.decision, { where: and(...conds), filterFields, sort, limit: q.limit, offset: q.offset })
        // A list of pupils is a read of each of them: ids (never names) go into the audit row.
        await audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async get(ctx: RequestContext, id: string) {
      return inActorTx(deps, ctx, async (tx) => {
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'R', rows: [row] })
        return row
      })
    },

    async create(ctx: RequestContext, body: z.infer<typeof StudentCreate>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(deps, ctx, async (tx) => {
        await assignableClass(deps, ctx, tx, body.classId)
        const id = await repo.insertStudent(tx, { ...body, schoolId: ctx.actor.schoolId! })
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'C', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    async update(ctx: RequestContext, id: string, body: z.infer<typeof StudentPatch>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(deps, ctx, async (tx) => {
        const cur = await mustRead(tx, ctx.decision, id)
        // A graduate's record can still be corrected; only a move into a graduated class is refused.
        if (body.classId && body.classId !== cur.classId) await assignableClass(deps, ctx, tx, body.classId)
        await repo.updateStudent(tx, ctx.actor.schoolId!, id, body)
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'U', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    async remove(ctx: RequestContext, id: string) {
      return inActorTx(deps, ctx, async (tx) => {
        const row = await mustRead(tx, ctx.decision, id)
        // Guardians go with the student (FK cascade); case records of later modules refuse (409 in_use).
        await repo.deleteStudent(tx, ctx.actor.schoolId!, id)
        await audit(tx, ctx, { action: 'D', rows: [row], fieldGroups: [] })
      })
    },
  }
}

export type StudentService = ReturnType<typeof createStudentService>
