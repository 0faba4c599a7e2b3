import { and, eq, inArray, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { barometerEntries, barometerSettings, students } from '../../../db/schema/index.js'
import { sentKeys, type Gateway } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { NotFound, NotInClass, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { ackDeadlineFor } from '../support/alert-rules.js'
import type { BarometerListQuery, BarometerSettingsPut, BarometerWrite, Period } from './schemas.js'

/** Roles that fill in the barometer for the class their grant names. */
const SUBMITTER_ROLES = ['homeroom_teacher', 'peer_monitor'] as const

const BAROMETER_ALERT_TEXT = '心理晴雨表：班级提名需要关注'

/** ISO 8601 week of a calendar day: 2026-W37 (weeks start on Monday, week 1 holds 4 January). */
export function isoWeek(day: string): string {
  const d = new Date(`${day}T00:00:00Z`)
  // The Thursday of this week decides the year the week belongs to.
  d.setUTCDate(d.getUTCDate() + 4 - (d.getUTCDay() || 7))
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1)
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7)
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`
}

export function periodKeyOf(period: string, day: string): string {
  return period === 'monthly' ? day.slice(0, 7) : isoWeek(day)
}

async function periodOf(tx: Tx, schoolId: string): Promise<Period> {
  const rows = await tx.select({ period: barometerSettings.period }).from(barometerSettings).where(eq(barometerSettings.schoolId, schoolId))
  return rows[0]?.period === 'monthly' ? 'monthly' : 'weekly'
}

/**
 * 心理晴雨表: homeroom teachers and class psychology monitors report their class's mood once
 * a period; classmates they name become peer alerts for the psychology teachers (from the
 * submitter, source 'barometer'). Psychology teachers see the trend per class.
 */
export function createBarometerService(gw: Gateway) {
  return {
    async getSettings(ctx: RequestContext) {
      return gw.tx(ctx, async (tx) => {
        const row = await gw.find(tx, ctx.decision, ctx.actor.schoolId!)
        return row ?? { schoolId: ctx.actor.schoolId!, period: 'weekly', updatedAt: null }
      })
    },

    async putSettings(ctx: RequestContext, body: z.infer<typeof BarometerSettingsPut>) {
      return gw.tx(ctx, async (tx) => (await gw.upsert(tx, ctx, ctx.decision, barometerSettings.schoolId, {
        input: body,
        values: { schoolId: ctx.actor.schoolId! },
        onConflict: { period: body.period, updatedAt: new Date() },
        audit: { action: 'U' },
      }))!)
    },

    async submit(ctx: RequestContext, body: z.infer<typeof BarometerWrite>) {
      const keys = sentKeys(body).filter((k) => k !== 'names' && k !== 'studentNos')
      ctx.decision.assertWritable(keys)
      // The class must be one the caller reports for, through a role this decision grants.
      const granted = new Set(ctx.decision.grants.map((g) => g.role))
      const holds = ctx.actor.roles.filter((r) => (SUBMITTER_ROLES as readonly string[]).includes(r.role) && granted.has(r.role)
        && r.schoolId === ctx.actor.schoolId && r.classId === body.classId)
      if (holds.length === 0) throw new NotFound()
      const submitterRole = holds.some((r) => r.role === 'homeroom_teacher') ? 'homeroom_teacher' : 'peer_monitor'
      const byId = body.names ?? []
      const byNo = body.studentNos ?? []
      const schoolId = ctx.actor.schoolId!
      return gw.tx(ctx, async (tx) => {
        // Only classmates: a monitor reads no student record, so nothing else is accepted or
        // revealed — one unknown id or 学号 and the whole form is refused, nothing written.
        const classmate = (who: SQL) => tx.select({ id: students.id }).from(students)
          .where(and(eq(students.schoolId, schoolId), eq(students.classId, body.classId), eq(students.status, 'enrolled'), who))
        const foundById = byId.length ? await classmate(inArray(students.id, byId)) : []
        const foundByNo = byNo.length ? await classmate(inArray(students.studentNo, byNo)) : []
        if (foundByNo.length !== byNo.length) {
          const found = new Set(await tx.select({ no: students.studentNo }).from(students)
            .where(and(eq(students.schoolId, schoolId), eq(students.classId, body.classId), eq(students.status, 'enrolled'), inArray(students.studentNo, byNo)))
            .then((rows) => rows.map((r) => r.no)))
          throw new NotInClass({ studentNo: byNo.filter((n) => !found.has(n)).join('、') })
        }
        if (foundById.length !== byId.length) throw new NotInClass({})
        const names = [...new Set([...foundById, ...foundByNo].map((f) => f.id))]
        if (names.length > 10) throw new Validation('too_many_names', {}, { fields: ['names'] })
        const periodKey = periodKeyOf(await periodOf(tx, schoolId), gw.today())
        const row = await gw.create(tx, ctx, ctx.decision, {
          input: { classId: body.classId, mood: body.mood, events: body.events },
          values: { schoolId, periodKey, submittedBy: ctx.actor.userId, submitterRole, events: body.events || null, namedCount: names.length },
        })
        // Raised for the psychology teachers by the submitter's form: the system's record of their act.
        const alertIds = (await gw.record(tx, ctx, 'peer_alerts', names.map((studentId) => ({
          schoolId, studentId, classId: body.classId, submittedBy: ctx.actor.userId, source: 'barometer',
          whatSeen: BAROMETER_ALERT_TEXT, urgency: 'medium',
          ackDeadline: ackDeadlineFor('medium'),
        })), { fieldGroups: ['subject', 'observation', 'urgency'] })).map((r) => String(r.id))
        return { ...row, alerts: alertIds.length }
      })
    },

    /** Psychology teachers: every form; homeroom teachers their own; monitors when they sent theirs. */
    async list(ctx: RequestContext, q: z.infer<typeof BarometerListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const r = await gw.list(tx, ctx.decision, {
          where: q.classId ? eq(barometerEntries.classId, q.classId) : undefined,
          filterFields: q.classId ? ['classId'] : [],
          sort: [{ field: 'createdAt', dir: 'desc' }],
          limit: q.limit,
          offset: q.offset,
        })
        if (r.items.length) await gw.audit(tx, ctx, { action: 'R', rows: r.items, studentIds: [] })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    /** Mood of one class over its latest periods, oldest first. */
    async trend(ctx: RequestContext, classId: string, last: number) {
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, gw.decision(ctx, 'classes'), classId)
        const r = await gw.list(tx, ctx.decision, {
          where: eq(barometerEntries.classId, classId),
          filterFields: ['classId'],
          sort: [{ field: 'periodKey', dir: 'desc' }],
          limit: 5000,
          offset: 0,
        })
        const byPeriod = new Map<string, { moods: number[]; named: number }>()
        for (const row of r.items) {
          if (typeof row.periodKey !== 'string' || typeof row.mood !== 'number') continue
          const p = byPeriod.get(row.periodKey) ?? { moods: [], named: 0 }
          p.moods.push(row.mood)
          p.named += typeof row.namedCount === 'number' ? row.namedCount : 0
          byPeriod.set(row.periodKey, p)
        }
        const points = [...byPeriod.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).slice(-last).map(([periodKey, p]) => ({
          periodKey,
          entries: p.moods.length,
          avgMood: Math.round((p.moods.reduce((a, b) => a + b, 0) / p.moods.length) * 100) / 100,
          minMood: Math.min(...p.moods),
          named: p.named,
        }))
        await gw.audit(tx, ctx, { action: 'R', recordIds: [classId], studentIds: [] })
        return { classId, period: await periodOf(tx, ctx.actor.schoolId!), points }
      })
    },
  }
}

export type BarometerService = ReturnType<typeof createBarometerService>
