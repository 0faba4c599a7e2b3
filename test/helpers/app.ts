import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { loadConfig, type Config } from '../../src/config.js'
import { buildApp } from '../../src/app.js'
import type { Database } from '../../src/db/database.js'
import { districts, schools, users, userRoles, grades, classes } from '../../db/schema/index.js'
import { hashPassword } from '../../src/modules/auth/password.js'
import type { Role } from '../../src/access/roles.js'
import { freshDatabase } from './database.js'

export const TEST_PASSWORD = 'Test-password-1234'
let cachedHash: Promise<string> | undefined
const passwordHash = () => (cachedHash ??= hashPassword(TEST_PASSWORD))

export interface TestContext {
  app: FastifyInstance
  database: Database
  config: Config
  /** Every log line the app wrote, for redaction checks. */
  logs: string[]
}

interface Teardown { teardown(fn: () => unknown): void }

export async function buildTestApp(t: Teardown, overrides: Partial<Config> = {}): Promise<TestContext> {
  const { database, drop } = await freshDatabase()
  const config: Config = {
    // The generated suites send thousands of requests from one address: lift the global limit.
    ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '1000000' }),
    jwtSecret: randomBytes(32).toString('hex'),
    ...overrides,
  }
  const logs: string[] = []
  const logStream = new Writable({
    write(chunk, _enc, cb) { logs.push(String(chunk)); cb() },
  })
  const app = await buildApp({ config, database, logStream })
  await app.ready()
  t.teardown(async () => {
    await app.close()
    await drop()
  })
  return { app, database, config, logs }
}

export const rid = () => randomBytes(4).toString('hex')

export interface SchoolFixture {
  districtId: string
  schoolId: string
  gradeId: string
  classIds: [string, string]
}

/** A district with one school, grade 7 and two classes, all with random codes. */
export async function createSchool(database: Database, districtId?: string): Promise<SchoolFixture> {
  const { db } = database
  const dId = districtId ?? (await db.insert(districts).values({ code: `D${rid()}`, name: `测试区${rid()}` }).returning())[0]!.id
  const school = (await db.insert(schools).values({ districtId: dId, code: `S${rid()}`, name: `测试学校${rid()}` }).returning())[0]!
  const grade = (await db.insert(grades).values({ schoolId: school.id, level: 7, name: '七年级' }).returning())[0]!
  const c1 = (await db.insert(classes).values({ schoolId: school.id, gradeId: grade.id, name: '七年级(1)班', seq: 1 }).returning())[0]!
  const c2 = (await db.insert(classes).values({ schoolId: school.id, gradeId: grade.id, name: '七年级(2)班', seq: 2 }).returning())[0]!
  return { districtId: dId, schoolId: school.id, gradeId: grade.id, classIds: [c1.id, c2.id] }
}

export interface UserFixture { id: string; username: string }

export async function createUser(
  database: Database,
  school: SchoolFixture,
  grants: Array<{ role: Role; classId?: string }>,
): Promise<UserFixture> {
  const { db } = database
  const username = `u_${rid()}`
  const isDistrict = grants.every((g) => g.role === 'district_staff')
  const user = (await db.insert(users).values({
    username,
    passwordHash: await passwordHash(),
    displayName: `测试用户${rid()}`,
    schoolId: isDistrict ? null : school.schoolId,
    districtId: school.districtId,
  }).returning())[0]!
  for (const g of grants) {
    await db.insert(userRoles).values(g.role === 'district_staff'
      ? { userId: user.id, role: g.role, districtId: school.districtId }
      : { userId: user.id, role: g.role, schoolId: school.schoolId, classId: g.classId ?? null })
  }
  return { id: user.id, username }
}

export async function login(app: FastifyInstance, username: string, password = TEST_PASSWORD) {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } })
  if (res.statusCode !== 200) throw new Error(`login failed for ${username}: ${res.statusCode} ${res.body}`)
  return res.json() as { accessToken: string; refreshToken: string; user: { id: string } }
}

/** Injects as a logged-in user. */
export function injectAs(app: FastifyInstance, token: string, opts: InjectOptions): Promise<LightMyRequestResponse> {
  return app.inject({ ...opts, headers: { ...(opts.headers ?? {}), authorization: `Bearer ${token}` } })
}
