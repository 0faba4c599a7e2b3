import { sql } from 'drizzle-orm'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { guardians, students } from '../../db/schema/index.js'
import type { Role } from '../../src/access/roles.js'
import type { Config } from '../../src/config.js'
import { queryRows } from '../../src/db/database.js'
import { sharedTestApp, createSchool, createUser, injectAs, login, rid, type SchoolFixture, type TestContext } from '../helpers/app.js'

export interface Caller { id: string; username: string; token: string }

export interface SupportWorld extends TestContext {
  A: SchoolFixture
  B: SchoolFixture
  psych: Caller
  /** Homeroom teacher of A's first class. */
  homeroom: Caller
  /** A teacher with no role but the mentor grant. */
  mentor: Caller
  /** Psychology monitor of A's first class. */
  monitor: Caller
  /** Psychology monitor of A's second class. */
  monitor2: Caller
  admin: Caller
  district: Caller
  caller(school: SchoolFixture, grants: Array<{ role: Role; classId?: string }>): Promise<Caller>
  call(who: Caller, method: InjectOptions['method'], url: string, payload?: unknown): Promise<LightMyRequestResponse>
  /** A pupil (with a guardian) in A's first class, A's second class, or B. */
  student(where?: 'class1' | 'class2' | 'schoolB'): Promise<{ id: string; classId: string; name: string; guardianId: string }>
  lastAudit(resource?: string): Promise<{ action: string; resource: string; record_ids: string[]; student_ids: string[]; outcome: string; field_groups: string[] }>
}

export async function supportWorld(overrides: Partial<Config> = {}): Promise<SupportWorld> {
  const ctx = await sharedTestApp(overrides)
  const { app, database } = ctx
  const A = await createSchool(database)
  const B = await createSchool(database, A.districtId)
  const caller = async (school: SchoolFixture, grants: Array<{ role: Role; classId?: string }>): Promise<Caller> => {
    const u = await createUser(database, school, grants)
    return { ...u, token: (await login(app, u.username)).accessToken }
  }
  const psych = await caller(A, [{ role: 'psych_teacher' }])
  const homeroom = await caller(A, [{ role: 'homeroom_teacher', classId: A.classIds[0] }])
  const mentor = await caller(A, [{ role: 'mentor' }])
  const monitor = await caller(A, [{ role: 'peer_monitor', classId: A.classIds[0] }])
  const monitor2 = await caller(A, [{ role: 'peer_monitor', classId: A.classIds[1] }])
  const admin = await caller(A, [{ role: 'school_admin' }])
  const district = await caller(A, [{ role: 'district_staff' }])
  const call = (who: Caller, method: InjectOptions['method'], url: string, payload?: unknown) =>
    injectAs(app, who.token, { method, url, ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }) })
  const student = async (where: 'class1' | 'class2' | 'schoolB' = 'class1') => {
    const school = where === 'schoolB' ? B : A
    const classId = where === 'class2' ? A.classIds[1] : school.classIds[0]
    const name = `学生${rid()}`
    const s = (await database.db.insert(students).values({
      schoolId: school.schoolId, classId, studentNo: `S${rid()}${rid()}`, name, gender: 'F', birthDate: '2013-05-01',
    }).returning())[0]!
    const g = (await database.db.insert(guardians).values({
      schoolId: school.schoolId, studentId: s.id, name: `家长${rid()}`, relation: '母亲', phone: '13900001111',
    }).returning())[0]!
    return { id: s.id, classId, name, guardianId: g.id }
  }
  const lastAudit = async (resource?: string) => (await queryRows<{ action: string; resource: string; record_ids: string[]; student_ids: string[]; outcome: string; field_groups: string[] }>(
    database.db, sql`select action, resource, record_ids, student_ids, outcome, field_groups from audit_log
      ${resource ? sql`where resource = ${resource}` : sql``} order by seq desc limit 1`))[0]!
  return { ...ctx, A, B, psych, homeroom, mentor, monitor, monitor2, admin, district, caller, call, student, lastAudit }
}
