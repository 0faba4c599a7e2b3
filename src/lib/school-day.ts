import { sql, type SQL } from 'drizzle-orm'

/**
 * "Today" is the schools' calendar day in their time zone (TZ_SCHOOL, Asia/Shanghai by
 * default), never the server's: a talk logged at 07:30 in Beijing is on that day although UTC
 * still says yesterday. The one place this is computed, in JavaScript and in SQL.
 */
export function schoolDay(now: Date, timeZone: string): string {
  let f = dayFormats.get(timeZone)
  if (!f) {
    // en-CA formats as YYYY-MM-DD.
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    dayFormats.set(timeZone, f)
  }
  return f.format(now)
}

/**
 * One formatter per zone: building one loads the zone's rules, which cost a write request
 * (the talk date's check against today) about 5% of its CPU.
 */
const dayFormats = new Map<string, Intl.DateTimeFormat>()

/** The same day computed by the database at statement time, for conditions such as "a pairing active today". */
export function schoolDaySql(timeZone: string): SQL {
  return sql`(now() at time zone ${timeZone}::text)::date`
}

/** A timestamp column's calendar day in the schools' zone. */
export function schoolDayOf(column: unknown, timeZone: string): SQL {
  return sql`(${column} at time zone ${timeZone}::text)::date`
}

/** Calendar arithmetic on 'YYYY-MM-DD' strings (UTC noon avoids any DST edge). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T12:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

/** An instant on a school day at a given Beijing wall-clock time (fake clocks in jobs and tests). */
export function atSchoolTime(day: string, time = '01:00'): Date {
  return new Date(`${day}T${time}:00+08:00`)
}

/** A database value shown as text: strings and numbers as they are, anything else as ''. */
export function textOf(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : ''
}

export function isoDay(v: unknown): string | undefined {
  return typeof v === 'string' ? v : v instanceof Date ? v.toISOString().slice(0, 10) : undefined
}
