import { and, eq, gte, isNull, lte, not, or, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { peerWatchNotes, peerWatchRequests, userRoles, users } from '../../../db/schema/index.js'
import { SCHOOL_TODAY, type Decision } from '../../access/engine.js'
import { audit, readMany } from '../../access/query.js'
import type { Tx } from '../../db/database.js'
import { lockRow } from '../../db/row-lock.js'
import { Conflict, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import type { WatchNoteCreate, WatchRequestCreate, WatchRequestListQuery } from './alert-watch-schemas.js'
import { decisionOn, groupsOf, inActorTx, mustRead, schoolToday, sentKeys, type SupportDeps } from './support-access.js'

/** A watch request the monitor should act on today. */
export function openWatchRequest(): SQL {
  return and(
    isNull(peerWatchRequests.endedAt),
    lte(peerWatchRequests.startDate, SCHOOL_TODAY),
    or(isNull(peerWatchRequests.endDate), gte(peerWatchRequests.endDate, SCHOOL_TODAY)),
  )!
}

/** A monitor sees only their open requests; other grants (psychology) see ended ones too. */
function monitorOpenOnly(d: Decision): SQL | undefined {
  if (!d.grants.some((g) => g.role === 'peer_monitor')) return undefined
  return or(openWatchRequest(), ...d.grants.filter((g) => g.role !== 'peer_monitor').map((g) => g.condition))
}

async function assertMonitorOfClass(tx: Tx, schoolId: string, monitorId: string, classId: string): Promise<void> {
  const rows = await tx.select({ id: userRoles.id }).from(userRoles).where(and(
    eq(userRoles.userId, monitorId), eq(userRoles.role, 'peer_monitor'), eq(userRoles.schoolId, schoolId), eq(userRoles.classId, classId),
  )).limit(1)
  if (rows.length === 0) throw new Validation('monitor_not_in_class', {}, { fields: ['monitorId'] })
}

export function createWatchService(deps: SupportDeps) {
  return {
    create(ctx: RequestContext, studentId: string, body: z.infer<typeof WatchRequestCreate>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(deps, ctx, async (tx) => {
        const schoolId = ctx.actor.schoolId!
        const student = await mustRead(tx, decisionOn(deps, ctx, 'students'), studentId)
        await assertMonitorOfClass(tx, schoolId, body.monitorId, student.classId as string)
        const startDate = body.startDate ?? schoolToday()
        if (body.endDate && body.endDate < startDate) throw new Validation('date_range_invalid')
        const [ins] = await tx.insert(peerWatchRequests).values({
          schoolId, studentId, monitorId: body.monitorId, requestedBy: ctx.actor.userId, ask: body.ask, startDate, endDate: body.endDate ?? null,
        }).returning({ id: peerWatchRequests.id })
        const row = await mustRead(tx, ctx.decision, ins!.id)
        await audit(tx, ctx, { action: 'C', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    /**
     * The class psychology monitors a request for this student can go to: active accounts
     * holding peer_monitor for the student's class (names only) — the same rule create checks.
     */
    monitorsOf(ctx: RequestContext, studentId: string) {
      return inActorTx(deps, ctx, async (tx) => {
        const student = await mustRead(tx, decisionOn(deps, ctx, 'students'), studentId)
        const items = await tx.selectDistinct({ id: users.id, displayName: users.displayName }).from(userRoles)
          .innerJoin(users, eq(users.id, userRoles.userId))
          .where(and(
            eq(userRoles.schoolId, ctx.actor.schoolId!), eq(userRoles.role, 'peer_monitor'),
            eq(userRoles.classId, student.classId as string), eq(users.status, 'active'),
          ))
          .orderBy(users.displayName, users.id)
        await audit(tx, ctx, { action: 'R', resource: 'users', recordIds: items.map((u) => u.id), fieldGroups: ['account'] })
        return { items, total: items.length }
      })
    },

    list(ctx: RequestContext, q: z.infer<typeof WatchRequestListQuery>) {
      return inActorTx(deps, ctx, async (tx) => {
        const conds: Array<SQL | undefined> = [monitorOpenOnly(ctx.decision)]
        const filterFields: string[] = []
        if (q.studentId) { conds.push(eq(peerWatchRequests.studentId, q.studentId)); filterFields.push('studentId') }
        if (q.monitorId) { conds.push(eq(peerWatchRequests.monitorId, q.monitorId)); filterFields.push('monitorId') }
        if (q.open !== undefined) {
          conds.push(q.open ? openWatchRequest() : not(openWatchRequest()))
          filterFields.push('endedAt', 'startDate', 'endDate')
        }
        const r = await readMany(tx, ctx.decision, { where: and(...conds), filterFields, limit: q.limit, offset: q.offset })
        await audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    get(ctx: RequestContext, id: string) {
      return inActorTx(deps, ctx, async (tx) => {
        const row = await mustRead(tx, ctx.decision, id, monitorOpenOnly(ctx.decision))
        await audit(tx, ctx, { action: 'R', rows: [row] })
        return row
      })
    },

    end(ctx: RequestContext, id: string) {
      return inActorTx(deps, ctx, async (tx) => {
        // Locked: ended once however many press at once.
        await lockRow(tx, peerWatchRequests, ctx.actor.schoolId!, id)
        const before = await mustRead(tx, ctx.decision, id)
        if (before.endedAt) throw new Conflict('watch_request_ended')
        await tx.update(peerWatchRequests).set({ endedAt: new Date() })
          .where(and(eq(peerWatchRequests.schoolId, ctx.actor.schoolId!), eq(peerWatchRequests.id, id)))
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'U', rows: [row], fieldGroups: ['status'] })
        return row
      })
    },

    /** The monitor adds a note to an open request addressed to them; they cannot read notes back. */
    addNote(ctx: RequestContext, requestId: string, body: z.infer<typeof WatchNoteCreate>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(deps, ctx, async (tx) => {
        // Shared lock: the request cannot end between this check and the note's commit.
        await lockRow(tx, peerWatchRequests, ctx.actor.schoolId!, requestId, 'share')
        const request = await mustRead(tx, decisionOn(deps, ctx, 'peer_watch_requests'), requestId,
          and(eq(peerWatchRequests.monitorId, ctx.actor.userId), openWatchRequest()))
        const studentId = request.studentId as string
        const [ins] = await tx.insert(peerWatchNotes).values({
          schoolId: ctx.actor.schoolId!, requestId, studentId, monitorId: ctx.actor.userId, note: body.note,
        }).returning({ id: peerWatchNotes.id })
        const row = await mustRead(tx, ctx.decision, ins!.id)
        await audit(tx, ctx, { action: 'C', rows: [row], studentIds: [studentId], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    listNotes(ctx: RequestContext, requestId: string) {
      return inActorTx(deps, ctx, async (tx) => {
        const request = await mustRead(tx, decisionOn(deps, ctx, 'peer_watch_requests'), requestId)
        const r = await readMany(tx, ctx.decision, {
          where: eq(peerWatchNotes.requestId, requestId), filterFields: ['requestId'],
          sort: [{ field: 'createdAt', dir: 'desc' }], limit: 500, offset: 0,
        })
        await audit(tx, ctx, { action: 'R', rows: r.items, studentIds: [request.studentId as string] })
        return { items: r.items, total: r.total }
      })
    },
  }
}

export type WatchService = ReturnType<typeof createWatchService>
