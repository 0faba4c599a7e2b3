/**
 * Closing figure of issue 7: latency of the district tables for a district of 100 schools
 * and 100,000 students. Loads a synthetic district by COPY (app.database.copyRows): rosters,
 * two school years of screening, care list, cases, 三个必谈 duties, activities, referrals and
 * crisis events. Then times, through the API (auth, district decision, audit row, JSON):
 *  - cold/warm: both read the stored release (see scripts/bench/district.ts for the release computation);
 *  - warm: repeated fetches of all seven tables with the default cache;
 * and, outside HTTP, how the cold time splits between the SQL aggregates and suppression.
 *
 *   npx tsx scripts/bench-district.ts [--students 100000] [--schools 100] [--cold 5] [--warm 30]
 *
 * Embedded PGlite (in memory) by default; with DATABASE_URL, a scratch database is created on
 * that server, used and dropped. Every name in it is synthetic.
 */
import { randomBytes } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { loadConfig, type Config } from '../src/config.js'
import { openDatabase, type Database } from '../src/db/database.js'
import { runMigrations } from '../src/db/migrate.js'
import { loadAggregates } from '../src/modules/district/repository.js'
import { dayIn, schoolYearWindow } from '../src/modules/district/school-year.js'
import { buildDistrictTables, TableNames } from '../src/modules/district/tables.js'
import { createUser, login } from '../test/helpers/app.js'
import { generateDistrict } from '../test/district/synthetic.js'

const args = process.argv.slice(2)
const opt = (flag: string, dflt: number) => {
  const i = args.indexOf(flag)
  return i >= 0 ? Number(args[i + 1]) : dflt
}
const STUDENTS = opt('--students', 100_000)
const SCHOOLS = opt('--schools', 100)
const COLD = opt('--cold', 5)
const WARM = opt('--warm', 30)

const base: Config = { ...loadConfig({ ...process.env, JOBS_ENABLED: 'false', LOG_LEVEL: 'silent' }), jwtSecret: randomBytes(32).toString('hex') }
const serverUrl = base.DATABASE_URL

async function open(): Promise<{ database: Database; drop(): Promise<void>; label: string }> {
  if (!serverUrl) {
    const database = await openDatabase({ memory: true })
    await runMigrations(database)
    return { database, drop: () => database.close(), label: 'embedded (PGlite, in memory)' }
  }
  const { default: postgres } = await import('postgres')
  const name = `xinan_bench_${randomBytes(4).toString('hex')}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database "${name}"`)
  const u = new URL(serverUrl)
  u.pathname = `/${name}`
  const url = u.toString()
  const database = await openDatabase({ url, poolMax: 4 })
  await runMigrations(database, url)
  return {
    database,
    label: `server (PostgreSQL, scratch database ${name})`,
    async drop() {
      await database.close()
      await admin.unsafe(`drop database if exists "${name}" with (force)`)
      await admin.end({ timeout: 5 })
    },
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!
}
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1).padStart(7)} ms   p99 ${pct(xs, 99).toFixed(1).padStart(7)} ms   (n=${xs.length})`

async function fetchTime(app: FastifyInstance, token: string, url: string): Promise<number> {
  const t0 = performance.now()
  const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })
  const ms = performance.now() - t0
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`)
  return ms
}

const { database, drop, label } = await open()
const warmApp = await buildApp({ config: base, database })
// Reads serve stored releases now; the release computation itself is measured by scripts/bench/district.ts.
const coldApp = await buildApp({ config: base, database })
await warmApp.ready()
await coldApp.ready()
console.log(`district tables: ${STUDENTS.toLocaleString('en')} students in ${SCHOOLS} schools — ${label}`)
try {
  const y = schoolYearWindow(dayIn(base.TZ_SCHOOL))
  const t0 = performance.now()
  const d = await generateDistrict(warmApp.database, { schools: SCHOOLS, students: STUDENTS, seed: 2026, y, codePrefix: 'BENCH', tinyGrades: 0.1 })
  await database.db.execute(sql`analyze`)
  console.log(`synthetic district by COPY: ${d.rows.toLocaleString('en')} rows in ${Math.round(performance.now() - t0)} ms`)

  const staff = await createUser(database, { districtId: d.districtId, schoolId: d.schoolIds[0]!, gradeId: '', classIds: ['', ''] }, [{ role: 'district_staff' }])
  const token = (await login(warmApp, staff.username)).accessToken

  // Where a cold computation goes.
  const schools = (await database.db.execute(sql`select id, code, name, stage from schools where district_id = ${d.districtId} order by code`)) as unknown
  const list = (Array.isArray(schools) ? schools : (schools as { rows: unknown[] }).rows) as Array<{ id: string; code: string; name: string; stage: string }>
  const info = list.map((s) => ({ schoolId: s.id, code: s.code, name: s.name, stage: s.stage }))
  const sqlMs: number[] = []
  const buildMs: number[] = []
  let stats: unknown
  for (let i = 0; i < COLD; i++) {
    const a = performance.now()
    const agg = await database.db.transaction((tx) => loadAggregates(tx, info.map((s) => s.schoolId), y))
    const b = performance.now()
    const built = buildDistrictTables(d.districtId, info, agg, y)
    sqlMs.push(b - a)
    buildMs.push(performance.now() - b)
    stats = built.stats
  }
  console.log(`joint system: ${JSON.stringify(stats)}`)
  console.log(`  SQL aggregates (owner, one snapshot)          ${fmt(sqlMs)}`)
  console.log(`  suppression + rendering                       ${fmt(buildMs)}`)

  const cold: number[] = []
  for (let i = 0; i < COLD; i++) for (const name of TableNames) cold.push(await fetchTime(coldApp, token, `/api/v1/district/tables/${name}`))
  console.log(`cold fetch (no cache, recomputed each time)    ${fmt(cold)}`)

  await fetchTime(warmApp, token, '/api/v1/district/tables/risk-current')
  const warm: number[] = []
  const perTable = new Map<string, number[]>()
  for (let i = 0; i < WARM; i++) {
    for (const name of TableNames) {
      const ms = await fetchTime(warmApp, token, `/api/v1/district/tables/${name}`)
      warm.push(ms)
      perTable.set(name, [...(perTable.get(name) ?? []), ms])
    }
  }
  console.log(`warm fetch (cached joint result, audited)      ${fmt(warm)}`)
  for (const [name, xs] of perTable) console.log(`  ${name.padEnd(44)} ${fmt(xs)}`)
  const x0 = performance.now()
  await fetchTime(warmApp, token, '/api/v1/district/export.xlsx')
  console.log(`export.xlsx (cached)                           ${(performance.now() - x0).toFixed(1)} ms`)
} finally {
  await warmApp.close()
  await coldApp.close()
  await drop()
}
