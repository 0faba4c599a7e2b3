import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { appendAudit, verifyAuditChain } from '../../src/audit/audit.js'
import { queryRows, type Database } from '../../src/db/database.js'
import { withSchoolTx } from '../../src/access/transaction.js'
import { buildTestApp, createSchool, createUser, injectAs, login } from '../helpers/app.js'
import { freshDatabase } from '../helpers/database.js'

/** A database of its own, so each chain starts at 1; the tests that call no route build no app. */
async function chainDatabase(t: { teardown(fn: () => unknown): void }) {
  const { database, drop } = await freshDatabase()
  t.teardown(drop)
  return { database }
}

async function seedChain(database: Database, n: number) {
  for (let i = 0; i < n; i++) {
    await appendAudit(database.db, { actorId: null, roles: 'test', action: 'R', resource: 'students', recordIds: [`r${i}`], outcome: 'ok' })
  }
}

/** As a superuser would: switch the append-only triggers off for this session. */
async function tamper(database: Database, statement: ReturnType<typeof sql>) {
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`)
    await tx.execute(statement)
  })
}

t.test('a clean chain verifies; sequence has no gaps', async (t) => {
  const { database } = await chainDatabase(t)
  await seedChain(database, 5)
  const r = await verifyAuditChain(database.db)
  t.same(r, { ok: true, total: 5, firstBrokenSeq: null })
  const seqs = await queryRows<{ seq: number }>(database.db, sql`select seq::int as seq from audit_log order by seq`)
  t.same(seqs.map((s) => s.seq), [1, 2, 3, 4, 5])
})

t.test('a batch appends the same rows as one append per event, in order, chained to what came before', async (t) => {
  const { database } = await chainDatabase(t)
  const school = await createSchool(database)
  const student = (await queryRows<{ id: string }>(database.db, sql`insert into students (school_id, class_id, student_no, name, gender)
    values (${school.schoolId}, ${school.classIds[0]}, 'B1', '甲', 'F') returning id`))[0]!.id
  const events = [
    { actorId: null, roles: 'psych_teacher,mentor', action: 'R' as const, resource: 'cases', recordIds: ['a', 'b "q" \\ c'], studentIds: [student], fieldGroups: ['identity', 'case'], outcome: 'ok' as const, requestId: 'req-1', purpose: '复查', schoolId: school.schoolId },
    { actorId: null, roles: '', action: 'denied' as const, resource: 'students', outcome: 'denied' as const },
    { actorId: null, roles: 'x', action: 'U' as const, resource: 'talk_duties', recordIds: [], studentIds: [], fieldGroups: [], outcome: 'rejected' as const, requestId: null, purpose: null, schoolId: null },
  ]
  for (const e of events) await appendAudit(database.db, e)
  await seedChain(database, 1)
  const { auditJson } = await import('../../src/audit/audit.js')
  const last = await queryRows<{ seq: string }>(database.db, sql`select audit_append_batch(${JSON.stringify(events.map(auditJson))}::jsonb) as seq`)
  t.equal(Number(last[0]!.seq), 7, 'the sequence number of the last row')
  t.same(await queryRows(database.db, sql`select audit_append_batch('[]'::jsonb)::int as seq`), [{ seq: 7 }], 'an empty batch appends nothing')
  const cols = sql.raw('actor_id, actor_roles, action, resource, record_ids, student_ids, field_groups, outcome, request_id, purpose, school_id')
  const one = await queryRows(database.db, sql`select ${cols} from audit_log where seq between 1 and 3 order by seq`)
  const batched = await queryRows(database.db, sql`select ${cols} from audit_log where seq between 5 and 7 order by seq`)
  t.same(batched, one, 'each column as the one-at-a-time append wrote it')
  const links = await queryRows<{ ok: boolean }>(database.db, sql`select bool_and(a.prev_hash = b.row_hash) as ok from audit_log a join audit_log b on b.seq = a.seq - 1`)
  t.equal(links[0]!.ok, true, 'each row names the hash of the one before it')
  t.same(await verifyAuditChain(database.db), { ok: true, total: 7, firstBrokenSeq: null })
})

t.test('an edited row is found at its sequence number', async (t) => {
  const { database } = await chainDatabase(t)
  await seedChain(database, 6)
  await tamper(database, sql`update audit_log set outcome = 'denied' where seq = 4`)
  t.equal((await verifyAuditChain(database.db)).firstBrokenSeq, 4)
})

t.test('a deleted row is found at its sequence number', async (t) => {
  const { database } = await chainDatabase(t)
  await seedChain(database, 6)
  await tamper(database, sql`delete from audit_log where seq = 3`)
  t.equal((await verifyAuditChain(database.db)).firstBrokenSeq, 3)
})

t.test('deleting the first row is found', async (t) => {
  const { database } = await chainDatabase(t)
  await seedChain(database, 3)
  await tamper(database, sql`delete from audit_log where seq = 1`)
  t.equal((await verifyAuditChain(database.db)).firstBrokenSeq, 1)
})

t.test('reordered rows are found at the first moved sequence number', async (t) => {
  const { database } = await chainDatabase(t)
  await seedChain(database, 6)
  // Swap the contents of rows 2 and 5, keeping each sequence number in place.
  await tamper(database, sql`update audit_log a set record_ids = b.record_ids, ts = b.ts
    from audit_log b where (a.seq, b.seq) in ((2, 5), (5, 2))`)
  t.equal((await verifyAuditChain(database.db)).firstBrokenSeq, 2)
})

t.test('a rehashed edit is still found by the next row', async (t) => {
  const { database } = await chainDatabase(t)
  await seedChain(database, 5)
  // A forger who recomputes the edited row's own hash still breaks the link to the next row.
  await tamper(database, sql`update audit_log a set outcome = 'denied',
    row_hash = encode(sha256(convert_to(coalesce(a.prev_hash, '') || audit_canonical((select x from audit_log x where x.seq = 2) ), 'UTF8')), 'hex')
    where seq = 2`)
  const r = await verifyAuditChain(database.db)
  t.equal(r.ok, false)
  t.ok(r.firstBrokenSeq === 2 || r.firstBrokenSeq === 3, `found at ${r.firstBrokenSeq}`)
})

t.test('the app role cannot update, delete or truncate the log, nor insert around the chain', async (t) => {
  const { database } = await chainDatabase(t)
  await seedChain(database, 2)
  for (const stmt of [
    sql`update audit_log set outcome = 'x'`,
    sql`delete from audit_log`,
    sql`truncate audit_log`,
    sql`insert into audit_log (seq, ts, actor_roles, action, resource, record_ids, student_ids, field_groups, outcome, row_hash) values (99, now(), '', 'R', 'x', '{}', '{}', '{}', 'ok', 'x')`,
  ]) {
    await t.rejects(withSchoolTx(database.db, null, (tx) => tx.execute(stmt)), `refused: ${stmt.queryChunks.map(String).join('').slice(0, 30)}`)
  }
  // Even the owner is refused by the triggers.
  await t.rejects(database.db.execute(sql`delete from audit_log`), 'owner delete refused by trigger')
  await t.rejects(database.db.execute(sql`truncate audit_log`), 'owner truncate refused by trigger')
  t.same(await verifyAuditChain(database.db), { ok: true, total: 2, firstBrokenSeq: null })
})

t.test('GET /api/v1/audit/verify reports OK, then the broken row; only school admins reach it', async (t) => {
  const { app, database } = await buildTestApp(t)
  const school = await createSchool(database)
  const admin = await createUser(database, school, [{ role: 'school_admin' }])
  const psych = await createUser(database, school, [{ role: 'psych_teacher' }])
  const adminToken = (await login(app, admin.username)).accessToken
  await seedChain(database, 4)
  const ok = await injectAs(app, adminToken, { method: 'GET', url: '/api/v1/audit/verify' })
  t.equal(ok.statusCode, 200)
  t.equal(ok.json().ok, true)
  await tamper(database, sql`update audit_log set resource = 'guardians' where seq = 2`)
  const bad = await injectAs(app, adminToken, { method: 'GET', url: '/api/v1/audit/verify' })
  t.equal(bad.json().ok, false)
  t.equal(bad.json().firstBrokenSeq, 2)
  const denied = await injectAs(app, (await login(app, psych.username)).accessToken, { method: 'GET', url: '/api/v1/audit/verify' })
  t.equal(denied.statusCode, 403)
})

t.test('a read whose audit write fails does not return the data', async (t) => {
  const { app, database } = await buildTestApp(t)
  const school = await createSchool(database)
  const psych = await createUser(database, school, [{ role: 'psych_teacher' }])
  const token = (await login(app, psych.username)).accessToken
  const { students } = await import('../../db/schema/index.js')
  const s = (await database.db.insert(students).values({ schoolId: school.schoolId, classId: school.classIds[0], studentNo: 'A1', name: '审计测试', gender: 'M' }).returning())[0]!
  const ok = await injectAs(app, token, { method: 'GET', url: `/api/v1/students/${s.id}/access-log` })
  t.equal(ok.statusCode, 200)
  // Break the audit writer: the read must fail rather than leave unrecorded.
  await database.db.execute(sql`alter function audit_append_batch(jsonb) rename to audit_append_batch_off`)
  const res = await injectAs(app, token, { method: 'GET', url: `/api/v1/students/${s.id}/access-log` })
  t.equal(res.statusCode, 500)
  t.notOk(res.body.includes('审计测试'))
  t.equal(res.json().code, 'internal')
  await database.db.execute(sql`alter function audit_append_batch_off(jsonb) rename to audit_append_batch`)
  const again = await injectAs(app, token, { method: 'GET', url: `/api/v1/students/${s.id}/access-log` })
  t.equal(again.statusCode, 200, 'reads work again once the writer is back')
})

t.test('group commit: concurrent reads’ rows share commits, keep a gapless chain and each carry their request', async (t) => {
  const { database } = await chainDatabase(t)
  const { AuditBatcher } = await import('../../src/audit/batcher.js')
  await seedChain(database, 2)
  const batcher = new AuditBatcher(database.db)
  const n = 60
  await Promise.all(Array.from({ length: n }, (_, i) => batcher.append([
    { actorId: null, roles: 'test', action: 'R', resource: 'students', recordIds: [`b${i}`], studentIds: [], outcome: 'ok', requestId: `req-${i}` },
  ])))
  // Interleave a classic in-transaction append: both writers extend the same chain.
  await appendAudit(database.db, { actorId: null, roles: 'test', action: 'U', resource: 'students', outcome: 'ok' })
  await batcher.close()
  const r = await verifyAuditChain(database.db)
  t.same(r, { ok: true, total: n + 3, firstBrokenSeq: null })
  const reqs = await queryRows<{ n: number }>(database.db, sql`select count(distinct request_id)::int as n from audit_log where request_id like 'req-%'`)
  t.equal(reqs[0]!.n, n, 'one row per request')
  await t.rejects(batcher.append([{ actorId: null, roles: 'x', action: 'R', resource: 'x', outcome: 'ok' }]), 'closed batcher refuses')
})
