import { isNull, sql } from 'drizzle-orm'
import type { z } from 'zod'
import { notifications } from '../../../db/schema/index.js'
import type { Gateway } from '../../access/gateway.js'
import type { RequestContext } from '../../plugins/access.js'
import type { NotificationListQuery } from './schemas.js'

/** A teacher's own in-app notifications (the policy's `own` scope: nobody reads another's). */
export function createNotificationService(gw: Gateway) {
  return {
    list(ctx: RequestContext, q: z.infer<typeof NotificationListQuery>) {
      return gw.tx(ctx, async (t) => {
        const r = await gw.list(t, ctx.decision, {
          where: q.unread === undefined ? undefined : q.unread ? isNull(notifications.readAt) : sql`${notifications.readAt} is not null`,
          filterFields: q.unread === undefined ? [] : ['readAt'],
          sort: [{ field: 'createdAt', dir: 'desc' }],
          limit: q.limit,
          offset: q.offset,
        })
        await gw.audit(t, ctx, { action: 'R', rows: r.items })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    /** Idempotent: a notification read before keeps its first read time. */
    markRead(ctx: RequestContext, id: string) {
      return gw.tx(ctx, (t) => gw.update(t, ctx, ctx.decision, id, {
        values: { readAt: sql`coalesce(${notifications.readAt}, now())` }, audit: { fieldGroups: ['state'] },
      }))
    },
  }
}
