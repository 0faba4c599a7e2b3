import { and, eq, isNull, sql } from 'drizzle-orm'
import type { z } from 'zod'
import { notifications } from '../../../db/schema/index.js'
import { audit, readMany, readOne } from '../../access/query.js'
import type { PolicyRegistry } from '../../access/engine.js'
import type { Config } from '../../config.js'
import type { Database } from '../../db/database.js'
import { NotFound } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { inActorTx } from '../roster/record-access.js'
import type { NotificationListQuery } from './schemas.js'

export interface NotificationDeps { database: Database; policies: PolicyRegistry; config: Config }

/** A teacher's own in-app notifications (the policy's `own` scope: nobody reads another's). */
export function createNotificationService(deps: NotificationDeps) {
  return {
    list(ctx: RequestContext, q: z.infer<typeof NotificationListQuery>) {
      return inActorTx(deps, ctx, async (t) => {
        const r = await readMany(t, ctx.decision, {
          where: q.unread === undefined ? undefined : q.unread ? isNull(notifications.readAt) : sql`${notifications.readAt} is not null`,
          filterFields: q.unread === undefined ? [] : ['readAt'],
          sort: [{ field: 'createdAt', dir: 'desc' }],
          limit: q.limit,
          offset: q.offset,
        })
        await audit(t, ctx, { action: 'R', rows: r.items })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    /** Idempotent: a notification read before keeps its first read time. */
    markRead(ctx: RequestContext, id: string) {
      return inActorTx(deps, ctx, async (t) => {
        if (!(await readOne(t, ctx.decision, id))) throw new NotFound()
        await t.update(notifications).set({ readAt: sql`now()` })
          .where(and(eq(notifications.schoolId, ctx.actor.schoolId!), eq(notifications.id, id), isNull(notifications.readAt)))
        const row = await readOne(t, ctx.decision, id)
        if (!row) throw new NotFound()
        await audit(t, ctx, { action: 'U', rows: [row], fieldGroups: ['state'] })
        return row
      })
    },
  }
}
