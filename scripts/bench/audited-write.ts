/**
 * Bench §2, the write half: POST /api/v1/talks/logs as a homeroom teacher (JWT, policy
 * decision, student in scope, the pupil's class, INSERT, re-read through the projection,
 * audit row, duty fulfilment — one transaction) against a bare route on the same app and the
 * same database doing the same INSERT in one statement (no auth, policy, transaction or
 * audit). autocannon, 50 connections, 10 s (quick: 3 s); every POST creates a row, so the
 * bodies go round-robin over the class's pupils, dated today (school calendar). Two more
 * bare routes split the difference: the INSERT in a row-level-security transaction, and that
 * plus the chained audit row; and the audited POST on one connection gives its own latency.
 *
 *   tsx scripts/bench/audited-write.ts [--quick]     (DATABASE_URL: that server database)
 */
import autocannon from 'autocannon'
import { randomBytes, randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { buildApp } from '../../src/app.js'
import { queryRows, type Executor } from '../../src/db/database.js'
import { withSchoolTx } from '../../src/access/transaction.js'
import { appendAudit } from '../../src/audit/audit.js'
import { classes, districts, grades, schools, userRoles, users } from '../../db/schema/index.js'
import { hashPassword } from '../../src/modules/auth/password.js'
import { benchConfig, measuredCpu, modeOf, note, openBenchDatabase, PAIRED_ROUNDS, pairedRuns, round, schoolToday, type Metric, type SectionOptions } from './common.js'

const PUPILS = 2_000
const PASSWORD = 'Bench-password-1'

export async function benchAuditedWrite(opts: SectionOptions): Promise<Metric[]> {
  const mode = modeOf(opts.url)
  const database = await openBenchDatabase(opts.url, 10)
  try {
    const { db } = database
    const tag = randomBytes(3).toString('hex')
    const d = (await db.insert(districts).values({ code: `BW${tag}`, name: 'bench' }).returning())[0]!
    const s = (await db.insert(schools).values({ districtId: d.id, code: `BW${tag}`, name: 'bench' }).returning())[0]!
    const g = (await db.insert(grades).values({ schoolId: s.id, level: 7, name: '七年级' }).returning())[0]!
    const c = (await db.insert(classes).values({ schoolId: s.id, gradeId: g.id, name: '七年级(1)班', seq: 1 }).returning())[0]!
    const pupils = Array.from({ length: PUPILS }, () => randomUUID())
    await database.copyRows('students', ['school_id', 'id', 'student_no', 'name', 'gender', 'class_id'],
      pupils.map((id, i) => [s.id, id, `W${String(i).padStart(5, '0')}`, `学生${i}`, i % 2 ? 'F' : 'M', c.id]))
    const u = (await db.insert(users).values({ username: `bench_w_${tag}`, passwordHash: await hashPassword(PASSWORD), displayName: 'bench', schoolId: s.id, districtId: d.id }).returning())[0]!
    await db.insert(userRoles).values({ userId: u.id, role: 'homeroom_teacher', schoolId: s.id, classId: c.id })
    await db.execute(sql`analyze`)

    const app = await buildApp({ config: benchConfig(), database })
    type Body = { studentId: string; talkDate: string; kind: string; place?: string; summary?: string }
    const insertLog = (ex: Executor, b: Body) => queryRows<{ id: string; student_id: string }>(ex, sql`
      insert into talk_logs (school_id, student_id, class_id, teacher_id, talk_date, kind, place, summary, follow_up_needed, concerned)
      select s.school_id, s.id, s.class_id, ${u.id}::uuid, ${b.talkDate}::date, ${b.kind}, ${b.place ?? null}, ${b.summary ?? null}, false, false
      from students s where s.school_id = ${s.id} and s.id = ${b.studentId}
      returning *`)
    // The baseline: the same row, one INSERT … SELECT (the pupil's class), no auth, policy, transaction or audit.
    app.post('/bench/bare/talks/logs', async (req, reply) => {
      const rows = await insertLog(db, req.body as Body)
      if (!rows[0]) return reply.status(404).send({ code: 'not_found' })
      return reply.status(201).send(rows[0])
    })
    // Where the difference goes, one safeguard at a time (no auth or policy in either):
    // the INSERT in a transaction as the non-owner role with the school set (row-level security) …
    app.post('/bench/tx/talks/logs', async (req, reply) => {
      const rows = await withSchoolTx(db, s.id, (tx) => insertLog(tx, req.body as Body))
      if (!rows[0]) return reply.status(404).send({ code: 'not_found' })
      return reply.status(201).send(rows[0])
    })
    // … and the same with its chained audit row (audit_append: the chain's lock is held until commit).
    app.post('/bench/tx-audit/talks/logs', async (req, reply) => {
      const rows = await withSchoolTx(db, s.id, async (tx) => {
        const r = await insertLog(tx, req.body as Body)
        if (r[0]) {
          await appendAudit(tx, {
            actorId: u.id, roles: 'homeroom_teacher', action: 'C', resource: 'talk_logs', recordIds: [r[0].id],
            studentIds: [r[0].student_id], outcome: 'ok', schoolId: s.id,
          })
        }
        return r
      })
      if (!rows[0]) return reply.status(404).send({ code: 'not_found' })
      return reply.status(201).send(rows[0])
    })
    await app.listen({ host: '127.0.0.1', port: 0 })
    try {
      const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
      const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: u.username, password: PASSWORD }) })
      if (login.status !== 200) throw new Error(`login answered ${login.status}`)
      const { accessToken } = (await login.json()) as { accessToken: string }
      const talkDate = schoolToday()
      let next = 0
      const body = () => JSON.stringify({ studentId: pupils[next++ % PUPILS], talkDate, kind: 'semester', place: '办公室', summary: '压测谈话记录' })
      const auth = { authorization: `Bearer ${accessToken}` }

      const check = await fetch(`${base}/api/v1/talks/logs`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: body() })
      if (check.status !== 201) throw new Error(`audited route answered ${check.status}: ${(await check.text()).slice(0, 200)}`)

      /** CPU of this process (app and load generator together) per answered request, in ms. */
      const cpuPerReq = new Map<autocannon.Result, number>()
      /** CPU of the server's PostgreSQL processes per answered request, in ms (server only). */
      const dbCpuPerReq = new Map<autocannon.Result, number>()
      const run = async (path: string, headers: Record<string, string>, seconds: number, connections = 50) => {
        const { result: res, appMs, dbMs } = await measuredCpu(opts.url !== undefined, () => new Promise<autocannon.Result>((ok, fail) => {
          autocannon({
            url: base + path, connections, duration: seconds,
            requests: [{ method: 'POST', path, headers: { ...headers, 'content-type': 'application/json' }, setupRequest: (r) => ({ ...r, body: body() }) }],
          }, (err, r) => (err ? fail(err instanceof Error ? err : new Error(String(err))) : ok(r)))
        }))
        const n = Math.max(1, res.requests.total)
        if (dbMs !== null) dbCpuPerReq.set(res, round(dbMs / n, 3))
        // Requests still queued when the run stopped (the embedded database answers one statement
        // at a time) are answered before the next run starts: no run pays for another's backlog.
        await fetch(`${base}/bench/bare/talks/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body() })
        cpuPerReq.set(res, round(appMs / n, 2))
        return res
      }
      const seconds = opts.quick ? 3 : 10
      note(`talk-log POST, ${mode}: warm-up, then bare and audited in turn, ${PAIRED_ROUNDS} rounds of ${seconds} s each`)
      await run('/bench/bare/talks/logs', {}, 1)
      await run('/api/v1/talks/logs', auth, 1)
      const { bare, audited: aud, ratios } = await pairedRuns(PAIRED_ROUNDS, () => run('/bench/bare/talks/logs', {}, seconds), () => run('/api/v1/talks/logs', auth, seconds), (r) => r.requests.average)
      const tx = await run('/bench/tx/talks/logs', {}, seconds)
      const txAudit = await run('/bench/tx-audit/talks/logs', {}, seconds)
      // One connection: the audited POST's own latency, without queueing behind the others.
      const single = await run('/api/v1/talks/logs', auth, Math.min(seconds, 3), 1)
      for (const [label, r] of [['tx', tx], ['tx+audit', txAudit], ['1 connection', single]] as const) {
        if (r.non2xx > 0 || r.errors > 0) throw new Error(`${label}: ${r.non2xx} non-2xx, ${r.errors} errors`)
      }
      if (aud.non2xx > 0 || bare.non2xx > 0 || aud.errors > 0 || bare.errors > 0) {
        throw new Error(`failed answers: audited ${aud.non2xx} non-2xx / ${aud.errors} errors, bare ${bare.non2xx} / ${bare.errors}`)
      }
      const [written] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from talk_logs where school_id = ${s.id}`)
      const [audits] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from audit_log`)
      return [
        { name: `bare_write_rps_${mode}`, value: Math.round(bare.requests.average), unit: 'req/s' },
        { name: `bare_write_p50_ms_${mode}`, value: bare.latency.p50, unit: 'ms' },
        { name: `bare_write_p99_ms_${mode}`, value: bare.latency.p99, unit: 'ms' },
        { name: `audited_write_rps_${mode}`, value: Math.round(aud.requests.average), unit: 'req/s' },
        { name: `audited_write_p50_ms_${mode}`, value: aud.latency.p50, unit: 'ms' },
        { name: `audited_write_p99_ms_${mode}`, value: aud.latency.p99, unit: 'ms' },
        { name: `audited_write_ratio_${mode}`, value: round(aud.requests.average / bare.requests.average, 3), unit: `ratio (median of ${PAIRED_ROUNDS} rounds, bare and audited in turn; the figures above are that round's)` },
        { name: `audited_write_ratio_min_${mode}`, value: round(Math.min(...ratios), 3), unit: 'ratio (the lowest round)' },
        { name: `audited_write_ratio_max_${mode}`, value: round(Math.max(...ratios), 3), unit: 'ratio (the highest round)' },
        { name: `tx_write_rps_${mode}`, value: Math.round(tx.requests.average), unit: 'req/s (bare INSERT in an RLS transaction)' },
        { name: `tx_audit_write_rps_${mode}`, value: Math.round(txAudit.requests.average), unit: 'req/s (… + chained audit row)' },
        { name: `audited_write_1conn_p50_ms_${mode}`, value: single.latency.p50, unit: 'ms (1 connection)' },
        { name: `audited_write_1conn_rps_${mode}`, value: Math.round(single.requests.average), unit: 'req/s (1 connection)' },
        { name: `bare_write_cpu_ms_per_req_${mode}`, value: cpuPerReq.get(bare)!, unit: 'ms CPU (app + autocannon)' },
        { name: `audited_write_cpu_ms_per_req_${mode}`, value: cpuPerReq.get(aud)!, unit: 'ms CPU (app + autocannon)' },
        ...(opts.url ? [
          { name: `bare_write_db_cpu_ms_per_req_${mode}`, value: dbCpuPerReq.get(bare) ?? NaN, unit: 'ms CPU of the PostgreSQL processes' },
          { name: `audited_write_db_cpu_ms_per_req_${mode}`, value: dbCpuPerReq.get(aud) ?? NaN, unit: 'ms CPU of the PostgreSQL processes' },
        ] : []),
        { name: `talk_logs_written_${mode}`, value: written!.n, unit: 'rows' },
        { name: `write_audit_rows_${mode}`, value: audits!.n, unit: 'rows' },
      ]
    } finally {
      await app.close()
    }
  } finally {
    await database.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const metrics = await benchAuditedWrite({ quick: process.argv.includes('--quick'), url: process.env.DATABASE_URL })
  for (const m of metrics) console.log(`${m.name.padEnd(34)} ${String(m.value).padStart(10)} ${m.unit}`)
}
