import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { careList, holidays, students, terms } from '../../db/schema/index.js'
import type { Config } from '../../src/config.js'
import type { Database } from '../../src/db/database.js'
import { queryRows } from '../../src/db/database.js'
import { addDays, atSchoolTime } from '../../src/lib/school-day.js'
import { jobsByName } from '../../src/jobs/jobs.js'
import { runJob, type JobRunResult } from '../../src/jobs/runner.js'
import { createSchool, createUser, login, rid, type SchoolFixture } from '../helpers/app.js'

/**
 * The 2025-2026 autumn semester of a school: 2025-09-01 (Mon) … 2026-01-16 (Fri), two major
 * holidays (国庆 10-01…10-08, 元旦 01-01…01-03) and a school sports day on Monday 10-13 that
 * is not major but is no school day, so it pushes the 国庆 return window by one day.
 */
export const SEMESTER = { schoolYear: '2025-2026', semester: 1, startDate: '2025-09-01', endDate: '2026-01-16' }
export const HOLIDAYS = [
  { name: '国庆节', kind: 'national_day', startDate: '2025-10-01', endDate: '2025-10-08', major: true },
  { name: '运动会', kind: 'other', startDate: '2025-10-13', endDate: '2025-10-13', major: false },
  { name: '元旦', kind: 'other', startDate: '2026-01-01', endDate: '2026-01-03', major: true },
]

export async function addCalendar(database: Database, schoolId: string): Promise<void> {
  await database.db.insert(terms).values({ schoolId, name: '2025-2026学年上学期', ...SEMESTER })
  await database.db.insert(holidays).values(HOLIDAYS.map((h) => ({ schoolId, ...h })))
}

export async function addStudent(database: Database, school: SchoolFixture, classId: string, name: string): Promise<string> {
  const row = (await database.db.insert(students).values({
    schoolId: school.schoolId, classId, studentNo: `N${rid()}${rid()}`, name, gender: 'F', birthDate: '2012-03-04',
  }).returning({ id: students.id }))[0]!
  return row.id
}

export async function addToCareList(database: Database, schoolId: string, studentId: string, at: string): Promise<void> {
  await database.db.insert(careList).values({ schoolId, studentId, riskLevel: 'yellow', reason: '测评结果关注', guidance: '多鼓励', addedAt: new Date(at) })
}

export interface SchoolWorld {
  school: SchoolFixture
  homeroom: { id: string; token: string }
  psych: { id: string; token: string }
  admin: { id: string; token: string }
}

/** A school with the semester's calendar, a homeroom teacher of class 1, a psychology teacher and an admin. */
export async function schoolWorld(app: FastifyInstance, database: Database): Promise<SchoolWorld> {
  const school = await createSchool(database)
  await addCalendar(database, school.schoolId)
  const mk = async (grants: Parameters<typeof createUser>[2]) => {
    const u = await createUser(database, school, grants)
    return { id: u.id, token: (await login(app, u.username)).accessToken }
  }
  return {
    school,
    homeroom: await mk([{ role: 'homeroom_teacher', classId: school.classIds[0] }]),
    psych: await mk([{ role: 'psych_teacher' }]),
    admin: await mk([{ role: 'school_admin' }]),
  }
}

export function job(database: Database, config: Config, name: string, day: string, time = '01:10'): Promise<JobRunResult> {
  return runJob(database, jobsByName.get(name)!, { now: atSchoolTime(day, time), config })
}

/** The nightly talk jobs for one school day: generate, then mark overdue. */
export async function nightly(database: Database, config: Config, day: string): Promise<void> {
  for (const name of ['generate-duties', 'mark-overdue']) {
    const r = await job(database, config, name, day)
    if (r.status !== 'ok') throw new Error(`${name} on ${day}: ${r.status} ${r.error}`)
  }
}

export function* days(from: string, to: string): Generator<string> {
  for (let d = from; d <= to; d = addDays(d, 1)) yield d
}

export interface DutyRow { student_id: string; class_id: string; kind: string; window_key: string; window_start: string; due_date: string; status: string; fulfilled_on: string | null }

export async function dutiesOf(database: Database, schoolId: string): Promise<DutyRow[]> {
  return queryRows<DutyRow>(database.db, sql`
    select student_id, class_id, kind, window_key, to_char(window_start, 'YYYY-MM-DD') as window_start,
      to_char(due_date, 'YYYY-MM-DD') as due_date, status, to_char(fulfilled_on, 'YYYY-MM-DD') as fulfilled_on
    from talk_duties where school_id = ${schoolId} order by student_id, kind, window_key`)
}

/** A digest of every row of the tables jobs write, to show a second run changed nothing. */
export async function fingerprint(database: Database): Promise<string> {
  const parts: string[] = []
  for (const t of ['talk_duties', 'talk_logs', 'notifications', 'peer_alerts', 'crisis_events', 'referrals', 'students', 'guardians']) {
    const rows = await queryRows<{ h: string | null }>(database.db, sql`select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from ${sql.identifier(t)} x`)
    parts.push(`${t}:${rows[0]!.h}`)
  }
  const audit = await queryRows<{ n: string | number }>(database.db, sql`select count(*) as n from audit_log`)
  return `${parts.join(',')},audit:${audit[0]!.n}`
}
