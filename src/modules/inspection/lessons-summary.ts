import { sql, type SQL } from 'drizzle-orm'
import { classes, grades, holidays, lessonRecords, terms } from '../../../db/schema/index.js'
import { queryRows, type Executor } from '../../db/database.js'
import { gradeName } from '../roster/grade-names.js'
import { LessonKinds, type LessonKind } from './lessons-schemas.js'

/**
 * How often each lesson is due (the Ezhou checklist's 课程 items; Changyi adds "每月不少于
 * 2 课时" for 心理健康教育), as what a month needs given its school days and school weeks.
 * A school week belongs to the month of its Monday (inside the range) and counts when it has a school day; a
 * month with fewer than two school weeks (a term's first or last days) is not held to the
 * monthly rules.
 */
export const LESSON_RULES: Record<LessonKind, { rule: string; unit: 'lessons' | 'periods'; required: (m: { schoolDays: number; schoolWeeks: number }) => number }> = {
  life_safety: { rule: '每周1节', unit: 'lessons', required: (m) => m.schoolWeeks },
  mental_health: { rule: '每两周1节，每月不少于2课时', unit: 'periods', required: (m) => (m.schoolWeeks >= 2 ? 2 : 0) },
  class_meeting: { rule: '每月1次', unit: 'lessons', required: (m) => (m.schoolWeeks >= 2 ? 1 : 0) },
  sunshine: { rule: '每天', unit: 'lessons', required: (m) => m.schoolDays },
}

export interface MonthLessons {
  month: string
  schoolDays: number
  schoolWeeks: number
  kinds: Record<LessonKind, { lessons: number; periods: number }>
}

export interface ClassLessonCounts {
  classId: string
  gradeLevel: number
  gradeName: string
  className: string
  months: MonthLessons[]
  shortfalls: Array<{ month: string; kind: LessonKind; unit: 'lessons' | 'periods'; held: number; required: number }>
}

/**
 * The school days from `from` to `to`: in one of the school's terms, Monday to Friday, not
 * in a holiday. One statement; a school year is at most a few hundred rows.
 */
export async function schoolDays(ex: Executor, schoolId: string, from: string, to: string, weekdays: 'weekdays' | 'all' = 'weekdays'): Promise<string[]> {
  const rows = await queryRows<{ day: string }>(ex, sql`
    select to_char(d::date, 'YYYY-MM-DD') as day
    from generate_series(${from}::date, ${to}::date, interval '1 day') as d
    where (${weekdays} = 'all' or extract(isodow from d) <= 5)
      and exists (select 1 from ${terms} where ${terms.schoolId} = ${schoolId} and d::date between ${terms.startDate} and ${terms.endDate})
      and not exists (select 1 from ${holidays} where ${holidays.schoolId} = ${schoolId} and d::date between ${holidays.startDate} and ${holidays.endDate})
    order by 1`)
  return rows.map((r) => r.day)
}

/** The Monday of a day's week, as 'YYYY-MM-DD'. */
export function mondayOf(day: string): string {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7))
  return d.toISOString().slice(0, 10)
}

/** Months from `from` to `to` as 'YYYY-MM'. */
function monthsBetween(from: string, to: string): string[] {
  const out: string[] = []
  let [y, m] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))]
  const end = to.slice(0, 7)
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`
    if (key > end) break
    out.push(key)
    m++
    if (m > 12) { m = 1; y++ }
  }
  return out
}

/**
 * Per class of the school (classes not ended), per month from `from` to `to`: how many lessons
 * of each kind and how many 课时 were recorded, the month's school days and weeks, and where
 * the class falls below LESSON_RULES. Counts only, never a person. `classWhere` narrows the
 * classes (a caller's scope on the classes table).
 */
export async function lessonCountsByClass(ex: Executor, schoolId: string, from: string, to: string, classWhere?: SQL): Promise<ClassLessonCounts[]> {
  const days = await schoolDays(ex, schoolId, from, to)
  const months = monthsBetween(from, to)
  const perMonth = new Map(months.map((m) => [m, { schoolDays: 0, weeks: new Set<string>() }]))
  for (const day of days) {
    perMonth.get(day.slice(0, 7))!.schoolDays++
    const monday = mondayOf(day)
    // A week whose Monday falls before the range belongs to the month before: its lessons of
    // that Monday were counted there, so the range's first days are not held to a week's rule.
    if (monday >= from) perMonth.get(monday.slice(0, 7))?.weeks.add(monday)
  }
  const classRows = await queryRows<{ id: string; level: number; grade_name: string; name: string; seq: number }>(ex, sql`
    select ${classes.id} as id, ${grades.level} as level, ${grades.name} as grade_name, ${classes.name} as name, ${classes.seq} as seq
    from ${classes} join ${grades} on ${grades.schoolId} = ${classes.schoolId} and ${grades.id} = ${classes.gradeId}
    where ${classes.schoolId} = ${schoolId} and ${classes.endedAt} is null ${classWhere ? sql`and ${classWhere}` : sql``}
    order by ${grades.level}, ${classes.seq}`)
  const counts = await queryRows<{ class_id: string; month: string; kind: string; n: number; periods: number }>(ex, sql`
    select ${lessonRecords.classId} as class_id, to_char(${lessonRecords.heldOn}::date, 'YYYY-MM') as month, ${lessonRecords.kind} as kind,
      count(*)::int as n, coalesce(sum(${lessonRecords.periods}), 0)::int as periods
    from ${lessonRecords}
    where ${lessonRecords.schoolId} = ${schoolId} and ${lessonRecords.heldOn} between ${from} and ${to}
    group by 1, 2, 3`)
  const byKey = new Map(counts.map((c) => [`${c.class_id}|${c.month}|${c.kind}`, c]))
  return classRows.map((c) => {
    const level = Number(c.level)
    const out: ClassLessonCounts = {
      classId: c.id,
      gradeLevel: level,
      gradeName: c.grade_name || gradeName(level),
      // A class named by the 升年级 convention carries its grade; a custom name gets it in front.
      className: c.name.startsWith(c.grade_name) ? c.name : `${c.grade_name}${c.name}`,
      months: [],
      shortfalls: [],
    }
    for (const month of months) {
      const pm = perMonth.get(month)!
      const m: MonthLessons = {
        month, schoolDays: pm.schoolDays, schoolWeeks: pm.weeks.size,
        kinds: Object.fromEntries(LessonKinds.map((k) => {
          const hit = byKey.get(`${c.id}|${month}|${k}`)
          return [k, { lessons: Number(hit?.n ?? 0), periods: Number(hit?.periods ?? 0) }]
        })) as MonthLessons['kinds'],
      }
      out.months.push(m)
      for (const kind of LessonKinds) {
        const rule = LESSON_RULES[kind]
        const required = rule.required(m)
        const held = m.kinds[kind][rule.unit]
        if (held < required) out.shortfalls.push({ month, kind, unit: rule.unit, held, required })
      }
    }
    return out
  })
}
