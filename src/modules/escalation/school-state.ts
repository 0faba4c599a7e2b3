import { sql } from 'drizzle-orm'
import { queryRows, type Executor } from '../../db/database.js'
import { schoolDay } from '../../lib/school-day.js'
import { calendarDayOf, type CalendarDay } from '../roster/calendar-service.js'
import { StaffRoles, type ChainStep } from './chain.js'

/** A school's hours when it has not set its own: weekdays 07:30–17:30 in TZ_SCHOOL. */
export const DEFAULT_SCHOOL_HOURS = { dayStart: '07:30', dayEnd: '17:30', weekdays: [1, 2, 3, 4, 5] } as const

export interface SchoolHours { dayStart: string; dayEnd: string; weekdays: readonly number[] }

/** 'HH:MM' of a time column (PostgreSQL answers 'HH:MM:SS'). */
export const hhmm = (v: unknown): string => (typeof v === 'string' ? v.slice(0, 5) : '')

/**
 * Whether `now` falls in school hours: a day the school is open (one of its weekdays, no
 * holiday, inside a term — or any weekday while it has entered no term) between the start and
 * the end of its day, wall-clock in the schools' zone. Nights, weekends and holidays are not.
 */
export function inSchoolHours(now: Date, timeZone: string, hours: SchoolHours, cal: CalendarDay | undefined): boolean {
  const day = schoolDay(now, timeZone)
  const isoDow = ((new Date(`${day}T12:00:00Z`).getUTCDay() + 6) % 7) + 1
  if (!hours.weekdays.includes(isoDow)) return false
  if (cal && (cal.holiday || (cal.hasTerms && !cal.inTerm))) return false
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(now).map((x) => [x.type, x.value]))
  const clock = `${p.hour}:${p.minute}`
  return clock >= hours.dayStart && clock < hours.dayEnd
}

/** How the 值班老师 of a step was found: the psychology teachers in school hours, the roster outside them, or nobody on it. */
export type OnCallMode = 'school_hours' | 'roster' | 'nobody_on_call'

export interface SchoolState {
  inHours: boolean
  /** Active staff of the school by user id: whether each is a psychology teacher, an admin. */
  staff: Map<string, { psych: boolean; admin: boolean }>
  /** Staff on a roster entry covering the moment. */
  onCall: string[]
}

/** The state of each school at `now`: its hours, its staff and who is on call. Three statements for all the schools. */
export async function loadSchoolStates(ex: Executor, schoolIds: readonly string[], now: Date, timeZone: string): Promise<Map<string, SchoolState>> {
  const out = new Map<string, SchoolState>()
  if (schoolIds.length === 0) return out
  const ids = `{${schoolIds.join(',')}}`
  const at = now.toISOString()
  const hours = await queryRows<{ school_id: string; day_start: string; day_end: string; weekdays: number[] | string }>(ex, sql`
    select school_id, day_start::text as day_start, day_end::text as day_end, weekdays from school_hours where school_id = any(${ids}::uuid[])`)
  const staff = await queryRows<{ school_id: string; user_id: string; psych: boolean; admin: boolean }>(ex, sql`
    select ur.school_id, ur.user_id, bool_or(ur.role = 'psych_teacher') as psych, bool_or(ur.role = 'school_admin') as admin
    from user_roles ur join users u on u.id = ur.user_id and u.status = 'active'
    where ur.school_id = any(${ids}::uuid[]) and ur.role = any(${`{${StaffRoles.join(',')}}`}::text[])
    group by ur.school_id, ur.user_id`)
  const shifts = await queryRows<{ school_id: string; user_id: string }>(ex, sql`
    select distinct school_id, user_id from on_call_shifts
    where school_id = any(${ids}::uuid[]) and starts_at <= ${at}::timestamptz and ends_at > ${at}::timestamptz`)
  const calendar = await calendarDayOf(ex, schoolIds, schoolDay(now, timeZone))
  for (const id of schoolIds) {
    const h = hours.find((r) => r.school_id === id)
    const set: SchoolHours = h ? { dayStart: hhmm(h.day_start), dayEnd: hhmm(h.day_end), weekdays: weekdaysOf(h.weekdays) } : DEFAULT_SCHOOL_HOURS
    const members = new Map(staff.filter((r) => r.school_id === id).map((r) => [r.user_id, { psych: r.psych, admin: r.admin }]))
    out.set(id, {
      inHours: inSchoolHours(now, timeZone, set, calendar.get(id)),
      staff: members,
      onCall: shifts.filter((r) => r.school_id === id && members.has(r.user_id)).map((r) => r.user_id),
    })
  }
  return out
}

/** smallint[] as the drivers give it: an array, or PostgreSQL's text form '{1,2,3}'. */
export function weekdaysOf(v: number[] | string): number[] {
  if (Array.isArray(v)) return v.map(Number)
  return v.replace(/[{}]/g, '').split(',').filter(Boolean).map(Number)
}

/** Who the 值班老师 is now, and how that was decided. */
export function onCallOf(state: SchoolState): { userIds: string[]; mode: OnCallMode } {
  const psych = [...state.staff].filter(([, s]) => s.psych).map(([id]) => id)
  if (state.inHours) return { userIds: psych, mode: 'school_hours' }
  if (state.onCall.length > 0) return { userIds: state.onCall, mode: 'roster' }
  return { userIds: psych, mode: 'nobody_on_call' }
}

/**
 * The recipients of one step: the roles it names, the named staff (still active staff of the
 * school; anyone else is skipped), and the teacher on call. Who raised the record is never
 * told about it again.
 */
export function recipientsOf(step: ChainStep, state: SchoolState, except: string | null): { users: Map<string, { psych: boolean }>; onCall: OnCallMode | null } {
  const users = new Map<string, { psych: boolean }>()
  const add = (id: string) => {
    const s = state.staff.get(id)
    if (s && id !== except) users.set(id, { psych: s.psych })
  }
  const r = step.recipients
  for (const [id, s] of state.staff) {
    if ((r.roles.includes('psych_teacher') && s.psych) || (r.roles.includes('school_admin') && s.admin)) add(id)
  }
  for (const id of r.userIds) add(id)
  let onCall: OnCallMode | null = null
  if (r.onCall) {
    const oc = onCallOf(state)
    onCall = oc.mode
    for (const id of oc.userIds) add(id)
  }
  return { users, onCall }
}
