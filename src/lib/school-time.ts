/**
 * Instants written for people outside the web client (Excel files): in the school's time zone
 * (TZ_SCHOOL, Asia/Shanghai by default), never UTC — a report generated at 03:29 on 6 December
 * in Shanghai must not read "2026-12-05T19:29Z". Days stay YYYY-MM-DD, the form the importers
 * read back.
 */
export function schoolDateTime(v: Date | string | null | undefined, timeZone = 'Asia/Shanghai'): string {
  if (v === null || v === undefined || v === '') return ''
  const d = v instanceof Date ? v : new Date(v)
  if (Number.isNaN(d.getTime())) return String(v)
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(d).map((x) => [x.type, x.value]))
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}
