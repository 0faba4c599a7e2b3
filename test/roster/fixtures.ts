import { sql } from 'drizzle-orm'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import type { Config } from '../../src/config.js'
import { queryRows } from '../../src/db/database.js'
import type { Role } from '../../src/access/roles.js'
import { sharedTestApp, createSchool, createUser, injectAs, login, type SchoolFixture, type TestContext } from '../helpers/app.js'

export interface Caller { id: string; username: string; token: string }

export interface RosterWorld extends TestContext {
  A: SchoolFixture
  B: SchoolFixture
  admin: Caller
  adminB: Caller
  psych: Caller
  /** Homeroom teacher of A's first class. */
  homeroom: Caller
  monitor: Caller
  mentor: Caller
  district: Caller
  caller(school: SchoolFixture, grants: Array<{ role: Role; classId?: string }>): Promise<Caller>
  call(who: Caller, method: InjectOptions['method'], url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>
  auditCount(): Promise<number>
  lastAudit(): Promise<{ action: string; resource: string; record_ids: string[]; student_ids: string[]; outcome: string }>
}

/** Two schools of one district and a caller per role in school A (the homeroom teacher and monitor in A's first class). */
export async function rosterWorld(overrides: Partial<Config> = {}): Promise<RosterWorld> {
  const ctx = await sharedTestApp(overrides)
  const { app, database } = ctx
  const A = await createSchool(database)
  const B = await createSchool(database, A.districtId)
  const caller = async (school: SchoolFixture, grants: Array<{ role: Role; classId?: string }>): Promise<Caller> => {
    const u = await createUser(database, school, grants)
    return { ...u, token: (await login(app, u.username)).accessToken }
  }
  const [admin, adminB, psych, homeroom, monitor, mentor, district] = await Promise.all([
    caller(A, [{ role: 'school_admin' }]),
    caller(B, [{ role: 'school_admin' }]),
    caller(A, [{ role: 'psych_teacher' }]),
    caller(A, [{ role: 'homeroom_teacher', classId: A.classIds[0] }]),
    caller(A, [{ role: 'peer_monitor', classId: A.classIds[0] }]),
    caller(A, [{ role: 'mentor' }]),
    caller(A, [{ role: 'district_staff' }]),
  ])
  const call = (who: Caller, method: InjectOptions['method'], url: string, payload?: unknown, headers?: Record<string, string>) =>
    injectAs(app, who.token, {
      method, url, ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }), ...(headers ? { headers } : {}),
    })
  const auditCount = async () => Number((await queryRows<{ n: string | number }>(database.db, sql`select count(*) as n from audit_log`))[0]!.n)
  const lastAudit = async () => (await queryRows<{ action: string; resource: string; record_ids: string[]; student_ids: string[]; outcome: string }>(
    database.db, sql`select action, resource, record_ids, student_ids, outcome from audit_log order by seq desc limit 1`))[0]!
  return { ...ctx, A, B, admin: admin!, adminB: adminB!, psych: psych!, homeroom: homeroom!, monitor: monitor!, mentor: mentor!, district: district!, caller, call, auditCount, lastAudit }
}
