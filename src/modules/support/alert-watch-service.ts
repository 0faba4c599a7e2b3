import { and, eq, gte, isNull, lte, not, or, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { peerWatchNotes, peerWatchRequests, userRoles, users } from '../../../db/schema/index.js'
import type { Decision } from '../../access/engine.js'
import { sentKeys, type Gateway } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { lockRow } from '../../db/row-lock.js'
import { Conflict, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import type { WatchNoteCreate, WatchRequestCreate, WatchRequestListQuery } from './alert-watch-schemas.js'

/** A watch request the monitor should act on on the school day `today`. */
export function openWatchRequest(today: SQL): SQL {
  return and(
    isNull(peerWatchRequests.endedAt),
    lte(peerWatchRequests.startDate, today),
    or(isNull(peerWatchRequests.endDate), gte(peerWatchRequests.endDate, today)),
  )!
}

/** A monitor sees only their open requests; other grants (psychology) see ended ones too. */
function monitorOpenOnly(d: Decision, today: SQL): SQL | undefined {
  if (!d.grants.some((g) => g.role === 'peer_monitor')) return undefined
  return or(openWatchRequest(today), ...d.grants.filter((g) => g.role !== 'peer_monitor').map((g) => g.condition))
}

async function assertMonitorOfClass(tx: Tx, schoolId: string, monitorId: string, classId: string): Promise<void> {
  const rows = await tx.select({ id: userRoles.id }).from(userRoles).where(and(
    eq(userRoles.userId, monitorId), eq(userRoles.role, 'peer_monitor'), eq(userRoles.schoolId, schoolId), eq(userRoles.classId, classId),
  )).limit(1)
  if (rows.length === 0) throw new Validation('monitor_not_in_class', {}, { fields: ['monitorId'] })
}

export function createWatchService(gw: Gateway) {
  return {
    create(ctx: RequestContext, studentId: string, body: z.infer<typeof WatchRequestCreate>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        const schoolId = ctx.actor.schoolId!
        const student = await gw.read(tx, gw.decision(ctx, 'students'), studentId)
        await assertMonitorOfClass(tx, schoolId, body.monitorId, student.classId as string)
        const startDate = body.startDate ?? gw.today()
        if (body.endDate && body.endDate < startDate) throw new Validation('date_range_invalid')
        return gw.create(tx, ctx, ctx.decision, {
          input: body,
          values: { schoolId, studentId, requestedBy: ctx.actor.userId, startDate, endDate: body.endDate ?? null },
        })
      })
    },

    /**
     * The class psychology monitors a request for this student can go to: active accounts
     * holding peer_monitor for the student's class (names only) — the same rule create checks.
     */
    monitorsOf(ctx: RequestContext, studentId: string) {
      return gw.tx(ctx, async (tx) => {
        const student = await gw.read(tx, gw.decision(ctx, 'students'), studentId)
        const items = await tx.selectDistinct({ id: users.id, displayName: users.displayName }).from(userRoles)
          .innerJoin(users, eq(users.id, userRoles.userId))
          .where(and(
            eq(userRoles.schoolId, ctx.actor.schoolId!), eq(userRoles.role, 'peer_monitor'),
            eq(userRoles.classId, student.classId as string), eq(users.status, 'active'),
          ))
          .orderBy(users.displayName, users.id)
        await gw.audit(tx, ctx, { action: 'R', resource: 'users', recordIds: items.map((u) => u.id), fieldGroups: ['account'] })
        return { items, total: items.length }
      })
    },

    list(ctx: RequestContext, q: z.infer<typeof WatchRequestListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const today = gw.todaySql()
        const conds: Array<SQL | undefined> = [monitorOpenOnly(ctx.decision, today)]
        const filterFields: string[] = []
        if (q.studentId) { conds.push(eq(peerWatchRequests.studentId, q.studentId)); filterFields.push('studentId') }
        if (q.monitorId) { conds.push(eq(peerWatchRequests.monitorId, q.monitorId)); filterFields.push('monitorId') }
        if (q.open !== undefined) {
          conds.push(q.open ? openWatchRequest(today) : not(openWatchRequest(today)))
          filterFields.push('endedAt', 'startDate', 'endDate')
        }
        const r = await gw.list(tx, ctx.decision, { where: and(...conds), filterFields, limit: q.limit, offset: q.offset })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    get(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => {
        const row = await gw.read(tx, ctx.decision, id, monitorOpenOnly(ctx.decision, gw.todaySql()))
        await gw.audit(tx, ctx, { action: 'R', rows: [row] })
        return row
      })
    },

    end(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => {
        // Locked: ended once however many press at once.
        await lockRow(tx, peerWatchRequests, ctx.actor.schoolId!, id)
        const before = await gw.read(tx, ctx.decision, id)
        if (before.endedAt) throw new Conflict('watch_request_ended')
        return gw.update(tx, ctx, ctx.decision, id, { values: { endedAt: new Date() }, audit: { fieldGroups: ['status'] } })
      })
    },

    /** The monitor adds a note to an open request addressed to them; they cannot read notes back. */
    addNote(ctx: RequestContext, requestId: string, body: z.infer<typeof WatchNoteCreate>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        // Shared lock: the request cannot end between this check and the note's commit.
        await lockRow(tx, peerWatchRequests, ctx.actor.schoolId!, requestId, 'share')
        const request = await gw.read(tx, gw.decision(ctx, 'peer_watch_requests'), requestId,
          and(eq(peerWatchRequests.monitorId, ctx.actor.userId), openWatchRequest(gw.todaySql())))
        return gw.create(tx, ctx, ctx.decision, {
          input: body,
          values: { schoolId: ctx.actor.schoolId!, requestId, studentId: request.studentId as string, monitorId: ctx.actor.userId },
        })
      })
    },

    listNotes(ctx: RequestContext, requestId: string) {
      return gw.tx(ctx, async (tx) => {
        const request = await gw.read(tx, gw.decision(ctx, 'peer_watch_requests'), requestId)
        const r = await gw.list(tx, ctx.decision, {
          where: eq(peerWatchNotes.requestId, requestId), filterFields: ['requestId'],
          sort: [{ field: 'createdAt', dir: 'desc' }], limit: 500, offset: 0,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items, studentIds: [request.studentId as string] })
        return { items: r.items, total: r.total }
      })
    },
  }
}

export type WatchService = ReturnType<typeof createWatchService>
