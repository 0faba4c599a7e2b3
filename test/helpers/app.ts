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

export async function buildTestApp(t: Teardown, overrides: Partial<Config> = {}, sink?: LogSink): Promise<TestContext> {
  const { database, drop } = await freshDatabase()
  const config: Config = {
    // The generated suites send thousands of requests from one address: lift the global limit.
    ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '1000000' }),
    jwtSecret: randomBytes(32).toString('hex'),
    ...overrides,
  }
  const logs: string[] = []
  // With a sink (sharedTestApp), into the lists of every caller given this app.
  const lines = sink ?? new LogSink(logs)
  const logStream = new Writable({
    write(chunk, _enc, cb) { lines.write(String(chunk)); cb() },
  })
  const app = await buildApp({ config, database, logStream })
  await app.ready()
  t.teardown(async () => {
    await app.close()
    await drop()
  })
  return { app, database, config, logs }
}

/**
 * An app and database shared by every file of the process that asks with the same overrides
 * (a group runs its files one after the other in one process, test/helpers/groups.ts), where
 * buildTestApp gives each caller its own. Opening a fresh database costs about 0.7 s on the
 * embedded database and 0.2 s on a server, more than many files' own tests. For files whose
 * tests touch only the schools, users and pupils they create (random codes): they must not
 * count or change rows of the whole database, its settings or its schema. A file whose work
 * grows with the whole database keeps its own: the generated access suites read every table
 * (the mass-assignment suite took 63 s on a server after the leak scan's rows, 25 s alone).
 * `logs` holds the lines the app wrote since this call. Closed when the process's tests end.
 */
export async function sharedTestApp(overrides: Partial<Config> = {}): Promise<TestContext> {
  const entries = Object.entries(overrides).sort(([a], [b]) => a.localeCompare(b))
  const odd = entries.find(([, v]) => v !== null && !['string', 'number', 'boolean'].includes(typeof v))
  if (odd) throw new Error(`sharedTestApp: the override ${odd[0]} is not a plain value, so it cannot name a shared app; use buildTestApp`)
  const key = JSON.stringify(entries)
  let made = shared.get(key)
  if (!made) {
    made = openShared(overrides)
    shared.set(key, made)
    // tap only here: the bench imports this module's fixtures, and importing tap starts its
    // root test, whose timeout then ends the importing process.
    if (shared.size === 1) (await import('tap')).default.teardown(closeShared)
  }
  const { ctx, sink } = await made
  const logs: string[] = []
  sink.add(logs)
  return { ...ctx, logs }
}

type Shared = { ctx: TestContext; sink: LogSink; close(): Promise<void> }
const shared = new Map<string, Promise<Shared>>()

/** Lines an app writes, into every list added so far. */
class LogSink {
  private readonly lists: string[][]
  constructor(...lists: string[][]) { this.lists = lists }
  add(list: string[]) { this.lists.push(list) }
  write(line: string) { for (const l of this.lists) l.push(line) }
}

async function openShared(overrides: Partial<Config>): Promise<Shared> {
  const closers: Array<() => unknown> = []
  const sink = new LogSink()
  const ctx = await buildTestApp({ teardown: (fn) => closers.unshift(fn) }, overrides, sink)
  return { ctx, sink, async close() { for (const fn of closers) await fn() } }
}

async function closeShared(): Promise<void> {
  const all = [...shared.values()]
  shared.clear()
  for (const s of all) await (await s).close()
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
