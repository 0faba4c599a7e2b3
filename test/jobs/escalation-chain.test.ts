import t from '../helpers/tap.js'
import { eq, sql } from 'drizzle-orm'
import { crisisEvents, notifications, onCallShifts, peerAlerts } from '../../db/schema/index.js'
import { loadConfig, type Config } from '../../src/config.js'
import { openDatabase, queryRows, type Database } from '../../src/db/database.js'
import { atSchoolTime } from '../../src/lib/school-day.js'
import { runEscalationAt } from '../../src/jobs/escalation.js'
import { ChainDefinition, DEFAULT_CHAINS, dueSends } from '../../src/modules/escalation/chain.js'
import { buildTestApp, createSchool, createUser, injectAs, login } from '../helpers/app.js'
import { freshDatabase } from '../helpers/database.js'
import { addCalendar, addStudent, schoolWorld, type SchoolWorld } from './fixtures.js'

/**
 * The escalation chain on a fake clock. The fixture's calendar: a term from 2025-09-01 to
 * 2026-01-16, 国庆 10-01…10-08 and a sports day on Monday 10-13 (no school). Thursday 2025-10-09
 * 10:00 Beijing is in school hours; 21:00 that day, Saturday 10-11 and Monday 10-13 are not.
 */

const at = atSchoolTime
const escalate = (database: Database, config: Config, now: Date) => runEscalationAt(database, now, config)

async function setup(t: Parameters<typeof buildTestApp>[0]) {
  const { app, database, config } = await buildTestApp(t)
  const w = await schoolWorld(app, database)
  const psych2 = await createUser(database, w.school, [{ role: 'psych_teacher' }])
  const duty = await createUser(database, w.school, [{ role: 'homeroom_teacher', classId: w.school.classIds[1] }])
  const student = await addStudent(database, w.school, w.school.classIds[0], '甲')
  return { app, database, config, w, psych2, duty, student }
}

async function crisisAt(database: Database, w: SchoolWorld, studentId: string, deadline: Date, openedBy: string | null = null) {
  return (await database.db.insert(crisisEvents).values({
    schoolId: w.school.schoolId, studentId, source: 'manual', summary: '危机摘要', openedBy, ackDeadline: deadline,
  }).returning())[0]!
}

async function notes(database: Database, refOrKind: { userId?: string } = {}) {
  const rows = await database.db.select().from(notifications).where(refOrKind.userId ? eq(notifications.userId, refOrKind.userId) : undefined)
  return rows.filter((n) => n.kind.endsWith('_escalated'))
}

/** Who got which step: "user step" lines, sorted. */
async function sent(database: Database, names: Record<string, string>) {
  const rows = await notes(database)
  return rows.map((n) => `${names[n.userId] ?? n.userId} ${(n.params as { step: number }).step}`).sort()
}

t.test('the default crisis chain: step 1 at the deadline, step 2 fifteen minutes later, then every 30 minutes until acknowledged', async (t) => {
  const { database, config, w, psych2, duty, student } = await setup(t)
  const names = { [w.psych.id]: 'psych', [psych2.id]: 'psych2', [w.admin.id]: 'admin', [duty.id]: 'duty' }
  const deadline = at('2025-10-09', '10:00')
  const c = await crisisAt(database, w, student, deadline)

  t.match(await escalate(database, config, at('2025-10-09', '09:59')), { counts: { crisesEscalated: 0 } }, 'nothing before the deadline')
  t.match(await escalate(database, config, deadline), { counts: { crisesEscalated: 1, crisisNotifications: 2 } })
  t.same(await sent(database, names), ['psych 1', 'psych2 1'], 'in school hours the teacher on call is the psychology teachers')
  const [first] = await notes(database, { userId: w.psych.id })
  t.same(first!.params, { step: 1, level: 1, deadline: deadline.toISOString(), onCall: 'school_hours' }, 'the step and the deadline, no personal data')
  t.equal(first!.refId, c.id, 'a psychology teacher gets the record to open')

  t.match(await escalate(database, config, at('2025-10-09', '10:14')), { counts: { crisesEscalated: 0 } }, 'step 2 is not due yet')
  t.match(await escalate(database, config, at('2025-10-09', '10:15')), { counts: { crisesEscalated: 1, crisisNotifications: 3 } })
  t.same(await sent(database, names), ['admin 2', 'psych 1', 'psych 2', 'psych2 1', 'psych2 2'])
  const [adminNote] = await notes(database, { userId: w.admin.id })
  t.equal(adminNote!.refId, null, 'an admin reads no case content: no record id')

  t.match(await escalate(database, config, at('2025-10-09', '10:44')), { counts: { crisesEscalated: 0 } })
  t.match(await escalate(database, config, at('2025-10-09', '10:45')), { counts: { crisesEscalated: 1, crisisSteps: 1, crisisNotifications: 3 } }, 'the last step repeats after 30 minutes')
  const [row] = await database.db.select().from(crisisEvents).where(eq(crisisEvents.id, c.id))
  t.match(row, { escalationLevel: 3, escalatedAt: deadline, nextEscalationAt: at('2025-10-09', '11:15') })
  const repeats = (await notes(database, { userId: w.admin.id })).map((n) => n.params)
  t.same(repeats, [{ step: 2, level: 2, deadline: deadline.toISOString() }, { step: 2, level: 3, deadline: deadline.toISOString() }])

  await database.db.update(crisisEvents).set({ status: 'acknowledged', acknowledgedAt: at('2025-10-09', '10:50'), acknowledgedBy: w.psych.id }).where(eq(crisisEvents.id, c.id))
  t.match(await escalate(database, config, at('2025-10-09', '11:20')), { counts: { crisesEscalated: 0, crisisNotifications: 0 } }, 'acknowledged: the chain stops')
  t.equal((await notes(database)).length, 8)

  const audit = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from audit_log where actor_roles = 'job:escalate' and resource = 'crisis_events'`)
  t.equal(audit[0]!.n, 3, 'each run that sent a step is audited')
})

t.test('a chain set through the API: named staff, roles, intervals and the repeat of its last step', async (t) => {
  const { app, database, config, w, psych2, duty, student } = await setup(t)
  const names = { [w.psych.id]: 'psych', [psych2.id]: 'psych2', [w.admin.id]: 'admin', [duty.id]: 'duty' }
  const put = await injectAs(app, w.admin.token, {
    method: 'PUT', url: '/api/v1/escalation-chains/crisis',
    payload: {
      steps: [
        { afterMinutes: 5, recipients: { userIds: [psych2.id] } },
        { afterMinutes: 20, recipients: { roles: ['school_admin'], userIds: [duty.id] } },
      ],
      repeatMinutes: 60,
    },
  })
  t.equal(put.statusCode, 200, put.body)
  t.match(put.json(), { kind: 'crisis', isDefault: false, repeatMinutes: 60, steps: [{ afterMinutes: 5, recipients: { roles: [], userIds: [psych2.id], onCall: false } }, {}] })
  const read = await injectAs(app, w.psych.token, { method: 'GET', url: '/api/v1/escalation-chains' })
  t.equal(read.statusCode, 200)
  t.match(read.json().items, [{ kind: 'crisis', isDefault: false, repeatMinutes: 60 }, { kind: 'alert', isDefault: true }], 'psychology teachers read both chains; alerts keep the default')

  const deadline = at('2025-10-09', '10:00')
  await crisisAt(database, w, student, deadline)
  await escalate(database, config, at('2025-10-09', '10:04'))
  t.same(await sent(database, names), [], 'step 1 comes 5 minutes after the deadline')
  await escalate(database, config, at('2025-10-09', '10:05'))
  t.same(await sent(database, names), ['psych2 1'])
  await escalate(database, config, at('2025-10-09', '10:25'))
  t.same(await sent(database, names), ['admin 2', 'duty 2', 'psych2 1'], 'step 2, 20 minutes after step 1: the admins and a named homeroom teacher')
  const [dutyNote] = await notes(database, { userId: duty.id })
  t.equal(dutyNote!.refId, null, 'staff other than psychology teachers get no record id')
  await escalate(database, config, at('2025-10-09', '11:00'))
  t.equal((await notes(database)).length, 3, 'no repeat before its 60 minutes')
  await escalate(database, config, at('2025-10-09', '11:25'))
  t.same(await sent(database, names), ['admin 2', 'admin 2', 'duty 2', 'duty 2', 'psych2 1'], 'the last step again')

  const reset = await injectAs(app, w.admin.token, { method: 'DELETE', url: '/api/v1/escalation-chains/crisis' })
  t.match(reset.json(), { isDefault: true, repeatMinutes: DEFAULT_CHAINS.crisis.repeatMinutes }, 'back to the built-in chain')
})

t.test('outside school hours a crisis goes to the teacher on call; nobody on call: the psychology teachers, and the notice says so', async (t) => {
  const { app, database, config, w, psych2, duty, student } = await setup(t)
  const names = { [w.psych.id]: 'psych', [psych2.id]: 'psych2', [w.admin.id]: 'admin', [duty.id]: 'duty' }
  const add = await injectAs(app, w.admin.token, {
    method: 'POST', url: '/api/v1/on-call',
    payload: { userId: duty.id, startsAt: '2025-10-09T17:30:00+08:00', endsAt: '2025-10-10T07:30:00+08:00' },
  })
  t.equal(add.statusCode, 201, add.body)
  await database.db.insert(onCallShifts).values({ schoolId: w.school.schoolId, userId: psych2.id, startsAt: at('2025-10-11', '00:00'), endsAt: at('2025-10-13', '00:00') })

  // A night: the roster entry covering the moment.
  const night = await crisisAt(database, w, student, at('2025-10-09', '21:00'))
  await escalate(database, config, at('2025-10-09', '21:00'))
  t.same(await sent(database, names), ['duty 1'])
  t.match((await notes(database, { userId: duty.id }))[0], { refId: null, params: { step: 1, onCall: 'roster' } })
  await database.db.update(crisisEvents).set({ status: 'acknowledged', acknowledgedAt: at('2025-10-09', '21:01') }).where(eq(crisisEvents.id, night.id))

  // A weekend: another teacher on the roster.
  await crisisAt(database, w, student, at('2025-10-11', '14:00'))
  await escalate(database, config, at('2025-10-11', '14:00'))
  t.same(await sent(database, names), ['duty 1', 'psych2 1'], 'Saturday: the weekend shift')
  t.match((await notes(database, { userId: psych2.id }))[0], { params: { onCall: 'roster' } })
  await database.db.update(crisisEvents).set({ status: 'resolved', acknowledgedAt: at('2025-10-11', '14:01') }).where(sql`status = 'open'`)

  // A holiday (the sports day) with nobody on the roster: the psychology teachers, said in the notice.
  const onCallNow = await injectAs(app, w.psych.token, { method: 'GET', url: '/api/v1/on-call/now' })
  t.equal(onCallNow.statusCode, 200)
  await crisisAt(database, w, student, at('2025-10-13', '10:00'))
  await escalate(database, config, at('2025-10-13', '10:00'))
  t.same(await sent(database, names), ['duty 1', 'psych 1', 'psych2 1', 'psych2 1'])
  t.match((await notes(database, { userId: w.psych.id }))[0], { params: { step: 1, onCall: 'nobody_on_call' } })
})

t.test('two runs at once send each step once', async (t) => {
  const { database, url, drop } = await freshDatabase()
  t.teardown(() => drop())
  const config: Config = { ...loadConfig({ NODE_ENV: 'test' }), jwtSecret: 'x'.repeat(32) }
  const school = await createSchool(database)
  await addCalendar(database, school.schoolId)
  for (let i = 0; i < 2; i++) await createUser(database, school, [{ role: 'psych_teacher' }])
  const student = await addStudent(database, school, school.classIds[0], '甲')
  for (let i = 0; i < 5; i++) {
    await database.db.insert(crisisEvents).values({ schoolId: school.schoolId, studentId: student, source: 'manual', ackDeadline: at('2025-10-09', '10:00') })
  }
  // A second server instance: its own pool on the same database (server mode), or the same
  // embedded database, whose transactions take turns.
  const other = url ? await openDatabase({ url, poolMax: 2 }) : database
  if (url) t.teardown(() => other.close())
  const now = at('2025-10-09', '10:01')
  const runs = await Promise.all([escalate(database, config, now), escalate(other, config, now)])
  t.same(runs.filter((r) => r.status === 'failed'), [], 'neither failed')
  const total = runs.reduce((n, r) => n + Number(r.counts?.crisesEscalated ?? 0), 0)
  t.equal(total, 5, 'five crises escalated once between the two runs')
  t.equal((await notes(database)).length, 10, 'step 1 to two psychology teachers for each, once')
  const levels = await queryRows<{ l: number }>(database.db, sql`select distinct escalation_level::int as l from crisis_events`)
  t.same(levels, [{ l: 1 }])
  t.ok(runs.every((r) => r.status === 'ok' || r.status === 'skipped'), `run statuses ${runs.map((r) => r.status).join(',')}`)
})

t.test('peer alerts walk their own chain', async (t) => {
  const { database, config, w, psych2, student } = await setup(t)
  const deadline = at('2025-10-09', '10:00')
  const [alert] = await database.db.insert(peerAlerts).values({
    schoolId: w.school.schoolId, studentId: student, classId: w.school.classIds[0], submittedBy: w.homeroom.id, source: 'talk', whatSeen: '观察', urgency: 'high', ackDeadline: deadline,
  }).returning()
  await escalate(database, config, deadline)
  t.same((await notes(database)).map((n) => n.userId).sort(), [w.psych.id, psych2.id].sort(), 'the default alert chain: psychology teachers at the deadline')
  await escalate(database, config, at('2025-10-09', '10:59'))
  t.equal((await notes(database)).length, 2)
  await escalate(database, config, at('2025-10-09', '11:00'))
  t.equal((await notes(database, { userId: w.admin.id })).length, 1, 'an hour later the admins too')
  const [a] = await database.db.select().from(peerAlerts).where(eq(peerAlerts.id, alert!.id))
  t.match(a, { escalationLevel: 2, nextEscalationAt: at('2025-10-10', '11:00') }, 'then once a day')
})

t.test('validation: every refusal names the field', async (t) => {
  const { app, w, duty } = await setup(t)
  const monitor = await createUser(app.database, w.school, [{ role: 'peer_monitor', classId: w.school.classIds[0] }])
  const put = (payload: object, token = w.admin.token) => injectAs(app, token, { method: 'PUT', url: '/api/v1/escalation-chains/crisis', payload, headers: { 'accept-language': 'zh-CN' } })
  const step = (afterMinutes: number, recipients: unknown = { roles: ['psych_teacher'] }) => ({ afterMinutes, recipients })

  const cases: Array<[string, object, RegExp]> = [
    ['no steps', { steps: [], repeatMinutes: 30 }, /上报步骤/],
    ['a step without recipients', { steps: [step(0, {})], repeatMinutes: 30 }, /通知对象/],
    ['a negative interval', { steps: [step(-5)], repeatMinutes: 30 }, /间隔（分钟）/],
    ['a later step at 0 minutes', { steps: [step(0), step(0)], repeatMinutes: 30 }, /间隔（分钟）/],
    ['a repeat more often than the job runs', { steps: [step(0)], repeatMinutes: 1 }, /重复提醒间隔/],
    ['an unknown role', { steps: [step(0, { roles: ['peer_monitor'] })], repeatMinutes: 30 }, /角色/],
    ['a field the form does not have', { steps: [step(0)], repeatMinutes: 30, schoolId: w.school.schoolId }, /表单中没有的字段|无权修改/],
  ]
  for (const [what, payload, words] of cases) {
    const r = await put(payload)
    t.equal(r.statusCode, 400, what)
    t.match(r.json().message, words, `${what}: ${r.json().message}`)
  }
  const stranger = await put({ steps: [step(0, { userIds: [monitor.id] })], repeatMinutes: 30 })
  t.match(stranger.json(), { statusCode: 400, code: 'escalation_recipient_not_staff' }, 'a class psychology monitor cannot be named')
  t.match(stranger.json().message, /教职工/)
  t.equal((await put({ steps: [step(0)], repeatMinutes: 30 }, w.psych.token)).statusCode, 403, 'psychology teachers read the chain, they do not set it')
  t.equal((await injectAs(app, w.admin.token, { method: 'PUT', url: '/api/v1/escalation-chains/other', payload: { steps: [step(0)], repeatMinutes: 30 } })).statusCode, 400, 'an unknown kind')

  const shift = (payload: object) => injectAs(app, w.admin.token, { method: 'POST', url: '/api/v1/on-call', payload })
  const backwards = await shift({ userId: duty.id, startsAt: '2025-10-10T07:30:00+08:00', endsAt: '2025-10-09T17:30:00+08:00' })
  t.equal(backwards.statusCode, 400)
  t.match(backwards.json().message, /值班结束/)
  const noZone = await shift({ userId: duty.id, startsAt: '2025-10-09T17:30:00', endsAt: '2025-10-10T07:30:00' })
  t.equal(noZone.statusCode, 400, 'an instant needs its offset')
  t.match(noZone.json().message, /值班开始/)
  t.match((await shift({ userId: monitor.id, startsAt: '2025-10-09T17:30:00+08:00', endsAt: '2025-10-10T07:30:00+08:00' })).json(), { code: 'on_call_not_staff' })
  const ok = await shift({ userId: duty.id, startsAt: '2025-10-09T17:30:00+08:00', endsAt: '2025-10-10T07:30:00+08:00' })
  const patched = await injectAs(app, w.admin.token, { method: 'PATCH', url: `/api/v1/on-call/${ok.json().id}`, payload: { endsAt: '2025-10-09T08:00:00+08:00' } })
  t.match(patched.json(), { statusCode: 400, code: 'on_call_range_invalid' }, 'a change that makes the shift end before it starts')

  const hours = (payload: object) => injectAs(app, w.admin.token, { method: 'PUT', url: '/api/v1/school-hours', payload })
  t.match((await hours({ dayStart: '17:30', dayEnd: '07:30', weekdays: [1, 2, 3, 4, 5] })).json().message, /在校结束时间/)
  t.match((await hours({ dayStart: '7:30', dayEnd: '17:30', weekdays: [1] })).json().message, /在校开始时间/)
  t.match((await hours({ dayStart: '07:30', dayEnd: '17:30', weekdays: [0] })).json().message, /上课日/)
  const good = await hours({ dayStart: '08:00', dayEnd: '12:00', weekdays: [6, 1, 2] })
  t.match(good.json(), { dayStart: '08:00', dayEnd: '12:00', weekdays: [1, 2, 6], isDefault: false })
})

t.test('school hours and the roster decide who is on call now', async (t) => {
  const { app, database, config, w, psych2, duty, student } = await setup(t)
  // Saturday mornings are school hours here, weekdays only until noon.
  await injectAs(app, w.admin.token, { method: 'PUT', url: '/api/v1/school-hours', payload: { dayStart: '08:00', dayEnd: '12:00', weekdays: [1, 2, 3, 4, 5, 6] } })
  await database.db.insert(onCallShifts).values({ schoolId: w.school.schoolId, userId: duty.id, startsAt: at('2025-10-09', '12:00'), endsAt: at('2025-10-09', '18:00') })
  const thursday = await crisisAt(database, w, student, at('2025-10-09', '13:00'))
  await crisisAt(database, w, student, at('2025-10-11', '09:00'))
  await escalate(database, config, at('2025-10-09', '13:00'))
  t.same((await notes(database)).map((n) => n.userId), [duty.id], 'Thursday 13:00 is after this school\'s day: the roster')
  await database.db.update(crisisEvents).set({ status: 'acknowledged', acknowledgedAt: at('2025-10-09', '13:05') }).where(eq(crisisEvents.id, thursday.id))
  await escalate(database, config, at('2025-10-11', '09:00'))
  const saturday = (await notes(database)).filter((n) => n.userId !== duty.id)
  t.same(saturday.map((n) => [n.userId, (n.params as { onCall: string }).onCall]).sort(), [[w.psych.id, 'school_hours'], [psych2.id, 'school_hours']].sort(),
    'a Saturday morning is a school day here: the psychology teachers')

  const now = await injectAs(app, w.admin.token, { method: 'GET', url: '/api/v1/on-call/now' })
  t.equal(now.statusCode, 200)
  t.hasOwnProps(now.json(), ['at', 'inSchoolHours', 'mode', 'userIds', 'shifts'])
  t.equal((await injectAs(app, (await login(app, (await createUser(database, w.school, [{ role: 'peer_monitor', classId: w.school.classIds[0] }])).username)).accessToken, { method: 'GET', url: '/api/v1/on-call/now' })).statusCode, 403, 'a monitor does not see the roster')
})

t.test('the chain arithmetic: catch-up after an outage sends the due steps once and one repeat at most', async (t) => {
  const chain = ChainDefinition.parse({ steps: [{ afterMinutes: 0, recipients: { onCall: true } }, { afterMinutes: 15, recipients: { roles: ['school_admin'] } }], repeatMinutes: 30 })
  const deadline = at('2025-10-09', '10:00')
  const late = dueSends(chain, { level: 0, nextAt: null, ackDeadline: deadline }, at('2025-10-09', '12:00'))
  t.same(late.sends.map((s) => s.step), [1, 2], 'two hours late: both steps, no repeat in the same run')
  t.same(late.nextAt, at('2025-10-09', '12:15'), 'the next repeat keeps the rhythm of the chain')
  const later = dueSends(chain, { level: late.level, nextAt: late.nextAt, ackDeadline: deadline }, at('2025-10-09', '15:00'))
  t.same(later.sends.map((s) => [s.step, s.level]), [[2, 3]], 'one repeat after a long gap, not one per missed interval')
  t.same(later.nextAt, at('2025-10-09', '15:15'))
  t.same(dueSends(chain, { level: 0, nextAt: null, ackDeadline: deadline }, at('2025-10-09', '09:59')).sends, [], 'nothing before the deadline')
})
