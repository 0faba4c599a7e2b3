import t from '../helpers/tap.js'
import { and, eq, sql } from 'drizzle-orm'
import {
  careList, cases, institutions, notifications, referrals, safetyPlans, safetyPlanVersions, students, studentTransfers,
} from '../../db/schema/index.js'
import { queryRows } from '../../src/db/database.js'
import { withNotesSchool } from '../../src/crypto/notes-keys.js'
import { loadConfig, type Config } from '../../src/config.js'
import { jobsByName } from '../../src/jobs/jobs.js'
import { runJob } from '../../src/jobs/runner.js'
import { atSchoolTime } from '../../src/lib/school-day.js'
import { createSchool } from '../helpers/app.js'
import { rosterWorld, type Caller, type RosterWorld } from '../roster/fixtures.js'

/**
 * 转学: the file follows the pupil. School A's psychology teacher prepares a package for one
 * pupil (the chosen parts only), records the guardian's consent and sends it to school B of
 * the same district; B sees that it exists and nothing more until it accepts, then A no
 * longer reads it. Every step leaves an audit row in the acting school.
 */

const NID = 'G110101201305010011'
const SUMMARY = '学生情绪近期平稳，每周一次个体辅导，建议继续跟进'

async function pupilWithFile(w: RosterWorld, nationalId = NID) {
  const { db } = w.database
  const schoolId = w.A.schoolId
  // Case summaries and referral reasons are sealed at rest: written in the school's key scope.
  return withNotesSchool(db, schoolId, async () => {
  const pupil = (await db.insert(students).values({
    schoolId, classId: w.A.classIds[0]!, studentNo: `T${Math.random().toString(36).slice(2, 8)}`, name: '转学生甲', gender: 'F', birthDate: '2013-05-01', nationalId,
  }).returning())[0]!
  const openCase = (await db.insert(cases).values({ schoolId, studentId: pupil.id, source: 'screening', riskLevel: 'orange', summary: '个案摘要不应随档案转出' }).returning())[0]!
  await db.insert(cases).values({ schoolId, studentId: pupil.id, source: 'talk', riskLevel: 'red', state: 'closed', closedAt: new Date() })
  await db.insert(careList).values({ schoolId, studentId: pupil.id, riskLevel: 'orange', reason: '关注原因', guidance: '多鼓励' })
  const plan = (await db.insert(safetyPlans).values({ schoolId, caseId: openCase.id, studentId: pupil.id, currentVersion: 2 }).returning())[0]!
  const steps = (v: string) => ({
    warningSigns: [`${v}预警`], copingStrategies: ['听音乐'], socialDistractions: ['操场'], helpContacts: [{ name: '妈妈', phone: '13900000000' }],
    professionals: [{ name: '心理老师', phone: '010-1234567' }], environmentSafety: ['收好药品'], reasonsForLiving: ['小猫'],
  })
  await db.insert(safetyPlanVersions).values({ schoolId, planId: plan.id, studentId: pupil.id, version: 1, ...steps('旧版') })
  await db.insert(safetyPlanVersions).values({ schoolId, planId: plan.id, studentId: pupil.id, version: 2, ...steps('新版') })
  const inst = (await db.insert(institutions).values({ schoolId, name: '市精神卫生中心', kind: 'mental_health_centre' }).returning())[0]!
  await db.insert(referrals).values({ schoolId, studentId: pupil.id, institutionId: inst.id, reason: '转介原因', state: 'sent', sentAt: new Date('2026-10-10T02:00:00Z'), followUpDate: '2026-11-10' })
  await db.insert(referrals).values({ schoolId, studentId: pupil.id, institutionId: inst.id, reason: '旧转介', state: 'closed', followUpDate: '2026-01-10' })
  return pupil
  })
}

async function enrolInB(w: RosterWorld, nationalId = NID) {
  return (await w.call(w.adminB, 'POST', '/api/v1/students', { studentNo: `B${Math.random().toString(36).slice(2, 8)}`, name: '转学生甲', gender: 'F', classId: w.B.classIds[0], nationalId })).json()
}

const consent = { consentGuardian: '母亲 王女士', consentMethod: '书面', consentDate: '2026-11-02' }

t.test('转学: sent → viewed → accepted, and the sender loses the package', async (t) => {
  const w = await rosterWorld()
  const { A, B, psych, homeroom, mentor, district } = w
  const psychB = await w.caller(B, [{ role: 'psych_teacher' }])
  const C = await createSchool(w.database, A.districtId)
  const psychC = await w.caller(C, [{ role: 'psych_teacher' }])
  const homeroomB = await w.caller(B, [{ role: 'homeroom_teacher', classId: B.classIds[0] }])
  const pupil = await pupilWithFile(w)

  const audits = async (schoolId: string, id: string) => queryRows<{ action: string; resource: string; actor_id: string | null }>(w.database.db,
    sql`select action, resource, actor_id from audit_log where school_id = ${schoolId}::uuid and ${id} = any(record_ids) order by seq`)

  t.test('the receiving schools offered are the district\'s others, names only', async (t) => {
    const res = await w.call(psych, 'GET', '/api/v1/transfer-schools')
    t.equal(res.statusCode, 200, res.body)
    const ids = res.json().map((s: { id: string }) => s.id)
    t.ok(ids.includes(B.schoolId) && ids.includes(C.schoolId), 'the district\'s other schools')
    t.notOk(ids.includes(A.schoolId), 'not the own school')
    t.same(Object.keys(res.json()[0]).sort(), ['id', 'name'])
  })

  let id = ''
  t.test('a draft: the chosen parts, a summary; consent is required before sending (422 naming the field)', async (t) => {
    const res = await w.call(psych, 'POST', `/api/v1/students/${pupil.id}/transfers`, { toSchoolId: B.schoolId, parts: ['open_risk', 'safety_plan', 'referrals', 'summary'], summary: SUMMARY })
    t.equal(res.statusCode, 201, res.body)
    id = res.json().id
    t.match(res.json(), { status: 'draft', nationalId: NID, toSchoolName: /\S/ })
    const dup = await w.call(psych, 'POST', `/api/v1/students/${pupil.id}/transfers`, { toSchoolId: C.schoolId, parts: ['summary'], summary: 'x' })
    t.equal(dup.statusCode, 409, 'a second open package for the same pupil')
    t.same(dup.json().details.fields, ['studentId'])
    const early = await w.call(psych, 'POST', `/api/v1/transfers/${id}/send`)
    t.equal(early.statusCode, 422)
    t.equal(early.json().code, 'transfer_consent_missing')
    t.same(early.json().details.fields, ['consentGuardian'])
    t.match(early.json().message, /同意的监护人/)
    const partial = await w.call(psych, 'PATCH', `/api/v1/transfers/${id}`, { consentGuardian: consent.consentGuardian })
    t.equal(partial.statusCode, 200, partial.body)
    t.same((await w.call(psych, 'POST', `/api/v1/transfers/${id}/send`)).json().details.fields, ['consentMethod'])
    const own = await w.call(psych, 'POST', `/api/v1/students/${pupil.id}/transfers`, { toSchoolId: A.schoolId, parts: ['summary'] })
    t.equal(own.statusCode, 422, 'not to the own school')
    t.equal((await w.call(psychB, 'GET', '/api/v1/received-transfers')).json().total, 0, 'a draft is invisible to the receiving school')
  })

  t.test('sent: the content is read from the records now; the pupil has left; B is told', async (t) => {
    t.equal((await w.call(psych, 'PATCH', `/api/v1/transfers/${id}`, consent)).statusCode, 200)
    const res = await w.call(psych, 'POST', `/api/v1/transfers/${id}/send`)
    t.equal(res.statusCode, 200, res.body)
    const c = res.json().content
    t.equal(res.json().status, 'sent')
    t.same(c.openRisk, { caseRisk: 'orange', caseOpenedOn: c.openRisk.caseOpenedOn, careListRisk: 'orange', careListSince: c.openRisk.careListSince })
    t.equal(c.safetyPlan.version, 2, 'the active plan\'s current version')
    t.same(c.safetyPlan.steps.warningSigns, ['新版预警'])
    t.same(c.referrals, [{ institution: '市精神卫生中心', date: '2026-10-10', state: 'sent' }], 'open referrals only')
    t.equal(c.summary, SUMMARY)
    t.notMatch(JSON.stringify(c), /个案摘要不应随档案转出|关注原因|转介原因/, 'nothing beyond the chosen minimum')
    const row = (await w.database.db.select().from(students).where(eq(students.id, pupil.id)))[0]!
    t.equal(row.status, 'left', 'the pupil is marked as left at send')
    t.ok(row.leftAt)
    const told = await w.database.db.select().from(notifications).where(and(eq(notifications.userId, psychB.id), eq(notifications.kind, 'transfer_received')))
    t.equal(told.length, 1)
    t.equal(told[0]!.schoolId, B.schoolId)
    t.equal(told[0]!.refId, id)
    t.notMatch(JSON.stringify(told[0]!.params), /转学生甲|G1101/, 'the notice names no pupil')
    t.equal((await w.call(psych, 'POST', `/api/v1/transfers/${id}/send`)).statusCode, 409, 'not sent twice')
  })

  t.test('before acceptance the receiving school sees only 学籍号, school, date and parts', async (t) => {
    const list = await w.call(psychB, 'GET', '/api/v1/received-transfers')
    t.equal(list.statusCode, 200)
    t.equal(list.json().total, 1)
    const item = list.json().items[0]
    t.match(item, { id, nationalId: NID, status: 'sent', parts: ['open_risk', 'safety_plan', 'referrals', 'summary'], fromSchoolName: /\S/ })
    t.notOk('content' in item)
    t.notMatch(list.body, /转学生甲|新版预警|市精神卫生中心|王女士|学生情绪/, 'no content, no consent, no name')
    const opened = await w.call(psychB, 'POST', `/api/v1/received-transfers/${id}/open`)
    t.equal(opened.statusCode, 200, opened.body)
    t.equal(opened.json().status, 'viewed')
    t.notMatch(opened.body, /转学生甲|新版预警|市精神卫生中心|王女士|学生情绪/)
    t.equal((await w.call(psych, 'GET', `/api/v1/transfers/${id}`)).json().status, 'viewed', 'the sender sees it was viewed')
  })

  t.test('nobody else sees it: a third school, B\'s homeroom teacher, A\'s homeroom, mentor and district', async (t) => {
    t.equal((await w.call(psychC, 'GET', '/api/v1/received-transfers')).json().total, 0)
    t.equal((await w.call(psychC, 'POST', `/api/v1/received-transfers/${id}/open`)).statusCode, 404)
    t.equal((await w.call(psychC, 'GET', `/api/v1/transfers/${id}`)).statusCode, 404)
    t.equal((await w.call(psychB, 'GET', `/api/v1/transfers/${id}`)).statusCode, 404, 'the receiver has no sender path')
    for (const who of [homeroomB, homeroom, mentor, district] as Caller[]) {
      t.equal((await w.call(who, 'POST', `/api/v1/received-transfers/${id}/open`)).statusCode, 404)
      t.equal((await w.call(who, 'GET', `/api/v1/transfers/${id}`)).statusCode, 404)
      t.equal((await w.call(who, 'GET', '/api/v1/transfers')).statusCode, 403)
    }
  })

  t.test('accepting needs the pupil on the receiving roster under the same 学籍号', async (t) => {
    const early = await w.call(psychB, 'POST', `/api/v1/received-transfers/${id}/accept`)
    t.equal(early.statusCode, 422)
    t.equal(early.json().code, 'transfer_pupil_not_on_roster')
    t.match(early.json().message, /名册/)
    const mine = await enrolInB(w)
    const res = await w.call(psychB, 'POST', `/api/v1/received-transfers/${id}/accept`)
    t.equal(res.statusCode, 200, res.body)
    t.match(res.json(), { status: 'accepted', receivedStudentId: mine.id, consentMethod: '书面' })
    t.equal(res.json().content.summary, SUMMARY, 'the content shows once accepted')
    t.same(res.json().content.safetyPlan.steps.warningSigns, ['新版预警'])
    t.equal((await w.call(psychB, 'POST', `/api/v1/received-transfers/${id}/decline`, { declineReason: 'x' })).statusCode, 409)
    const told = await w.database.db.select().from(notifications).where(and(eq(notifications.userId, psych.id), eq(notifications.kind, 'transfer_accepted')))
    t.equal(told.length, 1, 'the sender is told')
    t.equal(told[0]!.schoolId, A.schoolId)
  })

  t.test('the sender\'s next request for the package answers 404; its list shows only that it was accepted', async (t) => {
    const res = await w.call(psych, 'GET', `/api/v1/transfers/${id}`)
    t.equal(res.statusCode, 404)
    t.notMatch(res.body, /新版预警|学生情绪/)
    const list = await w.call(psych, 'GET', '/api/v1/transfers')
    const item = list.json().items.find((i: { id: string }) => i.id === id)
    t.equal(item.status, 'accepted')
    t.notOk('content' in item)
    t.notMatch(list.body, /新版预警|学生情绪|王女士/)
    const ofPupil = await w.call(psych, 'GET', `/api/v1/students/${pupil.id}/transfers`)
    t.notMatch(ofPupil.body, /新版预警|学生情绪|王女士/, 'the pupil\'s page shows no transfer content')
    t.equal((await w.call(psych, 'POST', `/api/v1/transfers/${id}/cancel`)).statusCode, 404)
    t.equal((await w.call(psychB, 'POST', `/api/v1/received-transfers/${id}/open`)).json().content.summary, SUMMARY, 'the receiver keeps it')
  })

  t.test('every step is audited in the acting school; the other side\'s row comes with its notice', async (t) => {
    const a = await audits(A.schoolId, id)
    const b = await audits(B.schoolId, id)
    t.ok(a.some((r) => r.action === 'C' && r.resource === 'student_transfers'), 'A: prepared')
    t.ok(a.filter((r) => r.action === 'U' && r.resource === 'student_transfers').length >= 2, 'A: changed and sent')
    t.ok(b.some((r) => r.action === 'U' && r.resource === 'student_transfers_received' && r.actor_id === psychB.id), 'B: viewed and accepted by B\'s teacher')
    t.ok(b.some((r) => r.action === 'R' && r.resource === 'student_transfers_received'), 'B: the content read')
    const notices = await queryRows<{ school_id: string }>(w.database.db, sql`select school_id from audit_log where resource = 'notifications' and action = 'C' and school_id in (${A.schoolId}::uuid, ${B.schoolId}::uuid)`)
    t.ok(notices.some((n) => n.school_id === B.schoolId) && notices.some((n) => n.school_id === A.schoolId), 'the notices on both sides are audited')
  })

  t.test('declined: with a reason the sender reads; nothing of the content ever reached the receiver', async (t) => {
    const other = await pupilWithFile(w, 'G550101201305010055')
    const made = await w.call(psych, 'POST', `/api/v1/students/${other.id}/transfers`, { toSchoolId: B.schoolId, parts: ['open_risk'], ...consent })
    t.equal(made.statusCode, 201, made.body)
    const tid = made.json().id
    t.equal((await w.call(psych, 'POST', `/api/v1/transfers/${tid}/send`)).statusCode, 200)
    const bad = await w.call(psychB, 'POST', `/api/v1/received-transfers/${tid}/decline`, {})
    t.equal(bad.statusCode, 400)
    const res = await w.call(psychB, 'POST', `/api/v1/received-transfers/${tid}/decline`, { declineReason: '该生未到本校报到' })
    t.equal(res.statusCode, 200, res.body)
    t.equal(res.json().status, 'declined')
    t.notOk('content' in res.json())
    t.notOk('content' in (await w.call(psychB, 'POST', `/api/v1/received-transfers/${tid}/open`)).json())
    const back = await w.call(psych, 'GET', `/api/v1/transfers/${tid}`)
    t.equal(back.statusCode, 200)
    t.match(back.json(), { status: 'declined', declineReason: '该生未到本校报到' })
    t.equal((await w.database.db.select().from(notifications).where(and(eq(notifications.userId, psych.id), eq(notifications.kind, 'transfer_declined')))).length, 1)
  })

  t.test('a pupil without 学籍号 cannot be transferred (422 naming the field)', async (t) => {
    const plain = (await w.database.db.insert(students).values({ schoolId: A.schoolId, classId: A.classIds[0]!, studentNo: 'NOID1', name: '无号生', gender: 'M' }).returning())[0]!
    const res = await w.call(psych, 'POST', `/api/v1/students/${plain.id}/transfers`, { toSchoolId: B.schoolId, parts: ['open_risk'] })
    t.equal(res.statusCode, 422)
    t.same(res.json().details.fields, ['nationalId'])
    const out = await w.call(psychB, 'POST', `/api/v1/students/${pupil.id}/transfers`, { toSchoolId: A.schoolId, parts: ['open_risk'] })
    t.equal(out.statusCode, 404, 'another school\'s pupil')
  })

  t.test('reminder: not accepted within five school days of the receiving school, once, to both schools', async (t) => {
    const config: Config = { ...loadConfig({ NODE_ENV: 'test' }), jwtSecret: 'x'.repeat(32) }
    const job = jobsByName.get('transfer-reminder')!
    const other = await pupilWithFile(w, 'G660101201305010066')
    const made = await w.call(psych, 'POST', `/api/v1/students/${other.id}/transfers`, { toSchoolId: B.schoolId, parts: ['open_risk'], ...consent })
    const tid = made.json().id
    t.equal((await w.call(psych, 'POST', `/api/v1/transfers/${tid}/send`)).statusCode, 200)
    // Sent on Monday 2026-11-02; B has a holiday on Thu–Fri 11-05/06.
    await w.database.db.update(studentTransfers).set({ sentAt: atSchoolTime('2026-11-02', '10:00') }).where(eq(studentTransfers.id, tid))
    await w.database.db.execute(sql`insert into holidays (school_id, name, start_date, end_date) values (${B.schoolId}::uuid, '校庆', '2026-11-05', '2026-11-06')`)
    const reminders = async () => w.database.db.select().from(notifications).where(and(eq(notifications.refId, tid), eq(notifications.kind, 'transfer_reminder')))
    // Tue 3, Wed 4, (Thu 5, Fri 6 off), Mon 9, Tue 10 = 4 school days: not yet.
    let run = await runJob(w.database, job, { now: atSchoolTime('2026-11-10', '07:45'), config })
    t.equal(run.status, 'ok', String(run.error))
    t.equal((await reminders()).length, 0, 'four school days: not yet')
    run = await runJob(w.database, job, { now: atSchoolTime('2026-11-11', '07:45'), config })
    t.equal(run.status, 'ok', String(run.error))
    const sent = await reminders()
    t.ok(sent.some((n) => n.userId === psychB.id && n.schoolId === B.schoolId), 'the receiving psychology teacher')
    t.ok(sent.some((n) => n.userId === psych.id && n.schoolId === A.schoolId), 'the sender')
    await runJob(w.database, job, { now: atSchoolTime('2026-11-12', '07:45'), config })
    t.equal((await reminders()).length, sent.length, 'once per package')
    const jobAudit = await queryRows<{ school_id: string }>(w.database.db, sql`select school_id from audit_log where actor_roles = 'job:transfer-reminder' and ${tid} = any(record_ids)`)
    t.same(jobAudit.map((r) => r.school_id).sort(), [A.schoolId, B.schoolId].sort(), 'audited on both sides')
  })
})
