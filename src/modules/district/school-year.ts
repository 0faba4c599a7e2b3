import type { SchoolYearWindow } from './repository.js'

/** School year of a calendar day: 2026-09-01 … 2027-08-31 is 2026-2027. */
export function schoolYearWindow(today: string): SchoolYearWindow {
  const y = Number(today.slice(0, 4))
  const start = Number(today.slice(5, 7)) >= 9 ? y : y - 1
  return {
    current: `${start}-${start + 1}`,
    previous: `${start - 1}-${start}`,
    start: `${start}-09-01`,
    end: `${start + 1}-08-31`,
    today,
  }
}

/** The calendar day in the schools' time zone (Asia/Shanghai), whatever the server's zone. */
export function dayIn(timeZone: string, at = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at)
}
