import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import type { PGlite } from '@electric-sql/pglite'
import { queryRows } from '../../src/db/database.js'
import { sentBy } from '../helpers/statements.js'
import { callsDuring } from '../helpers/pglite-calls.js'
import { buildTestApp, injectAs } from '../helpers/app.js'
import { addStudent, addToCareList, job, schoolWorld } from '../jobs/fixtures.js'

/** Statements a request sends to the database, counted by test/helpers/statements.ts. */
const counted = sentBy

t.test('the talk-log POST: round trips, one audit statement just before COMMIT', async (t) => {
  const { app, database, config } = await buildTestApp(t)
  const w = await schoolWorld(app, database)
  const [c1] = w.school.classIds
  const A = await addStudent(database, w.school, c1!, '甲')
  const B = await addStudent(database, w.school, c1!, '乙')
  await addToCareList(database, w.school.schoolId, B, '2025-08-20T00:00:00Z')
  await job(database, config, 'generate-duties', '2025-10-09')
  const post = (payload: Record<string, unknown>) => injectAs(app, w.homeroom.token, { method: 'POST', url: '/api/v1/talks/logs', payload })

  // Warm up (first-use paths, prepared plans) before counting.
  t.equal((await post({ studentId: A, talkDate: '2025-10-11', kind: 'other' })).statusCode, 201)

  const fulfilling = await counted(() => post({ studentId: A, talkDate: '2025-10-10', kind: 'holiday_return' }))
  t.equal(fulfilling.result.statusCode, 201)
  t.match(fulfilling.result.json().fulfilled, { studentId: A, status: 'done' }, 'the duty was fulfilled in this request')
  const sent = fulfilling.sent
  t.comment(`talk-log POST with a duty fulfilled: ${sent.length} statements`)
  t.ok(sent.length <= 6, `at most 6 statements (BEGIN, settings with the actor check, INSERT … SELECT, the duty's UPDATE, audit, COMMIT; was 12, then 9), got ${sent.length}:\n${sent.join('\n')}`)

  const audits = sent.filter((s) => /audit_append/.test(s))
  t.equal(audits.length, 1, 'the audit rows of the transaction go in one statement')
  t.match(audits[0], /audit_append_batch/)
  t.equal(sent[sent.length - 1], 'COMMIT')
  t.match(sent[sent.length - 2], /audit_append_batch/, 'and it is the last statement before COMMIT (the chain lock is held for it only)')
  t.equal(sent.filter((s) => /from "students"/.test(s)).length, 1, 'the student is read once')
  t.equal(sent.filter((s) => /^select .* from "talk_logs"/.test(s)).length, 0, 'the new log is not read back: RETURNING has it')

  // Both audit rows of the request, in order, chained as any other.
  const rows = await queryRows<{ action: string; resource: string }>(database.db, sql`select action, resource from audit_log order by seq desc limit 2`)
  t.same(rows.reverse(), [{ action: 'C', resource: 'talk_logs' }, { action: 'U', resource: 'talk_duties' }])
  const chain = await queryRows<{ first_bad: string | null }>(database.db, sql`select first_bad from audit_verify()`)
  t.equal(chain[0]!.first_bad, null, 'the chain verifies')

  // The duty comes from the UPDATE's RETURNING: the same fields and values a read of it gives.
  const fulfilled = fulfilling.result.json().fulfilled as { id: string }
  const listed = await injectAs(app, w.homeroom.token, { method: 'GET', url: `/api/v1/talks/duties?studentId=${A}&kind=holiday_return` })
  t.same(fulfilled, (listed.json().items as Array<{ id: string }>).find((d) => d.id === fulfilled.id), 'the fulfilled duty is the duty as read')

  const concerned = await counted(() => post({ studentId: B, talkDate: '2025-10-10', kind: 'other', concerned: true }))
  t.equal(concerned.result.statusCode, 201)
  t.equal(concerned.sent.filter((s) => /audit_append/.test(s)).length, 1, 'a concerned log: its alert audited in the same one statement')
  const last = await queryRows<{ action: string; resource: string }>(database.db, sql`select action, resource from audit_log order by seq desc limit 3`)
  t.same(last.reverse(), [{ action: 'C', resource: 'talk_logs' }, { action: 'C', resource: 'peer_alerts' }, { action: 'C', resource: 'notifications' }])
})

t.test('a write that fails after its audit event was queued leaves neither the change nor the row', async (t) => {
  const { app, database } = await buildTestApp(t)
  const w = await schoolWorld(app, database)
  const A = await addStudent(database, w.school, w.school.classIds[0]!, '甲')
  const count = async (table: string) => Number((await queryRows<{ n: string }>(database.db, sql`select count(*) as n from ${sql.identifier(table)}`))[0]!.n)
  const before = { logs: await count('talk_logs'), audit: await count('audit_log') }
  // The alert insert fails (a check added for this test) after the log's audit event was queued.
  await database.db.execute(sql`alter table peer_alerts add constraint round_trips_test_no_talk check (source <> 'talk') not valid`)
  t.teardown(() => database.db.execute(sql`alter table peer_alerts drop constraint if exists round_trips_test_no_talk`))
  const res = await injectAs(app, w.homeroom.token, { method: 'POST', url: '/api/v1/talks/logs', payload: { studentId: A, talkDate: '2025-10-10', kind: 'other', concerned: true } })
  t.ok(res.statusCode >= 400, `the request failed (${res.statusCode})`)
  t.equal(await count('talk_logs'), before.logs, 'no log')
  const rows = await queryRows<{ action: string; outcome: string }>(database.db, sql`select action, outcome from audit_log order by seq`)
  t.equal(rows.length, before.audit + 1, 'only the failed attempt is audited')
  t.not(rows[rows.length - 1]!.outcome, 'ok')
})

t.test('a record read (GET /cases/:id) with the actor kept in memory: nothing before the transaction', async (t) => {
  const { app, database } = await buildTestApp(t)
  const w = await schoolWorld(app, database)
  const A = await addStudent(database, w.school, w.school.classIds[0]!, '甲')
  const opened = await injectAs(app, w.psych.token, { method: 'POST', url: `/api/v1/students/${A}/cases`, payload: { source: 'other', riskLevel: 'yellow' } })
  t.equal(opened.statusCode, 201)
  const id = opened.json().id as string
  const get = () => injectAs(app, w.psych.token, { method: 'GET', url: `/api/v1/cases/${id}` })
  t.equal((await get()).statusCode, 200, 'warm-up: the actor is now kept')

  const read = await counted(get)
  t.equal(read.result.statusCode, 200)
  t.equal(read.result.json().id, id)
  const sent = read.sent
  t.comment(`GET /cases/:id: ${sent.length} statements`)
  t.equal(sent[0], 'BEGIN', `the first statement opens the transaction (no actor load before it):\n${sent.join('\n')}`)
  t.match(sent[1], /set_config\('role', 'xinan_app'.*auth_epoch_of/s, 'the settings and the actor check are one statement')
  t.ok(sent.length <= 5, `at most 5 statements (BEGIN, settings with the actor check, SELECT, COMMIT, audit; was 6), got ${sent.length}:\n${sent.join('\n')}`)
  t.match(sent[sent.length - 1], /audit_append/, 'the read is audited after its transaction, before the answer leaves')

  // The embedded database: the transaction is one call into PostgreSQL (BEGIN, settings, the
  // read and COMMIT; it was two, COMMIT alone), and the audit append the other.
  const pg = (database.db as unknown as { $client: PGlite }).$client
  if (typeof pg?.execProtocolStream === 'function') {
    const { value: res, calls } = await callsDuring(pg, get)
    t.equal(res.statusCode, 200)
    t.equal(calls, 2, 'two calls into the embedded database: the transaction, then the audit append')
  }
})
