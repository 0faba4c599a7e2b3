/**
 * Audited, policy-filtered read of a student's case (GET /api/v1/cases/:id as the school's
 * psychology teacher: JWT, live account check, policy decision, RLS transaction, field
 * projection, audit row durable before the answer) vs the same primary-key query on a bare
 * route, in one process and one run; and the whole case page (GET /api/v1/cases/:id/page: the
 * case with a plan, 3 sessions, 2 events, a crisis event, a pairing, a parent contact and a
 * referral, names resolved, one audit row) against the same bare route. The page's notes are
 * sealed at rest (src/crypto/sealed.ts); the same page of a second pupil whose notes are in the
 * clear (as written before encryption) shows what opening them costs, beside the per-note cost.
 * Usage: tsx scripts/bench/audited-read.ts [--quick]. DATABASE_URL picks the server; without it
 * the embedded database runs in a temporary data folder with durable commits, as `npm start` does.
 */
import autocannon from 'autocannon'
import { randomBytes, randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { buildApp } from '../../src/app.js'
import { queryRows } from '../../src/db/database.js'
import { withNotesSchool } from '../../src/crypto/notes-keys.js'
import { openWith, sealWith } from '../../src/crypto/sealed.js'
import {
  caseEvents, cases, classes, counsellingSessions, crisisEvents, districts, grades, institutions, interventionPlans, pairings, parentContacts,
  referrals, schools, students, userRoles, users,
} from '../../db/schema/index.js'
import { hashPassword } from '../../src/modules/auth/password.js'
import { benchConfig, measuredCpu, openBenchDatabase, PAIRED_ROUNDS, pairedRuns, round, schoolToday, type Metric } from './common.js'

export async function benchAuditedRead(opts: { quick: boolean; url?: string | undefined }): Promise<Metric[]> {
  const url = opts.url
  const database = await openBenchDatabase(url, 10)
  const { db } = database
  // The bench's psychology teacher has no authenticator app: the read path is measured without the second factor.
  const config = benchConfig({ JOBS_ENABLED: 'true' })
  const suffix = randomBytes(3).toString('hex')
  const d = (await db.insert(districts).values({ code: `B${suffix}`, name: 'bench' }).returning())[0]!
  const s = (await db.insert(schools).values({ districtId: d.id, code: `B${suffix}`, name: 'bench' }).returning())[0]!
  const g = (await db.insert(grades).values({ schoolId: s.id, level: 7, name: '七年级' }).returning())[0]!
  const c = (await db.insert(classes).values({ schoolId: s.id, gradeId: g.id, name: '七年级(1)班', seq: 1 }).returning())[0]!
  const st = (await db.insert(students).values({ schoolId: s.id, classId: c.id, studentNo: `B${suffix}`, name: '基准', gender: 'F' }).returning())[0]!
  const password = 'Bench-password-1'
  const u = (await db.insert(users).values({ username: `bench_${suffix}`, passwordHash: await hashPassword(password), displayName: 'bench', schoolId: s.id, districtId: d.id }).returning())[0]!
  await db.insert(userRoles).values({ userId: u.id, role: 'psych_teacher', schoolId: s.id })
  // What a case page shows a few weeks into an intervention: once with its notes sealed (as
  // written now), once for a second pupil with the same notes in the clear (as before encryption
  // at rest), so the two page reads differ only by opening the sealed values.
  const today = schoolToday()
  const m = (await db.insert(users).values({ username: `bench_m_${suffix}`, passwordHash: 'x', displayName: '结对教师', schoolId: s.id, districtId: d.id }).returning())[0]!
  await db.insert(userRoles).values({ userId: m.id, role: 'mentor', schoolId: s.id })
  const inst = (await db.insert(institutions).values({ schoolId: s.id, name: '市精神卫生中心', kind: 'mental_health_centre' }).returning())[0]!
  const NOTE = '第三次个别辅导：谈到与室友的矛盾和考试压力，睡眠仍不规律；约定每晚十一点前休息，下周继续。'.repeat(2)
  const seedCase = (studentId: string) => withNotesSchool(db, s.id, async () => {
    const ids = { schoolId: s.id, studentId }
    const k = (await db.insert(cases).values({ ...ids, openedBy: u.id, source: 'other', riskLevel: 'orange', summary: '基准个案：' + NOTE }).returning())[0]!
    await db.insert(caseEvents).values([
      { ...ids, caseId: k.id, toState: 'open', riskTo: 'orange', actorId: u.id },
      { ...ids, caseId: k.id, fromState: 'open', toState: 'intervening', reason: '开始干预', actorId: u.id },
    ])
    await db.insert(interventionPlans).values({ ...ids, caseId: k.id, goals: '恢复作息', measures: '每周辅导', reviewDate: today, createdBy: u.id })
    await db.insert(counsellingSessions).values([1, 2, 3].map((n) => ({ ...ids, caseId: k.id, kind: 'individual', sessionDate: today, durationMin: 40 + n, notes: NOTE, counsellorId: u.id })))
    await db.insert(crisisEvents).values({ ...ids, caseId: k.id, source: 'manual', summary: '课间发现', status: 'acknowledged', acknowledgedAt: new Date(), ackDeadline: new Date(), openedBy: u.id })
    await db.insert(pairings).values({ ...ids, mentorId: m.id, purpose: '陪伴', startDate: today })
    await db.insert(parentContacts).values({ ...ids, caseId: k.id, channel: 'phone', contactDate: today, content: '沟通作息：' + NOTE, outcome: '家长同意配合', referralConsent: 'given' })
    await db.insert(referrals).values({ ...ids, caseId: k.id, institutionId: inst.id, reason: '专科评估', followUpDate: today })
    return k
  })
  const k = await seedCase(st.id)
  const st2 = (await db.insert(students).values({ schoolId: s.id, classId: c.id, studentNo: `C${suffix}`, name: '基准二', gender: 'M' }).returning())[0]!
  const kPlain = await seedCase(st2.id)
  await db.execute(sql`update cases set summary = ${'基准个案：' + NOTE} where id = ${kPlain.id}`)
  await db.execute(sql`update counselling_sessions set notes = ${NOTE} where case_id = ${kPlain.id}`)
  await db.execute(sql`update parent_contacts set content = ${'沟通作息：' + NOTE}, outcome = '家长同意配合' where case_id = ${kPlain.id}`)
  const sealedOnPage = (await queryRows<{ n: number }>(db, sql`select (select count(*) from cases where id = ${k.id} and summary like 'enc1.%')
    + (select count(*) from counselling_sessions where case_id = ${k.id} and notes like 'enc1.%')
    + (select count(*) from parent_contacts where case_id = ${k.id} and content like 'enc1.%' and outcome like 'enc1.%') * 2 as n`))[0]!.n
  const opening = openCost(NOTE)

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

  const load = (path: string, headers: Record<string, string>, connections: number) => new Promise<autocannon.Result>((ok, fail) => {
    autocannon({ url: base + path, connections, duration, headers }, (err, res) => (err ? fail(err instanceof Error ? err : new Error(String(err))) : ok(res)))
  })
  // Requests still queued when a run stops (the embedded database answers one statement at a
  // time) are answered before the next run starts, so no run pays for the previous one's backlog.
  // CPU per answered request, of this process (app and load generator) and of the server's
  // PostgreSQL processes: steadier than requests per second on a machine shared with others.
  const cpu = new Map<autocannon.Result, { app: number; db: number | null }>()
  const run = async (path: string, headers: Record<string, string> = {}, connections = 50) => {
    const { result: res, appMs, dbMs } = await measuredCpu(url !== undefined, () => load(path, headers, connections))
    const n = Math.max(1, res.requests.total)
    cpu.set(res, { app: round(appMs / n, 3), db: dbMs !== null ? round(dbMs / n, 3) : null })
    await fetch(`${base}/bench/bare/${k.id}`)
    return res
  }
  const audited = `/api/v1/cases/${k.id}`
  const check = await fetch(base + audited, { headers: { authorization: `Bearer ${accessToken}` } })
  if (check.status !== 200) throw new Error(`audited route answered ${check.status}`)
  // Each route is warmed up as long as it is then measured: the JIT compiles the audited route's
  // longer path (auth, policy, transaction, audit) later than the bare one's, and one request
  // of warm-up had left the audited run paying for compilation the bare run did not.
  await run(`/bench/bare/${k.id}`)
  await run(audited, { authorization: `Bearer ${accessToken}` })
  const { bare, audited: aud, ratios } = await pairedRuns(PAIRED_ROUNDS, () => run(`/bench/bare/${k.id}`), () => run(audited, { authorization: `Bearer ${accessToken}` }), (r) => r.requests.average)
  const auditRows = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from audit_log`)
  const casePage = `/api/v1/cases/${k.id}/page`
  const pageCheck = await fetch(base + casePage, { headers: { authorization: `Bearer ${accessToken}` } })
  const pageRequestId = pageCheck.headers.get('x-request-id') ?? ''
  const pageAuditRows = (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from audit_log where request_id = ${pageRequestId}`))[0]!.n
  const shown = (await pageCheck.json()) as Record<string, { items?: unknown[] } | null>
  const parts = ['sessions', 'events', 'crisisEvents', 'pairings', 'parentContacts', 'referrals'].map((p) => shown[p]?.items?.length ?? 0)
  if (pageCheck.status !== 200 || !shown.plan || parts.some((n) => n === 0)) throw new Error(`case page answered ${pageCheck.status} with parts ${parts.join(',')}`)
  const page = await run(casePage, { authorization: `Bearer ${accessToken}` })
  const plainPage = await run(`/api/v1/cases/${kPlain.id}/page`, { authorization: `Bearer ${accessToken}` })
  // One connection: the page's own latency, without queueing behind 49 others.
  const pageAlone = await run(casePage, { authorization: `Bearer ${accessToken}` }, 1)
  await app.close()
  await database.close()
  const mode = url ? 'server' : 'embedded'
  if (aud.non2xx > 0 || bare.non2xx > 0 || page.non2xx > 0 || pageAlone.non2xx > 0 || plainPage.non2xx > 0) throw new Error(`non-2xx answers: audited ${aud.non2xx}, bare ${bare.non2xx}, case page ${page.non2xx}`)
  return [
    { name: `bare_read_rps_${mode}`, value: Math.round(bare.requests.average), unit: 'req/s' },
    { name: `bare_read_p50_ms_${mode}`, value: bare.latency.p50, unit: 'ms' },
    { name: `bare_read_p99_ms_${mode}`, value: bare.latency.p99, unit: 'ms' },
    { name: `audited_read_rps_${mode}`, value: Math.round(aud.requests.average), unit: 'req/s' },
    { name: `audited_read_p50_ms_${mode}`, value: aud.latency.p50, unit: 'ms' },
    { name: `audited_read_p99_ms_${mode}`, value: aud.latency.p99, unit: 'ms' },
    { name: `audited_read_ratio_${mode}`, value: Number((aud.requests.average / bare.requests.average).toFixed(3)), unit: `ratio (median of ${PAIRED_ROUNDS} rounds, bare and audited in turn; the figures above are that round's)` },
    { name: `audited_read_ratio_min_${mode}`, value: Number(Math.min(...ratios).toFixed(3)), unit: 'ratio (the lowest round)' },
    { name: `audited_read_ratio_max_${mode}`, value: Number(Math.max(...ratios).toFixed(3)), unit: 'ratio (the highest round)' },
    { name: `bare_read_cpu_ms_per_req_${mode}`, value: cpu.get(bare)!.app, unit: 'ms CPU of the app process (app + autocannon)' },
    { name: `audited_read_cpu_ms_per_req_${mode}`, value: cpu.get(aud)!.app, unit: 'ms CPU of the app process (app + autocannon)' },
    ...(url ? [
      { name: `bare_read_db_cpu_ms_per_req_${mode}`, value: cpu.get(bare)!.db ?? NaN, unit: 'ms CPU of the PostgreSQL processes' },
      { name: `audited_read_db_cpu_ms_per_req_${mode}`, value: cpu.get(aud)!.db ?? NaN, unit: 'ms CPU of the PostgreSQL processes' },
      { name: `case_page_db_cpu_ms_per_req_${mode}`, value: cpu.get(page)!.db ?? NaN, unit: 'ms CPU of the PostgreSQL processes' },
    ] : []),
    { name: `case_page_cpu_ms_per_req_${mode}`, value: cpu.get(page)!.app, unit: 'ms CPU of the app process (app + autocannon)' },
    { name: `audit_rows_written_${mode}`, value: auditRows[0]!.n, unit: 'rows' },
    { name: `case_page_rps_${mode}`, value: Number((page.requests.total / page.duration).toFixed(1)), unit: 'req/s (GET /cases/:id/page: 8 parts, names, one audit row)' },
    { name: `case_page_p50_ms_${mode}`, value: page.latency.p50, unit: 'ms' },
    { name: `case_page_p99_ms_${mode}`, value: page.latency.p99, unit: 'ms' },
    { name: `case_page_ratio_${mode}`, value: Number((page.requests.total / page.duration / bare.requests.average).toFixed(3)), unit: 'ratio to the bare read' },
    { name: `case_page_1conn_p50_ms_${mode}`, value: pageAlone.latency.p50, unit: 'ms (1 connection)' },
    { name: `case_page_1conn_rps_${mode}`, value: Number((pageAlone.requests.total / pageAlone.duration).toFixed(1)), unit: 'req/s (1 connection)' },
    { name: `case_page_audit_rows_${mode}`, value: pageAuditRows, unit: 'audit rows written by one page read' },
    // Notes at rest: the same page with its notes in the clear (as before encryption), and what opening one note costs.
    { name: `case_page_sealed_values_${mode}`, value: Number(sealedOnPage), unit: 'sealed values the case page opens' },
    { name: `case_page_plain_rps_${mode}`, value: Number((plainPage.requests.total / plainPage.duration).toFixed(1)), unit: 'req/s (the same page, notes in the clear)' },
    { name: `case_page_plain_p50_ms_${mode}`, value: plainPage.latency.p50, unit: 'ms (notes in the clear)' },
    { name: `case_page_sealed_vs_plain_${mode}`, value: Number(((page.requests.total / page.duration) / (plainPage.requests.total / plainPage.duration)).toFixed(3)), unit: 'ratio (sealed page ÷ plain page)' },
    { name: `note_open_us_${mode}`, value: opening.openUs, unit: `µs to open one sealed note (${NOTE.length} characters)` },
    { name: `note_seal_us_${mode}`, value: opening.sealUs, unit: `µs to seal one note (${NOTE.length} characters)` },
  ]
}

/** Seal and open of one note, in-process (AES-256-GCM with the column and key bound in). */
function openCost(note: string): { openUs: number; sealUs: number } {
  const key = { id: randomUUID(), schoolId: randomUUID(), key: randomBytes(32) }
  const n = 20_000
  let sealed = ''
  let t0 = performance.now()
  for (let i = 0; i < n; i++) sealed = sealWith(key, 'counselling_sessions.notes', note)
  const sealUs = ((performance.now() - t0) * 1000) / n
  t0 = performance.now()
  for (let i = 0; i < n; i++) if (openWith(key, 'counselling_sessions.notes', sealed) !== note) throw new Error('note did not open')
  const openUs = ((performance.now() - t0) * 1000) / n
  return { openUs: Number(openUs.toFixed(2)), sealUs: Number(sealUs.toFixed(2)) }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick')
  const metrics = await benchAuditedRead({ quick, url: process.env.DATABASE_URL })
  for (const m of metrics) console.log(`${m.name.padEnd(34)} ${String(m.value).padStart(10)} ${m.unit}`)
}
