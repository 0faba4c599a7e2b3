import { and, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { classes, lessonRecords } from '../../../db/schema/index.js'
import { sentKeys, type Gateway } from '../../access/gateway.js'
import { queryRows, type Tx } from '../../db/database.js'
import { NotFound, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import type { LessonListQuery, LessonPatch, LessonQuickEntry, SummaryQuery, TimetableEntry } from './lessons-schemas.js'
import { lessonSummaryXlsx } from './lessons-export.js'
import { lessonCountsByClass, mondayOf, schoolDays } from './lessons-summary.js'

/** A timetable entry or a summary covers at most a school year and a bit (bounded work). */
const MAX_RANGE_DAYS = 400

function checkRange(from: string, to: string): void {
  if (from > to) throw new Validation('date_range_invalid', {}, { fields: ['from', 'to'] })
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000
  if (days > MAX_RANGE_DAYS) throw new Validation('lesson_range_too_long', { max: MAX_RANGE_DAYS }, { fields: ['to'] })
}

/**
 * 课程记录: a teacher's quick entry for one class and day, the timetable's regular lessons in
 * bulk, and the per-class summary against the rules. Which classes a caller reaches is the
 * classes policy (a homeroom teacher: their own class; psychology teachers and the admin:
 * the school), checked before anything is written.
 */
export function createLessonService(gw: Gateway) {
  /** Classes among `ids` the caller reaches (not ended); a missing one answers 404 like someone else's. */
  async function reachableClasses(tx: Tx, ctx: RequestContext, ids: readonly string[]): Promise<void> {
    const d = gw.decision(ctx, 'classes', 'list')
    const unique = [...new Set(ids)]
    const rows = await tx.select({ id: classes.id }).from(classes)
      .where(and(d.where(), inArray(classes.id, unique), sql`${classes.endedAt} is null`))
    if (rows.length !== unique.length) throw new NotFound()
  }

  /** The per-class counts of a range over the classes the caller may list, audited as one read. */
  function countsOf(ctx: RequestContext, q: z.infer<typeof SummaryQuery>) {
    checkRange(q.from, q.to)
    return gw.tx(ctx, async (tx) => {
      ctx.decision.assertQueryable(['classId', 'kind', 'heldOn', 'periods'])
      const cd = gw.decision(ctx, 'classes', 'list')
      const list = await lessonCountsByClass(tx, ctx.actor.schoolId!, q.from, q.to, cd.where())
      await gw.audit(tx, ctx, { action: 'E', recordIds: [], studentIds: [], fieldGroups: ['lesson'] })
      return list
    })
  }

  return {
    /** One day's lessons of one class; a kind already recorded that day answers 409 naming it. */
    quickEntry(ctx: RequestContext, body: z.infer<typeof LessonQuickEntry>) {
      for (const l of body.lessons) ctx.decision.assertWritable([...sentKeys(l), 'classId', 'heldOn'])
      const kinds = body.lessons.map((l) => l.kind)
      if (new Set(kinds).size !== kinds.length) throw new Validation('lesson_kind_repeated', {}, { fields: ['kind'] })
      return gw.tx(ctx, async (tx) => {
        if (body.heldOn > gw.today()) throw new Validation('date_in_future', {}, { fields: ['heldOn'] })
        await reachableClasses(tx, ctx, [body.classId])
        const items = await gw.createMany(tx, ctx, ctx.decision, body.lessons.map((l) => ({
          input: { ...l, classId: body.classId, heldOn: body.heldOn },
          values: {
            schoolId: ctx.actor.schoolId!, periods: l.periods ?? 1, topic: l.topic ?? null,
            teacherId: ctx.actor.userId, source: 'manual', createdBy: ctx.actor.userId,
          },
        })))
        return { items }
      })
    },

    list(ctx: RequestContext, q: z.infer<typeof LessonListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds: SQL[] = []
        const fields: string[] = []
        if (q.classId) { conds.push(eq(lessonRecords.classId, q.classId)); fields.push('classId') }
        if (q.kind) { conds.push(eq(lessonRecords.kind, q.kind)); fields.push('kind') }
        if (q.from) { conds.push(gte(lessonRecords.heldOn, q.from)); fields.push('heldOn') }
        if (q.to) { conds.push(lte(lessonRecords.heldOn, q.to)); fields.push('heldOn') }
        const r = await gw.list(tx, ctx.decision, {
          where: conds.length ? and(...conds) : undefined, filterFields: fields,
          sort: [{ field: 'heldOn', dir: 'desc' }, { field: 'kind', dir: 'asc' }], limit: q.limit, offset: q.offset,
        })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    update(ctx: RequestContext, id: string, body: z.infer<typeof LessonPatch>) {
      return gw.tx(ctx, (tx) => gw.update(tx, ctx, ctx.decision, id, { input: body }))
    },

    remove(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => { await gw.remove(tx, ctx, ctx.decision, id, { audit: { fieldGroups: [] } }) })
    },

    /**
     * The timetable's regular lessons for several classes over a date range: a lesson already
     * recorded (by hand or an earlier run) stays as it is and is reported as existing; the rest
     * are created in one statement through the gateway. A dry run counts without writing.
     */
    timetable(ctx: RequestContext, body: z.infer<typeof TimetableEntry>) {
      checkRange(body.from, body.to)
      for (const p of body.pattern) ctx.decision.assertWritable(['classId', 'kind', 'heldOn', ...(p.periods === undefined ? [] : ['periods'])])
      const slots = new Set(body.pattern.map((p) => `${p.weekday}|${p.kind}`))
      if (slots.size !== body.pattern.length) throw new Validation('lesson_kind_repeated', {}, { fields: ['pattern'] })
      return gw.tx(ctx, async (tx) => {
        const schoolId = ctx.actor.schoolId!
        await reachableClasses(tx, ctx, body.classIds)
        const days = await schoolDays(tx, schoolId, body.from, body.to, 'all')
        const weekdayDays = days.filter((d) => { const w = new Date(`${d}T00:00:00Z`).getUTCDay(); return w !== 0 && w !== 6 })
        const anchor = mondayOf(body.from)
        const pattern = JSON.stringify(body.pattern.map((p) => ({ weekday: p.weekday, kind: p.kind, periods: p.periods ?? 1, alternate: p.everyOtherWeek === true })))
        const classIds = [...new Set(body.classIds)]
        const planned = sql`
          select ${schoolId}::uuid as school_id, c.id as class_id, p.kind, d.day as held_on, p.periods::smallint as periods
          from (select value::uuid as id from json_array_elements_text(${JSON.stringify(classIds)}::json)) as c
          cross join json_to_recordset(${pattern}::json) as p(weekday int, kind text, periods int, alternate boolean)
          join (select value::date as day from json_array_elements_text(${JSON.stringify(days)}::json)) as d
            on extract(isodow from d.day) = p.weekday
            and (not p.alternate or ((d.day - ${anchor}::date) / 7) % 2 = 0)`
        if (body.dryRun) {
          const [r] = await queryRows<{ planned: number; existing: number }>(tx, sql`
            with planned as (${planned})
            select count(*)::int as planned, count(l.id)::int as existing
            from planned left join ${lessonRecords} l
              on l.school_id = planned.school_id and l.class_id = planned.class_id and l.kind = planned.kind and l.held_on = planned.held_on`)
          return { dryRun: true, schoolDays: weekdayDays.length, planned: Number(r!.planned), existing: Number(r!.existing), created: 0 }
        }
        // The planned lessons not yet recorded, written through the gateway in one statement; a
        // lesson someone records meanwhile makes the whole run a 409 with nothing kept.
        const rows = await queryRows<{ class_id: string; kind: string; held_on: string; periods: number; existing: boolean }>(tx, sql`
          with planned as (${planned})
          select planned.class_id, planned.kind, planned.held_on::text as held_on, planned.periods,
            exists (select 1 from ${lessonRecords} l where l.school_id = planned.school_id and l.class_id = planned.class_id
              and l.kind = planned.kind and l.held_on = planned.held_on) as existing
          from planned`)
        const fresh = rows.filter((r) => !r.existing)
        const created = await gw.createMany(tx, ctx, ctx.decision, fresh.map((r) => ({
          values: { schoolId, classId: r.class_id, kind: r.kind, heldOn: r.held_on, periods: Number(r.periods), source: 'timetable', createdBy: ctx.actor.userId },
        })), { fieldGroups: ['keys', 'place', 'lesson', 'origin'] })
        const ids = created.map((c) => String(c.id))
        const total = rows.length
        return { dryRun: false, schoolDays: weekdayDays.length, planned: total, existing: total - ids.length, created: ids.length }
      })
    },

    /** Per class and month: lessons and 课时 of each kind, and where a class is below the rules. */
    async summary(ctx: RequestContext, q: z.infer<typeof SummaryQuery>) {
      return { from: q.from, to: q.to, classes: await countsOf(ctx, q) }
    },

    /** The same summary as a workbook (Chinese, A4 landscape) for the inspection folder. */
    async exportSummary(ctx: RequestContext, q: z.infer<typeof SummaryQuery>) {
      return lessonSummaryXlsx(await countsOf(ctx, q), q.from, q.to)
    },
  }
}

export type LessonService = ReturnType<typeof createLessonService>
