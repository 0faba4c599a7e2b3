import { and, eq, gte, isNull, lte, sql, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { groupSessions, roomSettings, roomVisits } from '../../../db/schema/index.js'
import { sentKeys, type Gateway } from '../../access/gateway.js'
import type { Decision } from '../../access/engine.js'
import { studentIdsOf } from '../../access/query.js'
import type { Tx } from '../../db/database.js'
import type { RequestContext } from '../../plugins/access.js'
import {
  Categories, FollowUps, GroupKinds, type RoomSettingsPut, type SessionCreate, type SessionListQuery, type SessionPatch, type SummaryQuery,
  type VisitCreate, type VisitListQuery, type VisitPatch,
} from './schemas.js'

function dateRange(col: typeof roomVisits.visitDate | typeof groupSessions.sessionDate, from?: string, to?: string): SQL[] {
  const out: SQL[] = []
  if (from) out.push(gte(col, from))
  if (to) out.push(lte(col, to))
  return out
}

/** Counts keyed by the known codes only; anything else is counted as 'other'. */
function bucket(known: readonly string[], value: unknown): string {
  return typeof value === 'string' && known.includes(value) ? value : 'other'
}

/**
 * 心理辅导室 records: opening hours, visits (a student or an anonymous walk-in),
 * group sessions with head counts, and the summary an inspection asks for.
 */
export function createRoomService(gw: Gateway) {
  async function checkStudent(tx: Tx, ctx: RequestContext, studentId: string | null | undefined) {
    if (studentId) await gw.read(tx, gw.decision(ctx, 'students'), studentId)
  }

  return {
    async getSettings(ctx: RequestContext) {
      return gw.tx(ctx, async (tx) => {
        const row = await gw.find(tx, ctx.decision, ctx.actor.schoolId!)
        return row ?? { schoolId: ctx.actor.schoolId!, location: null, openingHours: null, updatedAt: null }
      })
    },

    async putSettings(ctx: RequestContext, body: z.infer<typeof RoomSettingsPut>) {
      const set: Partial<typeof roomSettings.$inferInsert> = { updatedAt: new Date() }
      if (body.location !== undefined) set.location = body.location || null
      if (body.openingHours !== undefined) set.openingHours = body.openingHours || null
      return gw.tx(ctx, async (tx) => (await gw.upsert(tx, ctx, ctx.decision, roomSettings.schoolId, {
        input: body, values: { schoolId: ctx.actor.schoolId!, ...set }, onConflict: set, audit: { action: 'U' },
      }))!)
    },

    async listVisits(ctx: RequestContext, q: z.infer<typeof VisitListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds = dateRange(roomVisits.visitDate, q.from, q.to)
        const fields = conds.length ? ['visitDate'] : []
        if (q.studentId) { conds.push(eq(roomVisits.studentId, q.studentId)); fields.push('studentId') }
        const r = await gw.list(tx, ctx.decision, {
          where: conds.length ? and(...conds) : undefined,
          filterFields: fields,
          sort: [{ field: 'visitDate', dir: 'desc' }],
          limit: q.limit,
          offset: q.offset,
        })
        if (r.items.length) await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async getVisit(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => {
        const row = await gw.read(tx, ctx.decision, id)
        await gw.audit(tx, ctx, { action: 'R', rows: [row] })
        return row
      })
    },

    async createVisit(ctx: RequestContext, body: z.infer<typeof VisitCreate>) {
      // The writable fields are checked before the student is looked up, as for every write.
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        await checkStudent(tx, ctx, body.studentId)
        return gw.create(tx, ctx, ctx.decision, {
          input: body,
          values: { schoolId: ctx.actor.schoolId!, studentId: body.studentId ?? null, followUp: body.followUp ?? 'none', counsellorId: ctx.actor.userId },
        })
      })
    },

    async updateVisit(ctx: RequestContext, id: string, body: z.infer<typeof VisitPatch>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        const before = await gw.read(tx, ctx.decision, id)
        await checkStudent(tx, ctx, body.studentId)
        // Audited here: a visit moved to another student names both.
        const row = await gw.update(tx, ctx, ctx.decision, id, { input: body, audit: false })
        const studentIds = [...new Set([...studentIdsOf(ctx.decision, [before]), ...studentIdsOf(ctx.decision, [row])])]
        await gw.audit(tx, ctx, { action: 'U', rows: [row], studentIds, fieldGroups: gw.groupsOf(ctx.decision, sentKeys(body)) })
        return row
      })
    },

    async deleteVisit(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => { await gw.remove(tx, ctx, ctx.decision, id, { audit: { fieldGroups: [] } }) })
    },

    async listSessions(ctx: RequestContext, q: z.infer<typeof SessionListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds = dateRange(groupSessions.sessionDate, q.from, q.to)
        const fields = conds.length ? ['sessionDate'] : []
        if (q.kind) { conds.push(eq(groupSessions.kind, q.kind)); fields.push('kind') }
        const r = await gw.list(tx, ctx.decision, {
          where: conds.length ? and(...conds) : undefined,
          filterFields: fields,
          sort: [{ field: 'sessionDate', dir: 'desc' }],
          limit: q.limit,
          offset: q.offset,
        })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async getSession(ctx: RequestContext, id: string) {
      return gw.tx(ctx, (tx) => gw.read(tx, ctx.decision, id))
    },

    async createSession(ctx: RequestContext, body: z.infer<typeof SessionCreate>) {
      return gw.tx(ctx, (tx) => gw.create(tx, ctx, ctx.decision, {
        input: body, values: { schoolId: ctx.actor.schoolId!, durationMin: body.durationMin ?? null, facilitatorId: ctx.actor.userId },
      }))
    },

    async updateSession(ctx: RequestContext, id: string, body: z.infer<typeof SessionPatch>) {
      return gw.tx(ctx, (tx) => gw.update(tx, ctx, ctx.decision, id, { input: body }))
    },

    async deleteSession(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => { await gw.remove(tx, ctx, ctx.decision, id, { audit: { fieldGroups: [] } }) })
    },

    /**
     * What an inspection asks to see, as counts: visits by month, topic and follow-up, minutes,
     * group sessions and attendance, the room's hours. Counted in SQL under the caller's row
     * filter from fields every granted role reads; walk-ins are counted only for readers of
     * who came (psychology teachers), so an admin's summary reveals nothing about any student.
     */
    async summary(ctx: RequestContext, q: z.infer<typeof SummaryQuery>) {
      return gw.tx(ctx, async (tx) => {
        const d: Decision = ctx.decision
        d.assertQueryable(['visitDate', 'topic', 'followUp', 'durationMin'])
        const where = and(d.where(), ...dateRange(roomVisits.visitDate, q.from, q.to))
        const groups = await tx.select({
          month: sql<string>`to_char(${roomVisits.visitDate}::date, 'YYYY-MM')`,
          topic: roomVisits.topic,
          followUp: roomVisits.followUp,
          n: sql<number>`count(*)::int`,
          minutes: sql<number>`coalesce(sum(${roomVisits.durationMin}), 0)::int`,
        }).from(roomVisits).where(where).groupBy(sql`1`, roomVisits.topic, roomVisits.followUp)
        const visits = { total: 0, minutes: 0, byMonth: {} as Record<string, number>, byTopic: {} as Record<string, number>, byFollowUp: {} as Record<string, number> }
        for (const g of groups) {
          const n = Number(g.n)
          visits.total += n
          visits.minutes += Number(g.minutes)
          visits.byMonth[g.month] = (visits.byMonth[g.month] ?? 0) + n
          const topic = bucket(Categories, g.topic)
          visits.byTopic[topic] = (visits.byTopic[topic] ?? 0) + n
          const follow = bucket(FollowUps, g.followUp)
          visits.byFollowUp[follow] = (visits.byFollowUp[follow] ?? 0) + n
        }
        let walkIns: number | undefined
        if (d.readableEverywhere().has('studentId')) {
          const w = await tx.select({ n: sql<number>`count(*)::int` }).from(roomVisits).where(and(where, isNull(roomVisits.studentId)))
          walkIns = Number(w[0]?.n ?? 0)
        }
        const out: {
          from: string | null; to: string | null; visits: typeof visits & { walkIns?: number }
          groupSessions?: { total: number; attendance: number; byKind: Record<string, number> }; room?: Record<string, unknown>
        } = { from: q.from ?? null, to: q.to ?? null, visits: { ...visits, ...(walkIns !== undefined ? { walkIns } : {}) } }
        const sd = gw.policies.decide(ctx.actor, 'group_sessions', 'list')
        if (sd) {
          const s = await tx.select({ kind: groupSessions.kind, n: sql<number>`count(*)::int`, attendance: sql<number>`coalesce(sum(${groupSessions.attendance}), 0)::int` })
            .from(groupSessions).where(and(sd.where(), ...dateRange(groupSessions.sessionDate, q.from, q.to))).groupBy(groupSessions.kind)
          const gs = { total: 0, attendance: 0, byKind: {} as Record<string, number> }
          for (const g of s) {
            gs.total += Number(g.n)
            gs.attendance += Number(g.attendance)
            const kind = bucket(GroupKinds, g.kind)
            gs.byKind[kind] = (gs.byKind[kind] ?? 0) + Number(g.n)
          }
          out.groupSessions = gs
        }
        const rd = gw.policies.decide(ctx.actor, 'room_settings', 'read')
        if (rd) {
          const room = await gw.find(tx, rd, ctx.actor.schoolId!)
          if (room) out.room = room
        }
        await gw.audit(tx, ctx, { action: 'E', recordIds: [], studentIds: [], fieldGroups: d.readGroups() })
        return out
      })
    },
  }
}

export type RoomService = ReturnType<typeof createRoomService>
