import t from '../helpers/tap.js'
import { eq, sql } from 'drizzle-orm'
import {
  cases, crisisEvents, guardians, institutions, jobRuns, notifications, peerAlerts, referrals, screeningCampaigns, students,
  talkDuties, talkLogs,
} from '../../db/schema/index.js'
import { loadConfig, type Config } from '../../src/config.js'
import { openDatabase, queryRows, type Database } from '../../src/db/database.js'
import { appendAudit } from '../../src/audit/audit.js'
import { serverAnalyzesItself } from '../../src/db/auto-analyze.js'
import { atSchoolTime } from '../../src/lib/school-day.js'
import { jobsByName } from '../../src/jobs/jobs.js'
import { JOB_LOCK_SPACE, jobLockKey, runJob, type JobDefinition } from '../../src/jobs/runner.js'
import { createSchool, createUser, type SchoolFixture } from '../helpers/app.js'
import { freshDatabase } from '../helpers/database.js'
import { addCalendar, addStudent, addToCareList, dutiesOf, fingerprint } from './fixtures.js'

const config: Config = { ...loadConfig({ NODE_ENV: 'test' }), jwtSecret: 'x'.repeat(32) }

async function setup(t: { teardown(fn: () => unknown): void }) {
  const fresh = await freshDatabase()
  t.teardown(() => fresh.drop())
  const school = await createSchool(fresh.database)
  await addCalendar(fresh.database, school.schoolId)
  return { ...fresh, school }
}

const run = (database: Database, name: string, day: string, time = '09:00', cfg = config) =>
  runJob(database, jobsByName.get(name)!, { now: atSchoolTime(day, time), config: cfg })

async function notificationsOf(database: Database, userId: string) {
  return database.db.select().from(notifications).where(eq(notifications.userId, userId))
}

async function staff(database: Database, school: SchoolFixture) {
  return {
    psych1: await createUser(database, school, [{ role: 'psych_teacher' }]),
    psych2: await createUser(database, school, [{ role: 'psych_teacher' }]),
    admin: await createUser(database, school, [{ role: 'school_admin' }]),
    homeroom: await createUser(database, school, [{ role: 'homeroom_teacher', classId: school.classIds[0] }]),
  }
}

t.test('every run is recorded in job_runs with its counts, or its error without parameters', async (t) => {
  const { database, school } = await setup(t)
  await addStudent(database, school, school.classIds[0], '甲')
  const ok = await run(database, 'generate-duties', '2025-09-01')
  t.match(ok, { status: 'ok', error: null, counts: { asOf: '2025-09-01', created: 1 } })
  const [row] = await database.db.select().from(jobRuns).where(eq(jobRuns.id, ok.id))
  t.match(row, { job: 'generate-duties', status: 'ok', counts: { asOf: '2025-09-01', created: 1 }, error: null })
  t.ok(row!.finishedAt instanceof Date && row!.finishedAt >= row!.startedAt, 'start and end recorded')

  const broken: JobDefinition = {
    name: 'test-broken', schedule: '* * * * *', description: 'fails',
    run: async ({ tx }) => {
      await tx.insert(talkDuties).values({ schoolId: school.schoolId, studentId: school.schoolId, classId: school.classIds[0], kind: 'x', windowKey: '秘密', windowStart: '2025-01-01', dueDate: '2025-01-02' })
      return {}
    },
  }
  const failed = await runJob(database, broken, { now: new Date(), config })
  t.equal(failed.status, 'failed')
  t.match(failed.error, /^database error 23503$/, 'a foreign-key violation, by SQLSTATE only')
  const [frow] = await database.db.select().from(jobRuns).where(eq(jobRuns.id, failed.id))
  t.match(frow, { status: 'failed', error: 'database error 23503' })
  t.notMatch(JSON.stringify(frow), /秘密/, 'no statement parameter is stored')
  t.equal((await queryRows(database.db, sql`select 1 from talk_duties where kind = 'x'`)).length, 0, 'nothing of a failed run stays')
})

t.test('two instances running the same job at once: no duplicates, the loser skips or finds nothing to do', async (t) => {
  const { database, url, school } = await setup(t)
  for (let i = 0; i < 30; i++) await addStudent(database, school, school.classIds[i % 2]!, `学生${i}`)
  // A second "server instance": its own pool on the same database (server mode), or the same
  // embedded database (PGlite serialises transactions, so the runs take turns).
  const other = url ? await openDatabase({ url, poolMax: 2 }) : database
  if (url) t.teardown(() => other.close())
  const results = await Promise.all([run(database, 'generate-duties', '2025-10-09'), run(other, 'generate-duties', '2025-10-09')])
  t.same(results.map((r) => r.status).filter((s) => s === 'failed'), [], 'neither failed')
  const created = results.filter((r) => r.status === 'ok').map((r) => Number(r.counts!.created)).sort((a, b) => a - b)
  const skipped = results.filter((r) => r.status === 'skipped').length
  t.ok(skipped === 1 ? created.length === 1 && created[0] === 60 : created[0] === 0 && created[1] === 60,
    `one run created the 60 duties, the other skipped or created none (${JSON.stringify(results.map((r) => [r.status, r.counts?.created]))})`)
  t.equal((await dutiesOf(database, school.schoolId)).length, 60, '30 semester + 30 国庆 return duties, once each')
})

t.test('a run while another instance holds the job lock is recorded as skipped and changes nothing', async (t) => {
  const { database, url, school } = await setup(t)
  if (!url) {
    // PGlite has a single session: a second holder of the lock cannot exist (nor a second server on its data folder).
    t.plan(0, 'embedded database: one process, one session; covered in server mode')
    return
  }
  await addStudent(database, school, school.classIds[0], '甲')
  const other = await openDatabase({ url, poolMax: 1 })
  t.teardown(() => other.close())
  const before = await fingerprint(database)
  let release!: () => void
  const held = new Promise<void>((r) => { release = r })
  let locked!: () => void
  const lockTaken = new Promise<void>((r) => { locked = r })
  const holder = other.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${JOB_LOCK_SPACE}::int, ${jobLockKey('generate-duties')}::int)`)
    locked()
    await held
  })
  await lockTaken
  const r = await run(database, 'generate-duties', '2025-09-01')
  release()
  await holder
  t.match(r, { status: 'skipped', counts: null, error: null })
  const [row] = await database.db.select().from(jobRuns).where(eq(jobRuns.id, r.id))
  t.match(row, { status: 'skipped' })
  t.ok(row!.finishedAt, 'a skipped run is closed too')
  t.equal(await fingerprint(database), before, 'nothing changed')
  t.match(await run(database, 'generate-duties', '2025-09-01'), { status: 'ok', counts: { created: 1 } }, 'once the lock is free the job runs')
})

t.test('rules: inactive kinds generate nothing; a holiday rule for the care list only; N school days', async (t) => {
  const { database, school } = await setup(t)
  const a = await addStudent(database, school, school.classIds[0], '甲')
  const b = await addStudent(database, school, school.classIds[0], '乙')
  await addToCareList(database, school.schoolId, b, '2025-08-01T00:00:00Z')
  await database.db.execute(sql`insert into talk_rules (school_id, kind, target, within_school_days, active) values
    (${school.schoolId}, 'semester', 'all', null, false),
    (${school.schoolId}, 'holiday_return', 'care_list', 3, true)`)
  await run(database, 'generate-duties', '2025-10-09')
  const rows = await dutiesOf(database, school.schoolId)
  t.same(rows.map((r) => `${r.student_id === a ? 'A' : 'B'} ${r.kind} ${r.window_key} ${r.due_date}`).sort(), [
    'B holiday_return holiday:2025-10-09 2025-10-14',
    'B monthly 2025-10 2025-10-31',
  ], 'no semester duties; the return talk for the care list, due on the 3rd school day (10-13 is a day off)')
})

t.test('major holidays that end on the same return day make one duty (春节 inside 寒假)', async (t) => {
  const { database, school } = await setup(t)
  await addStudent(database, school, school.classIds[0], '甲')
  await database.db.execute(sql`insert into terms (school_id, school_year, semester, name, start_date, end_date)
    values (${school.schoolId}, '2025-2026', 2, '下学期', '2026-03-02', '2026-07-03')`)
  await database.db.execute(sql`insert into holidays (school_id, name, kind, start_date, end_date, major) values
    (${school.schoolId}, '寒假', 'winter', '2026-01-17', '2026-03-01', true),
    (${school.schoolId}, '春节', 'spring_festival', '2026-02-15', '2026-02-23', true)`)
  await run(database, 'generate-duties', '2026-03-02')
  const rows = (await dutiesOf(database, school.schoolId)).filter((r) => r.kind === 'holiday_return')
  t.same(rows.map((r) => `${r.window_key} ${r.window_start} ${r.due_date}`), ['holiday:2026-03-02 2026-03-02 2026-03-06'])
})

t.test('students who change class take their open duties along; students who leave drop them', async (t) => {
  const { database, school } = await setup(t)
  const a = await addStudent(database, school, school.classIds[0], '甲')
  const b = await addStudent(database, school, school.classIds[0], '乙')
  await run(database, 'generate-duties', '2025-10-09')
  await database.db.update(students).set({ classId: school.classIds[1] }).where(eq(students.id, a))
  await database.db.update(students).set({ status: 'left', leftAt: '2025-10-09' }).where(eq(students.id, b))
  const r = await run(database, 'generate-duties', '2025-10-10')
  t.match(r.counts, { created: 0, movedClass: 2, cancelled: 2 })
  const rows = await dutiesOf(database, school.schoolId)
  t.same(rows.map((x) => [x.student_id, x.class_id]), [[a, school.classIds[1]], [a, school.classIds[1]]])
})

t.test('escalation by the default chains: step 1 to the psychology teachers, step 2 adds the admins, each step once', async (t) => {
  const { database, school } = await setup(t)
  const u = await staff(database, school)
  const s = await addStudent(database, school, school.classIds[0], '甲')
  // 2026-03-02 09:00 Beijing: outside the fixture's only term, so outside school hours; nobody is on call.
  const past = atSchoolTime('2026-03-02', '09:00')
  const [crisis] = await database.db.insert(crisisEvents).values({
    schoolId: school.schoolId, studentId: s, source: 'manual', summary: '危机摘要', openedBy: u.psych1.id, ackDeadline: past,
  }).returning()
  const [acked] = await database.db.insert(crisisEvents).values({
    schoolId: school.schoolId, studentId: s, source: 'manual', ackDeadline: past, status: 'acknowledged', acknowledgedAt: past,
  }).returning()
  const [future] = await database.db.insert(crisisEvents).values({
    schoolId: school.schoolId, studentId: s, source: 'manual', ackDeadline: atSchoolTime('2026-03-02', '17:00'),
  }).returning()
  const [alert] = await database.db.insert(peerAlerts).values({
    schoolId: school.schoolId, studentId: s, classId: school.classIds[0], submittedBy: u.homeroom.id, source: 'talk',
    whatSeen: '观察内容', urgency: 'medium', ackDeadline: past,
  }).returning()

  const r = await run(database, 'escalate', '2026-03-02', '09:05')
  t.match(r, { status: 'ok', counts: { crisesEscalated: 1, crisisNotifications: 1, alertsEscalated: 1, alertNotifications: 2 } })
  const [c] = await database.db.select().from(crisisEvents).where(eq(crisisEvents.id, crisis!.id))
  t.match(c, { escalationLevel: 1, escalatedAt: atSchoolTime('2026-03-02', '09:05'), nextEscalationAt: atSchoolTime('2026-03-02', '09:15') })
  for (const other of [acked!, future!]) {
    const [x] = await database.db.select().from(crisisEvents).where(eq(crisisEvents.id, other.id))
    t.match(x, { escalationLevel: 0, escalatedAt: null, nextEscalationAt: null }, 'acknowledged or not yet due: left alone')
  }
  const [a] = await database.db.select().from(peerAlerts).where(eq(peerAlerts.id, alert!.id))
  t.match(a, { escalationLevel: 1, escalatedAt: atSchoolTime('2026-03-02', '09:05'), nextEscalationAt: atSchoolTime('2026-03-02', '10:00') })

  const deadline = past.toISOString()
  t.same((await notificationsOf(database, u.psych1.id)).map((n) => [n.kind, n.refId, n.params]), [['alert_escalated', alert!.id, { step: 1, level: 1, deadline }]],
    'the opener of the crisis is not told about their own crisis')
  t.same((await notificationsOf(database, u.psych2.id)).map((n) => [n.kind, n.refId, n.params]).sort(), [
    ['alert_escalated', alert!.id, { step: 1, level: 1, deadline }],
    ['crisis_escalated', crisis!.id, { step: 1, level: 1, deadline, onCall: 'nobody_on_call' }],
  ].sort(), 'step 1 of a crisis goes to the teacher on call; with nobody on call, to the psychology teachers, and the notice says so')
  t.same(await notificationsOf(database, u.admin.id), [], 'admins come in at step 2')
  t.same(await notificationsOf(database, u.homeroom.id), [], 'the teacher who raised the alert is not an escalation recipient')

  const before = await fingerprint(database)
  t.match(await run(database, 'escalate', '2026-03-02', '09:10'), { counts: { crisesEscalated: 0, alertsEscalated: 0 } })
  t.equal(await fingerprint(database), before, 'a run before the next step is due changes nothing')

  t.match(await run(database, 'escalate', '2026-03-02', '09:15'), { counts: { crisesEscalated: 1, crisisNotifications: 2, alertsEscalated: 0 } })
  const adminNotes = await notificationsOf(database, u.admin.id)
  t.same(adminNotes.map((n) => [n.kind, n.refId, n.params]), [['crisis_escalated', null, { step: 2, level: 2, deadline }]],
    'the admin learns that something was not acknowledged, not what or about whom')
  const audit = await queryRows<{ resource: string; action: string; record_ids: string[] }>(database.db,
    sql`select resource, action, record_ids from audit_log where actor_roles = 'job:escalate' order by seq`)
  t.same(audit, [
    { resource: 'crisis_events', action: 'U', record_ids: [crisis!.id] },
    { resource: 'peer_alerts', action: 'U', record_ids: [alert!.id] },
    { resource: 'crisis_events', action: 'U', record_ids: [crisis!.id] },
  ])
})

t.test('referral follow-ups past their date are flagged to the psychology teachers once per date', async (t) => {
  const { database, school } = await setup(t)
  const u = await staff(database, school)
  const s = await addStudent(database, school, school.classIds[0], '甲')
  const [inst] = await database.db.insert(institutions).values({ schoolId: school.schoolId, name: '市精神卫生中心', kind: 'mental_health_centre' }).returning()
  const [due] = await database.db.insert(referrals).values({ schoolId: school.schoolId, studentId: s, institutionId: inst!.id, reason: '转介原因', state: 'sent', followUpDate: '2026-03-01' }).returning()
  await database.db.insert(referrals).values({ schoolId: school.schoolId, studentId: s, institutionId: inst!.id, reason: 'r', state: 'closed', followUpDate: '2026-02-01', closedAt: new Date('2026-02-20T00:00:00Z') })
  await database.db.insert(referrals).values({ schoolId: school.schoolId, studentId: s, institutionId: inst!.id, reason: 'r', state: 'sent', followUpDate: '2026-03-02' })

  t.match(await run(database, 'referral-followups', '2026-03-02'), { counts: { overdueReferrals: 1, newlyFlagged: 1, notifications: 2 } })
  for (const p of [u.psych1, u.psych2]) {
    t.same((await notificationsOf(database, p.id)).map((n) => [n.kind, n.refId, n.params]), [['referral_overdue', due!.id, { followUpDate: '2026-03-01' }]])
  }
  t.same(await notificationsOf(database, u.admin.id), [])
  t.match(await run(database, 'referral-followups', '2026-03-03'), { counts: { overdueReferrals: 2, newlyFlagged: 1, notifications: 2 } }, 'the next day the second one is overdue too; the first is not flagged again')
  const before = await fingerprint(database)
  t.match(await run(database, 'referral-followups', '2026-03-03', '10:00'), { counts: { newlyFlagged: 0, notifications: 0 } })
  t.equal(await fingerprint(database), before)
  await database.db.update(referrals).set({ followUpDate: '2026-03-04' }).where(eq(referrals.id, due!.id))
  t.match(await run(database, 'referral-followups', '2026-03-05'), { counts: { newlyFlagged: 1 } }, 'a new follow-up date that passes is flagged again')
})

t.test('screening reminders: a school year without a campaign, one starting, one closing — each once', async (t) => {
  const { database, school } = await setup(t)
  const u = await staff(database, school)
  t.match(await run(database, 'screening-reminder', '2025-09-01'), { counts: { missing: 2, starting: 0, closing: 0 } })
  t.same((await notificationsOf(database, u.psych1.id)).map((n) => [n.kind, n.params]), [['screening_reminder', { reason: 'missing', schoolYear: '2025-2026' }]])
  t.match(await run(database, 'screening-reminder', '2025-09-02'), { counts: { missing: 0 } }, 'not again')
  const [c] = await database.db.insert(screeningCampaigns).values({
    schoolId: school.schoolId, name: '2025学年心理测评', schoolYear: '2025-2026', instrumentIds: [], gradeLevels: [7], startDate: '2025-09-15', endDate: '2025-09-30',
  }).returning()
  t.match(await run(database, 'screening-reminder', '2025-09-10'), { counts: { missing: 0, starting: 2, closing: 0 } })
  await database.db.update(screeningCampaigns).set({ status: 'open' }).where(eq(screeningCampaigns.id, c!.id))
  t.match(await run(database, 'screening-reminder', '2025-09-25'), { counts: { missing: 0, starting: 0, closing: 2 } })
  t.match(await run(database, 'screening-reminder', '2025-09-26'), { counts: { missing: 0, starting: 0, closing: 0 } })
  t.same(await notificationsOf(database, u.admin.id), [], 'psychology teachers only')
})

t.test('the nightly audit check stores its result and tells the school admins when the chain is broken', async (t) => {
  const { database, school } = await setup(t)
  const u = await staff(database, school)
  for (let i = 0; i < 4; i++) await appendAudit(database.db, { actorId: null, roles: 'test', action: 'R', resource: 'students', recordIds: [`r${i}`], outcome: 'ok' })
  const ok = await run(database, 'verify-audit', '2026-03-02', '02:30')
  t.match(ok, { status: 'ok', counts: { ok: true, total: 4, firstBrokenSeq: null, notified: 0 } })
  const [row] = await database.db.select().from(jobRuns).where(eq(jobRuns.id, ok.id))
  t.match(row!.counts, { ok: true, total: 4 })
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`)
    await tx.execute(sql`update audit_log set outcome = 'denied' where seq = 3`)
  })
  t.match(await run(database, 'verify-audit', '2026-03-03', '02:30'), { status: 'ok', counts: { ok: false, total: 4, firstBrokenSeq: 3, notified: 1 } })
  t.same((await notificationsOf(database, u.admin.id)).map((n) => [n.kind, n.params]), [['audit_failed', { firstBrokenSeq: 3, total: 4 }]])
  t.same(await notificationsOf(database, u.psych1.id), [])
  t.match(await run(database, 'verify-audit', '2026-03-04', '02:30'), { counts: { ok: false, notified: 0 } }, 'told once per break')
})

t.test('each nightly check anchors the head it saw: rows cut off the end are found', async (t) => {
  const { database, school } = await setup(t)
  const u = await staff(database, school)
  for (let i = 0; i < 5; i++) await appendAudit(database.db, { actorId: null, roles: 'test', action: 'R', resource: 'students', recordIds: [`r${i}`], outcome: 'ok' })
  const first = await run(database, 'verify-audit', '2026-03-02', '02:30')
  t.match(first, { status: 'ok', counts: { ok: true, total: 5, headSeq: 5, anchorOk: true } })
  t.match(first.counts?.headHash, /^[0-9a-f]{64}$/)
  await appendAudit(database.db, { actorId: null, roles: 'test', action: 'R', resource: 'students', recordIds: ['r5'], outcome: 'ok' })
  t.match(await run(database, 'verify-audit', '2026-03-03', '02:30'), { counts: { ok: true, total: 6, headSeq: 6, anchorOk: true } }, 'growth keeps the anchor')
  // Someone with the owner's rights cuts the last two rows: the chain that is left is intact.
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`)
    await tx.execute(sql`delete from audit_log where seq > 4`)
  })
  t.match(await run(database, 'verify-audit', '2026-03-04', '02:30'), { counts: { ok: false, total: 4, firstBrokenSeq: 6, anchorOk: false, notified: 1 } }, 'the cut is reported at the anchor')
  t.same((await notificationsOf(database, u.admin.id)).map((n) => n.kind), ['audit_failed'])
  await appendAudit(database.db, { actorId: null, roles: 'test', action: 'R', resource: 'students', recordIds: ['r6'], outcome: 'ok' })
  t.match(await run(database, 'verify-audit', '2026-03-05', '02:30'), { counts: { ok: false, firstBrokenSeq: 6, notified: 0 } }, 'a broken check never becomes the anchor: the cut stays reported')
})

t.test('retention archives and then purges students who left, auditing every deletion by id', async (t) => {
  const { database, school } = await setup(t)
  const u = await staff(database, school)
  const cfg: Config = { ...config, RETENTION_ARCHIVE_AFTER_DAYS: 365, RETENTION_PURGE_AFTER_DAYS: 1095 }
  const stay = await addStudent(database, school, school.classIds[0], '在读')
  const archived = await addStudent(database, school, school.classIds[0], '离校一年')
  const purged = await addStudent(database, school, school.classIds[0], '毕业三年')
  const recent = await addStudent(database, school, school.classIds[0], '刚离校')
  await database.db.update(students).set({ status: 'left', leftAt: '2025-01-10' }).where(eq(students.id, archived))
  await database.db.update(students).set({ status: 'graduated', leftAt: '2023-01-10' }).where(eq(students.id, purged))
  await database.db.update(students).set({ status: 'left', leftAt: '2026-01-10' }).where(eq(students.id, recent))
  for (const id of [stay, archived, purged, recent]) {
    await database.db.insert(guardians).values({ schoolId: school.schoolId, studentId: id, name: `家长${id.slice(0, 4)}`, phone: '13900000000' })
    const [log] = await database.db.insert(talkLogs).values({ schoolId: school.schoolId, studentId: id, classId: school.classIds[0], teacherId: u.homeroom.id, talkDate: '2022-10-10', kind: 'semester', summary: '记录' }).returning()
    await database.db.insert(talkDuties).values({ schoolId: school.schoolId, studentId: id, classId: school.classIds[0], kind: 'semester', windowKey: '2022-2023-1', windowStart: '2022-09-01', dueDate: '2023-01-13', status: 'done', talkLogId: log!.id, fulfilledOn: '2022-10-10' })
    const [k] = await database.db.insert(cases).values({ schoolId: school.schoolId, studentId: id, source: 'other', riskLevel: 'yellow' }).returning()
    await database.db.execute(sql`insert into case_events (school_id, case_id, student_id, to_state) values (${school.schoolId}, ${k!.id}, ${id}, 'open')`)
    const [al] = await database.db.insert(peerAlerts).values({ schoolId: school.schoolId, studentId: id, classId: school.classIds[0], whatSeen: 'x', urgency: 'low', ackDeadline: new Date('2022-10-11T00:00:00Z') }).returning()
    await database.db.insert(notifications).values({ schoolId: school.schoolId, userId: u.psych1.id, kind: 'alert_escalated', refId: al!.id })
  }
  await database.db.insert(jobRuns).values({ job: 'escalate', status: 'ok', startedAt: new Date('2025-11-01T00:00:00Z') })
  const r = await run(database, 'retention', '2026-03-02', '03:00', cfg)
  t.match(r, { status: 'ok', counts: { archivedStudents: 2, guardiansRemoved: 2, purgedStudents: 1, jobRunsPruned: 1 } })
  const left = await database.db.select({ id: students.id }).from(students).where(eq(students.schoolId, school.schoolId))
  t.same(left.map((s) => s.id).sort(), [stay, archived, recent].sort(), 'the graduate of three years ago is gone')
  const countFor = async (table: string, id: string) => Number((await queryRows<{ n: string | number }>(database.db,
    sql`select count(*) as n from ${sql.identifier(table)} where student_id = ${id}`))[0]!.n)
  for (const table of ['guardians', 'talk_logs', 'talk_duties', 'cases', 'case_events', 'peer_alerts']) {
    t.equal(await countFor(table, purged), 0, `${table}: nothing of the purged student`)
    t.equal(await countFor(table, stay), 1, `${table}: the enrolled student keeps theirs`)
  }
  t.equal(await countFor('guardians', archived), 0, 'archived: guardians’ contacts removed')
  t.equal(await countFor('talk_logs', archived), 1, 'archived: the 档案 itself is kept')
  t.equal(await countFor('guardians', recent), 1, 'left recently: untouched')
  t.equal((await notificationsOf(database, u.psych1.id)).length, 3, 'the notification pointing at a purged alert is gone')

  const audit = await queryRows<{ resource: string; action: string; student_ids: string[]; record_ids: string[] }>(database.db,
    sql`select resource, action, student_ids, record_ids from audit_log where actor_roles = 'job:retention' order by seq`)
  t.ok(audit.every((a) => a.action === 'D'), 'every retention audit row is a deletion')
  t.same(audit.find((a) => a.resource === 'students'), { resource: 'students', action: 'D', student_ids: [purged], record_ids: [purged] })
  t.same(audit.filter((a) => a.resource === 'guardians').map((a) => [...a.student_ids].sort()), [[archived, purged].sort()], 'archive: the guardians of both who left over a year ago')
  t.ok(['talk_logs', 'talk_duties', 'cases', 'case_events', 'peer_alerts', 'notifications'].every((res) => audit.some((a) => a.resource === res)), 'each purged table has its audit row')
  t.notMatch(JSON.stringify(audit), /家长|记录/, 'ids only')

  const before = await fingerprint(database)
  t.match(await run(database, 'retention', '2026-03-03', '03:00', cfg), { counts: { archivedStudents: 0, purgedStudents: 0, purgedRows: 0, auditRows: 0, jobRunsPruned: 0 } })
  t.equal(await fingerprint(database), before, 'a second run changes nothing')
})

t.test('the vacuum job: VACUUM (ANALYZE) outside a transaction where nothing else vacuums (embedded, or a server whose autovacuum is off), nothing where autovacuum runs', async (t) => {
  const { database, school } = await setup(t)
  for (const name of ['甲', '乙', '丙']) await addStudent(database, school, school.classIds[0], name)
  await database.db.execute(sql`update students set name = name where school_id = ${school.schoolId}`)
  const r = await run(database, 'vacuum', '2025-09-01', '02:50')
  const [row] = await database.db.select().from(jobRuns).where(eq(jobRuns.id, r.id))
  const [stat] = await queryRows<{ vacuumed: boolean; analyzed: boolean; dead: number }>(database.db, sql`
    select last_vacuum is not null as vacuumed, last_analyze is not null as analyzed, n_dead_tup::int as dead
    from pg_stat_user_tables where relname = 'students'`)
  if (database.kind === 'embedded' || !(await serverAnalyzesItself(database.db))) {
    t.match(r, { status: 'ok', error: null, counts: { asOf: '2025-09-01', vacuumed: true } })
    t.match(row, { job: 'vacuum', status: 'ok', counts: { vacuumed: true } })
    t.same(stat, { vacuumed: true, analyzed: true, dead: 0 }, 'the students table vacuumed and analysed, no dead rows left')
  } else {
    t.match(r, { status: 'ok', counts: { vacuumed: false, reason: 'server: autovacuum' } })
    t.equal(stat?.vacuumed, false, 'left to autovacuum')
  }
})
