import type { z } from 'zod'
import { sentKeys, type Gateway } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import type { StaffCreate, StaffPatch } from './schemas.js'

/** 心理健康教师基本情况: staff profiles kept by the school admin. */
export function createStaffService(gw: Gateway) {
  /** A linked account must be a user of the caller's school. */
  async function checkUser(tx: Tx, ctx: RequestContext, userId: string | null | undefined) {
    if (userId) await gw.read(tx, gw.decision(ctx, 'users'), userId)
  }

  return {
    async list(ctx: RequestContext, q: { limit: number; offset: number }) {
      return gw.tx(ctx, async (tx) => {
        const r = await gw.list(tx, ctx.decision, { sort: [{ field: 'employment', dir: 'asc' }], limit: q.limit, offset: q.offset })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async get(ctx: RequestContext, id: string) {
      return gw.tx(ctx, (tx) => gw.read(tx, ctx.decision, id))
    },

    async create(ctx: RequestContext, body: z.infer<typeof StaffCreate>) {
      // The writable fields are checked before the linked account is looked up, as for every write.
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        await checkUser(tx, ctx, body.userId)
        return gw.create(tx, ctx, ctx.decision, {
          input: body,
          values: {
            schoolId: ctx.actor.schoolId!,
            userId: body.userId ?? null,
            name: body.name ?? null,
            qualifications: body.qualifications ?? [],
            trainingHoursYear: body.trainingHoursYear ?? 0,
            trainingYear: body.trainingYear ?? Number(gw.today().slice(0, 4)),
          },
        })
      })
    },

    async update(ctx: RequestContext, id: string, body: z.infer<typeof StaffPatch>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        const before = await gw.read(tx, ctx.decision, id)
        await checkUser(tx, ctx, body.userId)
        const userId = body.userId !== undefined ? body.userId : before.userId
        const name = body.name !== undefined ? body.name : before.name
        if (!userId && !name) throw new Validation('staff_needs_who')
        return gw.update(tx, ctx, ctx.decision, id, { input: body, values: { updatedAt: new Date() } })
      })
    },

    async remove(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => { await gw.remove(tx, ctx, ctx.decision, id, { audit: { fieldGroups: [] } }) })
    },
  }
}

export type StaffService = ReturnType<typeof createStaffService>
