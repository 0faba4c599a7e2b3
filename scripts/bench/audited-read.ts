/**
 * Audited, policy-filtered read of a student's case (GET /api/v1/cases/:id as the school's
 * psychology teacher: JWT, live account check, policy decision, RLS transaction, field
 * projection, audit row durable before the answer) vs the same primary-key query on a bare
 * route, in one process and one run (issue 3 note, issue 9 §2). Usage: tsx scripts/bench/audited-read.ts [--quick]
 * DATABASE_URL picks the server; without it the embedded database is used.
 */
import autocannon from 'autocannon'
import { randomBytes } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { loadConfig } from '../../src/config.js'
import { buildApp } from '../../src/app.js'
import { openDatabase, queryRows } from '../../src/db/database.js'
import { runMigrations } from '../../src/db/migrate.js'
import { districts, schools, grades, classes, students, users, userRoles, cases } from '../../db/schema/index.js'
import { hashPassword } from '../../src/modules/auth/password.js'

export interface Metric { name: string; value: number; unit: string }

export async function benchAuditedRead(opts: { quick: boolean; url?: string | undefined }): Promise<Metric[]> {
  const url = opts.url
  const database = await openDatabase(url ? { url, poolMax: 10 } : { memory: true })
  await runMigrations(database, url)
  const { db } = database
  const config = { ...loadConfig({ NODE_ENV: 'production', JWT_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000000' }) }
  const suffix = randomBytes(3).toString('hex')
  const d = (await db.insert(districts).values({ code: `B${suffix}`, name: 'bench' }).returning())[0]!
  const s = (await db.insert(schools).values({ districtId: d.id, code: `B${suffix}`, name: 'bench' }).returning())[0]!
  const g = (await db.insert(grades).values({ schoolId: s.id, level: 7, name: '七年级' }).returning())[0]!
  const c = (await db.insert(classes).values({ schoolId: s.id, gradeId: g.id, name: '七年级(1)班', seq: 1 }).returning())[0]!
  const st = (await db.insert(students).values({ schoolId: s.id, classId: c.id, studentNo: `B${suffix}`, name: '基准', gender: 'F' }).returning())[0]!
  const password = 'Bench-password-1'
  const u = (await db.insert(users).values({ username: `bench_${suffix}`, passwordHash: await hashPassword(password), displayName: 'bench', schoolId: s.id, districtId: d.id }).returning())[0]!
  await db.insert(userRoles).values({ userId: u.id, role: 'psych_teacher', schoolId: s.id })
  const k = (await db.insert(cases).values({ schoolId: s.id, studentId: st.id, openedBy: u.id, source: 'other', riskLevel: 'orange', summary: '基准个案' }).returning())[0]!

  const app = await buildApp({ config, database })
  // The baseline: the same primary-key read, no auth, no policy, no transaction, no audit.
  app.get('/bench/bare/:id', async (req) => {
    const rows = await queryRows(db, sql`select * from cases where school_id = ${s.id} and id = ${(req.params as { id: string }).id}`)
    return rows[0]
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: u.username, password }) })
  const { accessToken } = (await login.json()) as { accessToken: string }
  const duration = opts.quick ? 3 : 10

  const run = (path: string, headers: Record<string, string> = {}) => new Promise<autocannon.Result>((ok, fail) => {
    autocannon({ url: base + path, connections: 50, duration, headers }, (err, res) => (err ? fail(err) : ok(res)))
  })
  const audited = `/api/v1/cases/${k.id}`
  const check = await fetch(base + audited, { headers: { authorization: `Bearer ${accessToken}` } })
  if (check.status !== 200) throw new Error(`audited route answered ${check.status}`)
  await run(`/bench/bare/${k.id}`) // warm-up
  const bare = await run(`/bench/bare/${k.id}`)
  const aud = await run(audited, { authorization: `Bearer ${accessToken}` })
  const auditRows = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from audit_log`)
  await app.close()
  await database.close()
  const mode = url ? 'server' : 'embedded'
  if (aud.non2xx > 0 || bare.non2xx > 0) throw new Error(`non-2xx answers: audited ${aud.non2xx}, bare ${bare.non2xx}`)
  return [
    { name: `bare_read_rps_${mode}`, value: Math.round(bare.requests.average), unit: 'req/s' },
    { name: `bare_read_p50_ms_${mode}`, value: bare.latency.p50, unit: 'ms' },
    { name: `bare_read_p99_ms_${mode}`, value: bare.latency.p99, unit: 'ms' },
    { name: `audited_read_rps_${mode}`, value: Math.round(aud.requests.average), unit: 'req/s' },
    { name: `audited_read_p50_ms_${mode}`, value: aud.latency.p50, unit: 'ms' },
    { name: `audited_read_p99_ms_${mode}`, value: aud.latency.p99, unit: 'ms' },
    { name: `audited_read_ratio_${mode}`, value: Number((aud.requests.average / bare.requests.average).toFixed(3)), unit: 'ratio' },
    { name: `audit_rows_written_${mode}`, value: auditRows[0]!.n, unit: 'rows' },
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick')
  const metrics = await benchAuditedRead({ quick, url: process.env.DATABASE_URL })
  for (const m of metrics) console.log(`${m.name.padEnd(34)} ${String(m.value).padStart(10)} ${m.unit}`)
}
