/**
 * 测评结果导入 throughput (issue 4 closing figure): 10,000 PHQ-A responses — one CSV row per
 * pupil — through POST /api/v1/screening/campaigns/:id/import?wait=true, on the embedded
 * database and, when DATABASE_URL is set, on that server (in a scratch database created and
 * dropped there). Measures the whole request: parsing, checking every row, scoring, COPY into
 * staging, INSERT … SELECT, crisis events for item 9, the audit row. Then the same file again
 * (idempotent: nothing new is written).
 *
 * Usage: tsx scripts/bench-screening-import.ts [--rows 10000]
 *        DATABASE_URL=postgres://… tsx scripts/bench-screening-import.ts
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { openDatabase, queryRows, type Database } from '../src/db/database.js'
import { runMigrations } from '../src/db/migrate.js'
import { classes, districts, grades, schools, screeningCampaigns, userRoles, users } from '../db/schema/index.js'
import { hashPassword } from '../src/modules/auth/password.js'
import { builtInByCode } from '../src/modules/screening/instruments/index.js'

const argRows = process.argv.indexOf('--rows')
const ROWS = argRows > 0 ? Number(process.argv[argRows + 1]) : 10_000
const PASSWORD = 'Bench-password-1'

interface Result { mode: string; rows: number; responses: number; crises: number; ms: number; againMs: number }

/** Deterministic answers: most pupils low, ~2% with item 9 ≥ 1. */
function answersOf(i: number): number[] {
  const a = Array.from({ length: 9 }, (_, k) => ((i * 7 + k * 13) % 11 === 0 ? 2 : (i + k) % 5 === 0 ? 1 : 0))
  a[8] = i % 50 === 0 ? 1 : 0
  return a
}

async function benchOne(database: Database, url: string | undefined): Promise<Result> {
  await runMigrations(database, url)
  const { db } = database
  const tag = randomBytes(3).toString('hex')
  const d = (await db.insert(districts).values({ code: `BI${tag}`, name: 'bench' }).returning())[0]!
  const s = (await db.insert(schools).values({ districtId: d.id, code: `BI${tag}`, name: 'bench' }).returning())[0]!
  const g = (await db.insert(grades).values({ schoolId: s.id, level: 8, name: '八年级' }).returning())[0]!
  const classIds: string[] = []
  for (let seq = 1; seq <= 20; seq++) classIds.push((await db.insert(classes).values({ schoolId: s.id, gradeId: g.id, name: `八年级(${seq})班`, seq }).returning())[0]!.id)
  // The roster arrives by COPY too: 10,000 pupils in 20 classes.
  const pupils = Array.from({ length: ROWS }, (_, i) => ({ id: randomUUID(), no: `B${String(i).padStart(6, '0')}`, name: `学生${i}`, classId: classIds[i % classIds.length]! }))
  await database.copyRows('students', ['school_id', 'id', 'student_no', 'name', 'gender', 'class_id'], pupils.map((p, i) => [s.id, p.id, p.no, p.name, i % 2 ? 'F' : 'M', p.classId]))
  const u = (await db.insert(users).values({ username: `bench_${tag}`, passwordHash: await hashPassword(PASSWORD), displayName: 'bench', schoolId: s.id, districtId: d.id }).returning())[0]!
  await db.insert(userRoles).values({ userId: u.id, role: 'psych_teacher', schoolId: s.id })
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
  const campaign = (await db.insert(screeningCampaigns).values({
    schoolId: s.id, name: 'bench', schoolYear: '2026-2027', instrumentIds: [builtInByCode('PHQ-A')!.id], gradeLevels: [8],
    startDate: '2020-01-01', endDate: '2099-12-31', status: 'open',
  }).returning())[0]!

  const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000' })
  const app = await buildApp({ config, database })
  await app.ready()
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: u.username, password: PASSWORD } })
  const token = (login.json() as { accessToken: string }).accessToken

  const header = ['学号', '姓名', ...Array.from({ length: 9 }, (_, k) => `PHQ${k + 1}`), '测评日期'].join(',')
  const file = header + '\n' + pupils.map((p, i) => [p.no, p.name, ...answersOf(i), today].join(',')).join('\n') + '\n'
  const send = async () => {
    const t0 = performance.now()
    const res = await app.inject({
      method: 'POST', url: `/api/v1/screening/campaigns/${campaign.id}/import?wait=true`, payload: file,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    })
    const ms = performance.now() - t0
    if (res.statusCode !== 200) throw new Error(`import answered ${res.statusCode}: ${res.body.slice(0, 300)}`)
    return { ms, job: res.json() as { result: { inserted: number; crisisEventsOpened: number; alreadyOnFile: number } } }
  }
  const first = await send()
  const again = await send()
  if (again.job.result.inserted !== 0 || again.job.result.alreadyOnFile !== ROWS) throw new Error('re-import was not idempotent')
  const [count] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from screening_responses where campaign_id = ${campaign.id}`)
  if (count!.n !== ROWS) throw new Error(`expected ${ROWS} responses, found ${count!.n}`)
  await app.close()
  return {
    mode: database.kind, rows: ROWS, responses: first.job.result.inserted, crises: first.job.result.crisisEventsOpened,
    ms: first.ms, againMs: again.ms,
  }
}

async function embedded(): Promise<Result> {
  const database = await openDatabase({ memory: true })
  try {
    return await benchOne(database, undefined)
  } finally {
    await database.close()
  }
}

/** A scratch database on the server at DATABASE_URL, dropped afterwards. */
async function server(url: string): Promise<Result> {
  const { default: postgres } = await import('postgres')
  const admin = postgres(url, { max: 1, onnotice: () => {} })
  const name = `xinan_bench_import_${randomBytes(4).toString('hex')}`
  await admin.unsafe(`create database "${name}"`)
  const u = new URL(url)
  u.pathname = `/${name}`
  const database = await openDatabase({ url: u.toString(), poolMax: 5 })
  try {
    return await benchOne(database, u.toString())
  } finally {
    await database.close()
    await admin.unsafe(`drop database if exists "${name}" with (force)`)
    await admin.end({ timeout: 5 })
  }
}

const results: Result[] = [await embedded()]
// The only reader of the environment outside src/config.ts: a bench tool, not the app.
const url = process.env.DATABASE_URL
if (url) results.push(await server(url))
else console.log('(DATABASE_URL not set: server mode skipped)')
for (const r of results) {
  const rate = Math.round(r.responses / (r.ms / 1000))
  const againRate = Math.round(r.rows / (r.againMs / 1000))
  console.log(`screening import, ${r.mode}: ${r.responses} responses (${r.crises} crisis events) in ${Math.round(r.ms)} ms = ${rate} rows/s; `
    + `same file again (nothing new) ${Math.round(r.againMs)} ms = ${againRate} rows/s`)
}
