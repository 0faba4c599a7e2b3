import t from '../helpers/tap.js'
import { eq } from 'drizzle-orm'
import { auditLog, barometerEntries, peerAlerts, students } from '../../db/schema/index.js'
import { isoWeek, periodKeyOf } from '../../src/modules/practices/barometer-service.js'
import { buildTestApp, createSchool } from '../helpers/app.js'
import { as, practiceWorld } from './helpers.js'

/** 心理晴雨表. */

const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)

t.test('period keys: ISO weeks and months', async (t) => {
  t.equal(isoWeek('2026-09-01'), '2026-W36')
  t.equal(isoWeek('2027-01-01'), '2026-W53', '1 Jan 2027 is a Friday: the last week of 2026')
  t.equal(isoWeek('2027-01-04'), '2027-W01')
  t.equal(isoWeek('2025-12-29'), '2026-W01', 'a Monday that starts week 1 of the next year')
  t.equal(isoWeek('2026-12-31'), '2026-W53')
  t.equal(periodKeyOf('monthly', '2026-09-15'), '2026-09')
  t.equal(periodKeyOf('weekly', '2026-09-15'), '2026-W38')
})

t.test('homeroom teachers and monitors report their class; named classmates become alerts', async (t) => {
  const { app, database } = await buildTestApp(t)
  const w = await practiceWorld(app, database)
  const { db } = database
  const [ownClass, otherClass] = w.school.classIds
  const a = await w.student()
  const b = await w.student()
  const elsewhere = await w.student(otherClass)

  // Homeroom teacher, own class, two names.
  let res = await as(app, w.homeroom, 'POST', '/api/v1/barometer', { classId: ownClass, mood: 3, events: '期中考试前压力大', names: [a, b] })
  t.equal(res.statusCode, 201)
  const entry = res.json()
  t.equal(entry.alerts, 2)
  t.equal(entry.mood, 3)
  t.equal(entry.periodKey, isoWeek(today()))
  const alerts = await db.select().from(peerAlerts)
  t.same(alerts.map((x) => x.studentId).sort(), [a, b].sort())
  t.ok(alerts.every((x) => x.source === 'barometer' && x.submittedBy === w.homeroom.id && x.classId === ownClass && x.urgency === 'medium'))
  t.ok(alerts.every((x) => !x.whatSeen.includes('期中考试')), 'the events text is not copied into alerts')
  const stored = (await db.select().from(barometerEntries).where(eq(barometerEntries.id, entry.id)))[0]!
  t.equal(stored.submitterRole, 'homeroom_teacher')
  t.equal(stored.namedCount, 2)
  const audit = await db.select().from(auditLog).where(eq(auditLog.resource, 'peer_alerts'))
  t.same(audit[0]!.studentIds.sort(), [a, b].sort(), 'the alerts are audited with the students they concern')

  // Once per period per submitter.
  res = await as(app, w.homeroom, 'POST', '/api/v1/barometer', { classId: ownClass, mood: 4 })
  t.equal(res.statusCode, 409)
  t.equal(res.json().code, 'duplicate')

  // The monitor of the same class submits too; the answer shows only when.
  res = await as(app, w.monitor, 'POST', '/api/v1/barometer', { classId: ownClass, mood: 2, events: '有同学吵架', names: [a] })
  t.equal(res.statusCode, 201)
  t.same(Object.keys(res.json()).sort(), ['alerts', 'createdAt', 'id', 'periodKey', 'schoolId'])
  t.equal((await db.select().from(peerAlerts).where(eq(peerAlerts.submittedBy, w.monitor.id))).length, 1)

  // Another class, a classmate from another class, another school: 404 and nothing written.
  const before = [await db.$count(barometerEntries), await db.$count(peerAlerts)]
  t.equal((await as(app, w.monitor, 'POST', '/api/v1/barometer', { classId: otherClass, mood: 3 })).statusCode, 404)
  const other = await practiceWorld(app, database, await createSchool(database))
  const foreign = await other.student()
  const w2 = await practiceWorld(app, database, w.school)
  t.equal((await as(app, w2.homeroom, 'POST', '/api/v1/barometer', { classId: ownClass, mood: 3, names: [elsewhere] })).statusCode, 404)
  t.equal((await as(app, w2.homeroom, 'POST', '/api/v1/barometer', { classId: ownClass, mood: 3, names: [foreign] })).statusCode, 404)
  t.same([await db.$count(barometerEntries), await db.$count(peerAlerts)], before)

  // Not a submitter role: the psychology teacher and the admin do not fill in the form.
  t.equal((await as(app, w.psych, 'POST', '/api/v1/barometer', { classId: ownClass, mood: 3 })).statusCode, 403)
  // Validation.
  t.equal((await as(app, w2.homeroom, 'POST', '/api/v1/barometer', { classId: ownClass, mood: 6 })).statusCode, 400)
  t.equal((await as(app, w2.homeroom, 'POST', '/api/v1/barometer', { classId: ownClass, mood: 3, names: [a, a] })).statusCode, 400)
  t.equal((await as(app, w2.homeroom, 'POST', '/api/v1/barometer', { classId: ownClass, mood: 3, submittedBy: w.psych.id })).statusCode, 400)

  // Read paths: the monitor sees only when they sent theirs; the homeroom teacher their own forms.
  const mine = (await as(app, w.monitor, 'GET', '/api/v1/barometer')).json()
  t.equal(mine.total, 1)
  t.same(Object.keys(mine.items[0]).sort(), ['createdAt', 'id', 'periodKey', 'schoolId'])
  t.notMatch(JSON.stringify(mine), '吵架')
  const hr = (await as(app, w.homeroom, 'GET', '/api/v1/barometer')).json()
  t.equal(hr.total, 1)
  t.equal(hr.items[0].events, '期中考试前压力大')
  t.notOk('submittedBy' in hr.items[0])
  // No trend for them.
  t.equal((await as(app, w.monitor, 'GET', `/api/v1/barometer/classes/${ownClass}/trend`)).statusCode, 404)
  t.equal((await as(app, w.homeroom, 'GET', `/api/v1/barometer/classes/${ownClass}/trend`)).statusCode, 404)

  // The psychology teacher: every form, and the trend per class.
  const all = (await as(app, w.psych, 'GET', `/api/v1/barometer?classId=${ownClass}`)).json()
  t.equal(all.total, 2)
  t.same(all.items.map((i: { submitterRole: string }) => i.submitterRole).sort(), ['homeroom_teacher', 'peer_monitor'])
  const trend = (await as(app, w.psych, 'GET', `/api/v1/barometer/classes/${ownClass}/trend`)).json()
  t.same(trend, { classId: ownClass, period: 'weekly', points: [{ periodKey: isoWeek(today()), entries: 2, avgMood: 2.5, minMood: 2, named: 3 }] })
  t.equal((await as(app, w.psych, 'GET', `/api/v1/barometer/classes/${other.school.classIds[0]}/trend`)).statusCode, 404)

  // A monitor cannot look up ids: classmates are named by 学号, matched in the monitor's class only.
  const counts = [await db.$count(barometerEntries), await db.$count(peerAlerts)]
  const noOf = async (id: string) => (await db.select({ no: students.studentNo }).from(students).where(eq(students.id, id)))[0]!.no
  t.equal((await as(app, w2.monitor, 'POST', '/api/v1/barometer', { classId: ownClass, mood: 3, studentNos: [await noOf(b), await noOf(elsewhere)] })).statusCode, 404, 'a 学号 of another class: refused whole')
  t.equal((await as(app, w2.monitor, 'POST', '/api/v1/barometer', { classId: ownClass, mood: 3, studentNos: ['NO-SUCH-NO'] })).statusCode, 404)
  t.same([await db.$count(barometerEntries), await db.$count(peerAlerts)], counts, 'nothing written')
  res = await as(app, w2.monitor, 'POST', '/api/v1/barometer', { classId: ownClass, mood: 3, studentNos: [await noOf(b)], names: [b] })
  t.equal(res.statusCode, 201)
  t.equal(res.json().alerts, 1, 'the same classmate by id and by 学号 is one alert')
  t.same((await db.select().from(peerAlerts).where(eq(peerAlerts.submittedBy, w2.monitor.id))).map((x) => x.studentId), [b])
})

t.test('the trend over several periods; the period setting', async (t) => {
  const { app, database } = await buildTestApp(t)
  const w = await practiceWorld(app, database)
  const { db } = database
  const classId = w.school.classIds[0]
  const rows = [['2026-W36', 4], ['2026-W37', 3], ['2026-W37', 1], ['2026-W38', 5]] as const
  for (const [periodKey, mood] of rows) {
    await db.insert(barometerEntries).values({
      schoolId: w.school.schoolId, classId, periodKey, submittedBy: mood === 1 ? w.monitor.id : w.homeroom.id,
      submitterRole: mood === 1 ? 'peer_monitor' : 'homeroom_teacher', mood, namedCount: mood === 1 ? 1 : 0,
    })
  }
  let trend = (await as(app, w.psych, 'GET', `/api/v1/barometer/classes/${classId}/trend`)).json()
  t.same(trend.points, [
    { periodKey: '2026-W36', entries: 1, avgMood: 4, minMood: 4, named: 0 },
    { periodKey: '2026-W37', entries: 2, avgMood: 2, minMood: 1, named: 1 },
    { periodKey: '2026-W38', entries: 1, avgMood: 5, minMood: 5, named: 0 },
  ])
  trend = (await as(app, w.psych, 'GET', `/api/v1/barometer/classes/${classId}/trend?last=2`)).json()
  t.same(trend.points.map((p: { periodKey: string }) => p.periodKey), ['2026-W37', '2026-W38'])

  t.same((await as(app, w.admin, 'GET', '/api/v1/barometer/settings')).json(), { schoolId: w.school.schoolId, period: 'weekly', updatedAt: null })
  let res = await as(app, w.admin, 'PUT', '/api/v1/barometer/settings', { period: 'monthly' })
  t.equal(res.statusCode, 200)
  t.equal(res.json().period, 'monthly')
  t.equal((await as(app, w.admin, 'PUT', '/api/v1/barometer/settings', { period: 'daily' })).statusCode, 400)
  t.equal((await as(app, w.homeroom, 'PUT', '/api/v1/barometer/settings', { period: 'weekly' })).statusCode, 403)
  res = await as(app, w.homeroom, 'POST', '/api/v1/barometer', { classId, mood: 4 })
  t.equal(res.json().periodKey, today().slice(0, 7), 'monthly: the period key is the month')
})
