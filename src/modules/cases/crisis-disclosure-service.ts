import { eq } from 'drizzle-orm'
import type { z } from 'zod'
import { crisisDisclosures } from '../../../db/schema/index.js'
import type { Gateway } from '../../access/gateway.js'
import { Conflict, NotFound, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import * as repo from './repository.js'
import type { DisclosureCreate } from './safety-assessment-schemas.js'

/**
 * 告知记录 of a crisis event (辅导室指南: when there is a risk of harm the 班主任 and the
 * guardians are told, and it is recorded). Someone told has a channel and a time; a guardian
 * deliberately not told has the reason instead, and only a guardian can be "not told" — for
 * anyone else there is simply no record yet.
 */
export function createCrisisDisclosureService(gw: Gateway) {
  return {
    async add(ctx: RequestContext, crisisId: string, body: z.infer<typeof DisclosureCreate>) {
      const notTold = body.notTold ?? body.notToldReason !== undefined
      if (notTold) {
        if (body.role !== 'guardian') throw new Validation('not_told_only_guardian', {}, { fields: ['notTold', 'role'] }, 422)
        if (!body.notToldReason) throw new Validation('not_told_reason_required', {}, { fields: ['notToldReason'] }, 422)
        if (body.channel || body.toldAt) throw new Validation('validation_failed', {}, { fields: ['notTold', 'channel', 'toldAt'] }, 422)
      } else if (!body.channel) {
        throw new Validation('disclosure_channel_required', {}, { fields: ['channel'] }, 422)
      }
      const now = new Date()
      const toldAt = notTold ? null : body.toldAt ?? now
      // A minute's grace for the client's clock; a disclosure cannot be recorded before it happened.
      if (toldAt && toldAt.getTime() > now.getTime() + 60_000) throw new Validation('date_in_future', {}, { fields: ['toldAt'] }, 422)
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, gw.decision(ctx, 'crisis_events'), crisisId)
        // Shared: records do not wait for each other, but a resolution waits for them.
        const cur = await repo.crisisState(tx, ctx.actor.schoolId!, crisisId, 'share')
        if (!cur) throw new NotFound()
        if (cur.status === 'resolved') throw new Conflict('crisis_resolved')
        return gw.create(tx, ctx, ctx.decision, {
          input: {
            role: body.role, channel: notTold ? undefined : body.channel, toldAt: toldAt ?? undefined, note: body.note,
            notToldReason: notTold ? body.notToldReason : undefined,
          },
          values: { schoolId: ctx.actor.schoolId!, crisisId, studentId: cur.studentId, recordedBy: ctx.actor.userId },
        })
      })
    },

    async list(ctx: RequestContext, crisisId: string) {
      return gw.tx(ctx, async (tx) => {
        const crisis = await gw.read(tx, gw.decision(ctx, 'crisis_events'), crisisId)
        const r = await gw.list(tx, ctx.decision, {
          where: eq(crisisDisclosures.crisisId, crisisId), filterFields: ['crisisId'], sort: [{ field: 'recordedAt', dir: 'asc' }], limit: 200, offset: 0,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items, studentIds: [crisis.studentId as string] })
        return { items: r.items, total: r.total }
      })
    },
  }
}

export type CrisisDisclosureService = ReturnType<typeof createCrisisDisclosureService>
