import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows, type Database } from '../../src/db/database.js'
import { fulfilDuties, type Fulfilled } from '../../src/modules/talks/fulfilment.js'
import { buildTestApp, injectAs } from '../helpers/app.js'
import { addStudent, job, schoolWorld } from '../jobs/fixtures.js'
import { ATTEMPTS, auditCount, race } from './race.js'

t.test('talk duties: of 50 talks logged at once, one fulfils the duty, once', async (t) => {
  const { app, database, config } = await buildTestApp(t)
  const w = await schoolWorld(app, database)
  const pupil = await addStudent(database, w.school, w.school.classIds[0], '甲')
  await job(database, config, 'generate-duties', '2025-10-09')
  const [duty] = await queryRows<{ id: string }>(database.db, sql`
    select id from talk_duties where student_id = ${pupil} and kind = 'holiday_return' and status in ('open', 'overdue')`)
  t.ok(duty, 'a holiday-return duty is open')

  const r = await race(() => injectAs(app, w.homeroom.token, {
    method: 'POST', url: '/api/v1/talks/logs', payload: { studentId: pupil, talkDate: '2025-10-10', kind: 'holiday_return' },
  }))
  t.equal(r.winners.length, ATTEMPTS, 'every talk is logged')
  const fulfilling = r.winners.filter((res) => res.json().fulfilled !== null)
  t.equal(fulfilling.length, 1, `one log fulfils the duty (${fulfilling.length} of ${ATTEMPTS} did)`)
  const [now] = await queryRows<{ status: string; talk_log_id: string }>(database.db, sql`select status, talk_log_id from talk_duties where id = ${duty!.id}`)
  t.same(now, { status: 'done', talk_log_id: fulfilling[0]?.json().id }, 'the duty names the log that fulfilled it')
  t.equal(await auditCount(database, 'talk_duties', 'U', duty!.id), 1, 'one audit row')

  // The nightly job matches logs to duties too; running it against the same rows changes nothing.
  await job(database, config, 'generate-duties', '2025-10-11')
  const [after] = await queryRows<{ talk_log_id: string }>(database.db, sql`select talk_log_id from talk_duties where id = ${duty!.id}`)
  t.equal(after!.talk_log_id, now!.talk_log_id, 'the job does not move the fulfilment')
})

t.test('two matching runs at once (the nightly job beside a request): the duty is fulfilled by one of them', async (t) => {
  const { app, database, config } = await buildTestApp(t)
  const w = await schoolWorld(app, database)
  const pupil = await addStudent(database, w.school, w.school.classIds[0], '乙')
  await job(database, config, 'generate-duties', '2025-10-09')
  const [duty] = await queryRows<{ id: string }>(database.db, sql`
    select id from talk_duties where student_id = ${pupil} and kind = 'holiday_return' and status = 'open'`)
  // Logs already written but not yet matched (as when a log predates its duty).
  for (const day of ['2025-10-10', '2025-10-11']) {
    await database.db.execute(sql`insert into talk_logs (school_id, class_id, teacher_id, student_id, talk_date, kind)
      values (${w.school.schoolId}, ${w.school.classIds[0]}, ${w.homeroom.id}, ${pupil}, ${day}, 'holiday_return')`)
  }
  const schoolId = w.school.schoolId
  let second: Promise<Fulfilled[]> | undefined
  const first = await database.db.transaction(async (tx) => {
    const mine = await fulfilDuties(tx, { schoolId })
    // The second run starts while the first holds the duty row uncommitted: on the server it
    // reads the duty as open and waits on the row; PGlite runs it after this transaction.
    second = database.db.transaction((tx2) => fulfilDuties(tx2, { schoolId }))
    if (database.kind === 'server') await waitForLockWaiter(database)
    return mine
  })
  const later = await second!
  t.same(first.map((f) => f.id), [duty!.id], 'the first run fulfils the duty')
  t.same(later.map((f) => f.id), [], 'the second finds it fulfilled and claims nothing')
})

/** Until another backend of this database waits on a row lock (at most 10 s). */
async function waitForLockWaiter(database: Database): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [row] = await queryRows<{ n: number }>(database.db, sql`
      select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)
    if (row!.n > 0) return
    await new Promise((r) => setTimeout(r, 50))
  }
}
