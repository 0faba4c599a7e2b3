import { and, eq, gte, isNull, lte, sql, type SQL } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { z } from 'zod'
import { groupSessions, roomSettings, roomVisits } from '../../../db/schema/index.js'
import { audit, readMany, readOne, studentIdsOf } from '../../access/query.js'
import type { Decision } from '../../access/engine.js'
import type { Tx } from '../../db/database.js'
import type { RequestContext } from '../../plugins/access.js'
import { decisionOn, groupsOf, inActorTx, mustRead, sentKeys } from './practice-access.js'
import {
  Categories, FollowUps, type RoomSettingsPut, type SessionCreate, type SessionListQuery, type SessionPatch, type SummaryQuery,
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
 * 心理辅导室 records (issue 10): opening hours, visits (a student or an anonymous walk-in),
 * group sessions with head counts, and the summary an inspection asks for.
 */
export function createRoomService(app: FastifyInstance) {
  async function checkStudent(tx: Tx, ctx: RequestContext, studentId: string | null | undefined) {
    if (studentId) await mustRead(tx, decisionOn(app, ctx, 'students'), studentId)
  }

  return {
    async getSettings(ctx: RequestContext) {
      return inActorTx(app, ctx, async (tx) => {
        const row = await readOne(tx, ctx.decision, ctx.actor.schoolId!)
        return row ?? { schoolId: ctx.actor.schoolId!, location: null, openingHours: null, updatedAt: null }
      })
    },

    async putSettings(ctx: RequestContext, body: z.infer<typeof RoomSettingsPut>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(app, ctx, async (tx) => {
        const set: Partial<typeof roomSettings.$inferInsert> = { updatedAt: new Date() }
        if (body.location !== undefined) set.location = body.location || null
        if (body.openingHours !== undefined) set.openingHours = body.openingHours || null
        await tx.insert(roomSettings).values({ schoolId: ctx.actor.schoolId!, ...set })
          .onConflictDoUpdate({ target: roomSettings.schoolId, set })
        const row = await mustRead(tx, ctx.decision, ctx.actor.schoolId!)
        await audit(tx, ctx, { action: 'U', recordIds: [ctx.actor.schoolId!], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    async listVisits(ctx: RequestContext, q: z.infer<typeof VisitListQuery>) {
      return inActorTx(app, ctx, async (tx) => {
        const conds = dateRange(roomVisits.visitDate, q.from, q.to)
        const fields = conds.length ? ['visitDate'] : []
        if (q.studentId) { conds.push(eq(roomVisits.studentId, q.studentId)); fields.push('studentId') }
        const r = await readMany(tx, ctx.decision, {
          where: conds.length ? and(...conds) : undefined,
          filterFields: fields,
          sort: [{ field: 'visitDate', dir: 'desc' }],
          limit: q.limit,
          offset: q.offset,
        })
        if (r.items.length) await audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async getVisit(ctx: RequestContext, id: string) {
      return inActorTx(app, ctx, async (tx) => {
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'R', rows: [row] })
        return row
      })
    },

    async createVisit(ctx: RequestContext, body: z.infer<typeof VisitCreate>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(app, ctx, async (tx) => {
        await checkStudent(tx, ctx, body.studentId)
        const [made] = await tx.insert(roomVisits).values({
          schoolId: ctx.actor.schoolId!,
          studentId: body.studentId ?? null,
          visitDate: body.visitDate,
          durationMin: body.durationMin,
          topic: body.topic,
          followUp: body.followUp ?? 'none',
          counsellorId: ctx.actor.userId,
        }).returning({ id: roomVisits.id })
        const row = await mustRead(tx, ctx.decision, made!.id)
        await audit(tx, ctx, { action: 'C', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    async updateVisit(ctx: RequestContext, id: string, body: z.infer<typeof VisitPatch>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(app, ctx, async (tx) => {
        const before = await mustRead(tx, ctx.decision, id)
        await checkStudent(tx, ctx, body.studentId)
        await tx.update(roomVisits).set(body).where(and(eq(roomVisits.schoolId, ctx.actor.schoolId!), eq(roomVisits.id, id)))
        const row = await mustRead(tx, ctx.decision, id)
        const studentIds = [...new Set([...studentIdsOf(ctx.decision, [before]), ...studentIdsOf(ctx.decision, [row])])]
        await audit(tx, ctx, { action: 'U', rows: [row], studentIds, fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    async deleteVisit(ctx: RequestContext, id: string) {
      return inActorTx(app, ctx, async (tx) => {
        const row = await mustRead(tx, ctx.decision, id)
        await tx.delete(roomVisits).where(and(eq(roomVisits.schoolId, ctx.actor.schoolId!), eq(roomVisits.id, id)))
        await audit(tx, ctx, { action: 'D', rows: [row], fieldGroups: [] })
      })
    },

    async listSessions(ctx: RequestContext, q: z.infer<typeof SessionListQuery>) {
      return inActorTx(app, ctx, async (tx) => {
        const conds = dateRange(groupSessions.sessionDate, q.from, q.to)
        const r = await readMany(tx, ctx.decision, {
          where: conds.length ? and(...conds) : undefined,
          filterFields: conds.length ? ['sessionDate'] : [],
          sort: [{ field: 'sessionDate', dir: 'desc' }],
          limit: q.limit,
          offset: q.offset,
        })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async getSession(ctx: RequestContext, id: string) {
      return inActorTx(app, ctx, (tx) => mustRead(tx, ctx.decision, id))
    },

    async createSession(ctx: RequestContext, body: z.infer<typeof SessionCreate>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(app, ctx, async (tx) => {
        const [made] = await tx.insert(groupSessions).values({
          schoolId: ctx.actor.schoolId!, sessionDate: body.sessionDate, topic: body.topic, attendance: body.attendance,
          durationMin: body.durationMin ?? null, facilitatorId: ctx.actor.userId,
        }).returning({ id: groupSessions.id })
        const row = await mustRead(tx, ctx.decision, made!.id)
        await audit(tx, ctx, { action: 'C', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    async updateSession(ctx: RequestContext, id: string, body: z.infer<typeof SessionPatch>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(app, ctx, async (tx) => {
        await mustRead(tx, ctx.decision, id)
        await tx.update(groupSessions).set(body).where(and(eq(groupSessions.schoolId, ctx.actor.schoolId!), eq(groupSessions.id, id)))
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'U', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    async deleteSession(ctx: RequestContext, id: string) {
      return inActorTx(app, ctx, async (tx) => {
        const row = await mustRead(tx, ctx.decision, id)
        await tx.delete(groupSessions).where(and(eq(groupSessions.schoolId, ctx.actor.schoolId!), eq(groupSessions.id, id)))
        await audit(tx, ctx, { action: 'D', rows: [row], fieldGroups: [] })
      })
    },

    /**
     * What an inspection asks to see, as counts: visits by month, topic and follow-up, minutes,
     * group sessions and attendance, the room's hours. Counted in SQL under the caller's row
     * filter from fields every granted role reads; walk-ins are counted only for readers of
     * who came (psychology teachers), so an admin's summary reveals nothing about any student.
     */
    async summary(ctx: RequestContext, q: z.infer<typeof SummaryQuery>) {
      return inActorTx(app, ctx, async (tx) => {
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
          groupSessions?: { total: number; attendance: number }; room?: Record<string, unknown>
        } = { from: q.from ?? null, to: q.to ?? null, visits: { ...visits, ...(walkIns !== undefined ? { walkIns } : {}) } }
        const sd = app.policies.decide(ctx.actor, 'group_sessions', 'list')
        if (sd) {
          const s = await tx.select({ n: sql<number>`count(*)::int`, attendance: sql<number>`coalesce(sum(${groupSessions.attendance}), 0)::int` })
            .from(groupSessions).where(and(sd.where(), ...dateRange(groupSessions.sessionDate, q.from, q.to)))
          out.groupSessions = { total: Number(s[0]?.n ?? 0), attendance: Number(s[0]?.attendance ?? 0) }
        }
        const rd = app.policies.decide(ctx.actor, 'room_settings', 'read')
        if (rd) {
          const room = await readOne(tx, rd, ctx.actor.schoolId!)
          if (room) out.room = room
        }
        await audit(tx, ctx, { action: 'E', recordIds: [], studentIds: [], fieldGroups: d.readGroups() })
        return out
      })
    },
  }
}

export type RoomService = ReturnType<typeof createRoomService>
