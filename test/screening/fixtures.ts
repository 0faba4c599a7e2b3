import { sql } from 'drizzle-orm'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { pairings, students } from '../../db/schema/index.js'
import type { Role } from '../../src/access/roles.js'
import type { Config } from '../../src/config.js'
import { queryRows } from '../../src/db/database.js'
import { BUILT_IN_INSTRUMENTS } from '../../src/modules/screening/instruments/index.js'
import { sharedTestApp, createSchool, createUser, injectAs, login, rid, type SchoolFixture, type TestContext } from '../helpers/app.js'

export const PHQ9_ID = BUILT_IN_INSTRUMENTS[0].id
export const PHQA_ID = BUILT_IN_INSTRUMENTS[1].id
export const GAD7_ID = BUILT_IN_INSTRUMENTS[2].id
export const ASQ_ID = BUILT_IN_INSTRUMENTS[3].id

export interface Caller { id: string; username: string; token: string }
export interface Pupil { id: string; studentNo: string; name: string; classId: string }

export interface ScreeningWorld extends TestContext {
  A: SchoolFixture
  B: SchoolFixture
  psych: Caller
  psych2: Caller
  psychB: Caller
  admin: Caller
  /** Homeroom teacher of A's first class. */
  homeroom: Caller
  /** Homeroom teacher of B's first class. */
  homeroomB: Caller
  mentor: Caller
  monitor: Caller
  district: Caller
  call(who: Caller, method: InjectOptions['method'], url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>
  /** A pupil in the given class (direct insert). */
  pupil(school: SchoolFixture, classId: string, name?: string): Promise<Pupil>
  pair(mentor: Caller, studentId: string, school?: SchoolFixture): Promise<void>
  auditRows(resource: string): Promise<Array<{ action: string; record_ids: string[]; student_ids: string[]; outcome: string }>>
  count(table: string, where?: ReturnType<typeof sql>): Promise<number>
}

export async function screeningWorld(overrides: Partial<Config> = {}): Promise<ScreeningWorld> {
  const ctx = await sharedTestApp(overrides)
  const { app, database } = ctx
  const A = await createSchool(database)
  const B = await createSchool(database, A.districtId)
  const caller = async (school: SchoolFixture, grants: Array<{ role: Role; classId?: string }>): Promise<Caller> => {
    const u = await createUser(database, school, grants)
    return { ...u, token: (await login(app, u.username)).accessToken }
  }
  const [psych, psych2, psychB, admin, homeroom, homeroomB, mentor, monitor, district] = await Promise.all([
    caller(A, [{ role: 'psych_teacher' }]),
    caller(A, [{ role: 'psych_teacher' }]),
    caller(B, [{ role: 'psych_teacher' }]),
    caller(A, [{ role: 'school_admin' }]),
    caller(A, [{ role: 'homeroom_teacher', classId: A.classIds[0] }]),
    caller(B, [{ role: 'homeroom_teacher', classId: B.classIds[0] }]),
    caller(A, [{ role: 'mentor' }]),
    caller(A, [{ role: 'peer_monitor', classId: A.classIds[0] }]),
    caller(A, [{ role: 'district_staff' }]),
  ])
  const call = (who: Caller, method: InjectOptions['method'], url: string, payload?: unknown, headers?: Record<string, string>) =>
    injectAs(app, who.token, {
      method, url, ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }), ...(headers ? { headers } : {}),
    })
  let serial = 0
  const pupil = async (school: SchoolFixture, classId: string, name = `学生${rid()}`): Promise<Pupil> => {
    serial++
    const studentNo = `T${String(serial).padStart(4, '0')}${rid()}`
    const row = (await database.db.insert(students).values({
      schoolId: school.schoolId, classId, studentNo, name, gender: serial % 2 ? 'F' : 'M', birthDate: '2013-05-01',
    }).returning())[0]!
    return { id: row.id, studentNo, name, classId }
  }
  const pair = async (m: Caller, studentId: string, school = A) => {
    await database.db.insert(pairings).values({ schoolId: school.schoolId, studentId, mentorId: m.id, purpose: '学业与情绪支持', startDate: '2020-01-01' })
  }
  // Rows of this world's two schools only: other files' worlds share the database (sharedTestApp).
  const ours = sql`school_id in (${A.schoolId}, ${B.schoolId})`
  const auditRows = (resource: string) => queryRows<{ action: string; record_ids: string[]; student_ids: string[]; outcome: string }>(database.db,
    sql`select action, record_ids, student_ids::text[] as student_ids, outcome from audit_log where resource = ${resource} and ${ours} order by seq`)
  const count = async (table: string, where?: ReturnType<typeof sql>) => {
    const rows = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from ${sql.identifier(table)} where ${ours} ${where ? sql`and (${where})` : sql``}`)
    return rows[0]!.n
  }
  return { ...ctx, A, B, psych, psych2, psychB, admin, homeroom, homeroomB, mentor, monitor, district, call, pupil, pair, auditRows, count }
}

/** Today and a few days around it, as the server counts them (Asia/Shanghai). */
export function shanghaiDay(offsetDays = 0): string {
  const d = new Date(Date.now() + 8 * 3_600_000 + offsetDays * 86_400_000)
  return d.toISOString().slice(0, 10)
}

export function schoolYearOfToday(): string {
  const today = shanghaiDay()
  const y = Number(today.slice(0, 4))
  return Number(today.slice(5, 7)) >= 9 ? `${y}-${y + 1}` : `${y - 1}-${y}`
}

/**
 * An open campaign for grade 7 over the last month, through the API. These fixtures serve the
 * tests of scoring, entry and import, so the campaign does not require consent unless asked;
 * consent.test.ts covers campaigns that do (the default of a campaign created without the flag).
 */
export async function openCampaign(w: ScreeningWorld, who: Caller, instrumentIds: string[] = [PHQA_ID, GAD7_ID], opts: { consentRequired?: boolean } = {}) {
  const res = await w.call(who, 'POST', '/api/v1/screening/campaigns', {
    name: '七年级心理测评', schoolYear: schoolYearOfToday(), instrumentIds, gradeLevels: [7],
    startDate: shanghaiDay(-30), endDate: shanghaiDay(30), status: 'open',
    consentRequired: opts.consentRequired ?? false,
  })
  if (res.statusCode !== 201) throw new Error(`campaign create failed ${res.statusCode} ${res.body}`)
  return res.json() as { id: string }
}
