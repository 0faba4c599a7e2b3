import { and, eq } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { z } from 'zod'
import { staffProfiles } from '../../../db/schema/index.js'
import { audit, readMany } from '../../access/query.js'
import type { Tx } from '../../db/database.js'
import { Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { decisionOn, groupsOf, inActorTx, mustRead, schoolToday, sentKeys } from './practice-access.js'
import type { StaffCreate, StaffPatch } from './schemas.js'

/** 心理健康教师基本情况: staff profiles kept by the school admin. */
export function createStaffService(app: FastifyInstance) {
  /** A linked account must be a user of the caller's school. */
  async function checkUser(tx: Tx, ctx: RequestContext, userId: string | null | undefined) {
    if (userId) await mustRead(tx, decisionOn(app, ctx, 'users'), userId)
  }

  return {
    async list(ctx: RequestContext, q: { limit: number; offset: number }) {
      return inActorTx(app, ctx, async (tx) => {
        const r = await readMany(tx, ctx.decision, { sort: [{ field: 'employment', dir: 'asc' }], limit: q.limit, offset: q.offset })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async get(ctx: RequestContext, id: string) {
      return inActorTx(app, ctx, (tx) => mustRead(tx, ctx.decision, id))
    },

    async create(ctx: RequestContext, body: z.infer<typeof StaffCreate>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(app, ctx, async (tx) => {
        await checkUser(tx, ctx, body.userId)
        const [made] = await tx.insert(staffProfiles).values({
          schoolId: ctx.actor.schoolId!,
          userId: body.userId ?? null,
          name: body.name ?? null,
          employment: body.employment,
          qualifications: body.qualifications ?? [],
          trainingHoursYear: body.trainingHoursYear ?? 0,
          trainingYear: body.trainingYear ?? Number(schoolToday().slice(0, 4)),
        }).returning({ id: staffProfiles.id })
        const row = await mustRead(tx, ctx.decision, made!.id)
        await audit(tx, ctx, { action: 'C', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    async update(ctx: RequestContext, id: string, body: z.infer<typeof StaffPatch>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(app, ctx, async (tx) => {
        const before = await mustRead(tx, ctx.decision, id)
        await checkUser(tx, ctx, body.userId)
        const userId = body.userId !== undefined ? body.userId : before.userId
        const name = body.name !== undefined ? body.name : before.name
        if (!userId && !name) throw new Validation('staff_needs_who')
        await tx.update(staffProfiles).set({ ...body, updatedAt: new Date() })
          .where(and(eq(staffProfiles.schoolId, ctx.actor.schoolId!), eq(staffProfiles.id, id)))
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'U', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    async remove(ctx: RequestContext, id: string) {
      return inActorTx(app, ctx, async (tx) => {
        const row = await mustRead(tx, ctx.decision, id)
        await tx.delete(staffProfiles).where(and(eq(staffProfiles.schoolId, ctx.actor.schoolId!), eq(staffProfiles.id, id)))
        await audit(tx, ctx, { action: 'D', rows: [row], fieldGroups: [] })
      })
    },
  }
}

export type StaffService = ReturnType<typeof createStaffService>
