/**
 * The schools' calendar day of an instant. Jobs take `now` explicitly (a fake clock in tests)
 * and turn it into the school's day here, whatever the server's own time zone.
 */
export function schoolDay(now: Date, timeZone = 'Asia/Shanghai'): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

/** Calendar arithmetic on 'YYYY-MM-DD' strings (UTC noon avoids any DST edge). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T12:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

/** An instant on a school day at a given Shanghai wall-clock time, for fake clocks. */
export function atSchoolTime(day: string, time = '01:00'): Date {
  return new Date(`${day}T${time}:00+08:00`)
}
