import t from '../helpers/tap.js'
import { eq } from 'drizzle-orm'
import { cases, notifications, peerAlerts, students } from '../../db/schema/index.js'
import { ACK_DEADLINE_MINUTES } from '../../src/modules/support/alert-rules.js'
import { supportWorld } from './fixtures.js'

t.test('同伴跟防: a monitor’s alert, the inbox, and what the monitor is told', async (t) => {
  const w = await supportWorld()
  const s = await w.student('class1')
  const alert = { studentId: s.id, urgency: 'high', whatSeen: '他说不想活了' }

  const res = await w.call(w.monitor, 'POST', '/api/v1/peer-alerts', alert)
  t.equal(res.statusCode, 201, res.body)
  const mine = res.json()
  t.same(Object.keys(mine).sort(), ['createdAt', 'id', 'status', 'statusLabel', 'studentId', 'urgency'], 'id, student, urgency, status and date only')
  t.match(mine, { studentId: s.id, urgency: 'high', status: 'received', statusLabel: '已收到' })
  const created = await w.lastAudit('peer_alerts')
  t.match(created, { action: 'C', outcome: 'ok', student_ids: [s.id] })
  const notices = await w.database.db.select().from(notifications).where(eq(notifications.refId, mine.id))
  t.same(notices.map((n) => [n.userId, n.kind, n.params]), [[w.psych.id, 'alert_received', { urgency: 'high' }]], 'the psychology teachers are told: id and urgency only')
  t.match(await w.lastAudit('notifications'), { action: 'C', record_ids: [notices[0]!.id], student_ids: [], field_groups: ['keys', 'message'] },
    'the notices are audited as written for the monitor’s alert (ids only)')

  await t.test('only the monitor’s own class', async (t) => {
    const other = await w.student('class2')
    const far = await w.student('schoolB')
    for (const id of [other.id, far.id, '00000000-0000-4000-8000-000000000000']) {
      const r = await w.call(w.monitor, 'POST', '/api/v1/peer-alerts', { ...alert, studentId: id })
      t.equal(r.statusCode, 404)
      t.equal(r.json().code, 'student_not_in_class', 'the same answer for another class, another school or nobody')
      t.equal(r.json().message, '该学生不在本班')
    }
    t.equal((await w.call(w.psych, 'POST', '/api/v1/peer-alerts', alert)).statusCode, 403, 'alerts come from monitors')
  })

  await t.test('the classmate may be named by 学号 or name, only within the own class', async (t) => {
    const m = await w.caller(w.A, [{ role: 'peer_monitor', classId: w.A.classIds[0] }])
    const [row] = await w.database.db.select({ studentNo: students.studentNo }).from(students).where(eq(students.id, s.id))
    const byNo = await w.call(m, 'POST', '/api/v1/peer-alerts', { studentNo: row!.studentNo, urgency: 'low', whatSeen: '最近总请假' })
    t.equal(byNo.statusCode, 201, byNo.body)
    t.equal(byNo.json().studentId, s.id)
    const byName = await w.call(m, 'POST', '/api/v1/peer-alerts', { studentName: s.name, urgency: 'low', whatSeen: '午饭没吃' })
    t.equal(byName.json().studentId, s.id)
    const elsewhere = await w.student('class2')
    t.equal((await w.call(m, 'POST', '/api/v1/peer-alerts', { studentName: elsewhere.name, urgency: 'low', whatSeen: 'x' })).statusCode, 404, 'another class: as if missing')
    await w.database.db.insert(students).values({ schoolId: w.A.schoolId, classId: s.classId, studentNo: `T${Date.now()}`, name: s.name, gender: 'M' })
    const twin = await w.call(m, 'POST', '/api/v1/peer-alerts', { studentName: s.name, urgency: 'low', whatSeen: 'x' })
    t.equal(twin.statusCode, 400)
    t.equal(twin.json().code, 'classmate_ambiguous')
    t.equal((await w.call(m, 'POST', '/api/v1/peer-alerts', { studentId: s.id, studentName: s.name, urgency: 'low', whatSeen: 'x' })).statusCode, 400, 'one way of naming at a time')
  })

  await t.test('the acknowledgement deadline follows the urgency', async (t) => {
    const got = (await w.call(w.psych, 'GET', `/api/v1/peer-alerts/${mine.id}`)).json()
    const minutes = (new Date(got.ackDeadline).getTime() - new Date(got.createdAt).getTime()) / 60_000
    t.equal(minutes, ACK_DEADLINE_MINUTES.high)
    t.equal(ACK_DEADLINE_MINUTES.high, 30)
    for (const [urgency, expected] of [['medium', 240], ['low', 1440]] as const) {
      const r = (await w.call(w.monitor, 'POST', '/api/v1/peer-alerts', { ...alert, urgency })).json()
      const p = (await w.call(w.psych, 'GET', `/api/v1/peer-alerts/${r.id}`)).json()
      t.equal((new Date(p.ackDeadline).getTime() - new Date(p.createdAt).getTime()) / 60_000, expected, urgency)
    }
  })

  await t.test('the psychology teachers’ inbox: who reported, what they saw, overdue', async (t) => {
    const inbox = (await w.call(w.psych, 'GET', '/api/v1/peer-alerts?status=received&sort=deadline')).json()
    const item = inbox.items.find((i: { id: string }) => i.id === mine.id)
    t.match(item, { submittedBy: w.monitor.id, whatSeen: '他说不想活了', classId: s.classId, overdue: false, statusLabel: '已收到' })
    t.equal(inbox.items[0].id, mine.id, 'the one due soonest first')
    await w.database.db.update(peerAlerts).set({ ackDeadline: new Date(Date.now() - 60_000) }).where(eq(peerAlerts.id, mine.id))
    const overdue = (await w.call(w.psych, 'GET', '/api/v1/peer-alerts?overdue=true')).json()
    t.same(overdue.items.map((i: { id: string }) => i.id), [mine.id])
    t.equal(overdue.items[0].overdue, true)
    const byMonitor = await w.call(w.monitor, 'GET', '/api/v1/peer-alerts?overdue=true')
    t.equal(byMonitor.statusCode, 400, 'a monitor cannot filter on the deadline')
    t.equal(byMonitor.json().code, 'field_not_readable')
  })

  await t.test('nobody else reads alerts; the monitor’s identity stays with psychology', async (t) => {
    for (const who of [w.homeroom, w.mentor, w.admin, w.district]) {
      t.equal((await w.call(who, 'GET', '/api/v1/peer-alerts')).statusCode, 403)
      t.equal((await w.call(who, 'GET', `/api/v1/peer-alerts/${mine.id}`)).statusCode, 404)
    }
    t.equal((await w.call(w.monitor2, 'GET', `/api/v1/peer-alerts/${mine.id}`)).statusCode, 404, 'another monitor')
    t.equal((await w.call(w.monitor2, 'GET', '/api/v1/peer-alerts')).json().total, 0)
    const homeroomArchive = (await w.call(w.homeroom, 'GET', `/api/v1/students/${s.id}/archive`)).json()
    t.notOk(homeroomArchive.items.some((i: { kind: string }) => i.kind === 'peer_alert'))
    t.notOk(JSON.stringify(homeroomArchive).includes(w.monitor.id))
    const psychArchive = (await w.call(w.psych, 'GET', `/api/v1/students/${s.id}/archive`)).json()
    const entry = psychArchive.items.find((i: { id: string }) => i.id === mine.id)
    t.equal(entry?.data.submittedBy, w.monitor.id)
  })

  await t.test('the monitor reads no student record', async (t) => {
    t.equal((await w.call(w.monitor, 'GET', `/api/v1/students/${s.id}`)).statusCode, 404)
    t.equal((await w.call(w.monitor, 'GET', '/api/v1/students')).statusCode, 403)
    t.equal((await w.call(w.monitor, 'GET', `/api/v1/students/${s.id}/archive`)).statusCode, 404)
  })

  await t.test('acknowledged → 处理中, handled → 已处理; the monitor never sees case or outcome', async (t) => {
    t.equal((await w.call(w.monitor, 'POST', `/api/v1/peer-alerts/${mine.id}/acknowledge`, {})).statusCode, 404)
    const ack = await w.call(w.psych, 'POST', `/api/v1/peer-alerts/${mine.id}/acknowledge`, {})
    t.equal(ack.statusCode, 200, ack.body)
    t.match(ack.json(), { status: 'in_progress', acknowledgedBy: w.psych.id, overdue: false })
    t.equal((await w.call(w.psych, 'POST', `/api/v1/peer-alerts/${mine.id}/acknowledge`, {})).statusCode, 409)
    t.match((await w.call(w.monitor, 'GET', `/api/v1/peer-alerts/${mine.id}`)).json(), { status: 'in_progress', statusLabel: '处理中' })

    const kase = (await w.database.db.insert(cases).values({ schoolId: w.A.schoolId, studentId: s.id, source: 'alert', sourceRef: mine.id, riskLevel: 'red' }).returning())[0]!
    const wrongCase = (await w.database.db.insert(cases).values({ schoolId: w.A.schoolId, studentId: (await w.student()).id, source: 'other', riskLevel: 'green' }).returning())[0]!
    const bad = await w.call(w.psych, 'POST', `/api/v1/peer-alerts/${mine.id}/handle`, { caseId: wrongCase.id })
    t.equal(bad.statusCode, 400)
    t.equal(bad.json().code, 'unknown_reference')
    const done = await w.call(w.psych, 'POST', `/api/v1/peer-alerts/${mine.id}/handle`, { caseId: kase.id, handledNote: '已建个案并约谈家长' })
    t.equal(done.statusCode, 200, done.body)
    t.match(done.json(), { status: 'handled', caseId: kase.id, handledNote: '已建个案并约谈家长' })

    const seen = await w.call(w.monitor, 'GET', `/api/v1/peer-alerts/${mine.id}`)
    t.match(seen.json(), { status: 'handled', statusLabel: '已处理' })
    for (const hidden of [kase.id, '已建个案', w.psych.id, '不想活', 'red']) t.notOk(seen.body.includes(hidden), `monitor’s answer hides ${hidden}`)
    const list = await w.call(w.monitor, 'GET', '/api/v1/peer-alerts', undefined)
    t.equal(list.json().total, 3)
    for (const hidden of [kase.id, '已建个案', w.psych.id, '不想活']) t.notOk(list.body.includes(hidden))
    const en = await w.app.inject({ method: 'GET', url: `/api/v1/peer-alerts/${mine.id}`, headers: { authorization: `Bearer ${w.monitor.token}`, 'accept-language': 'en' } })
    t.equal(en.json().statusLabel, 'Handled')
  })
})

t.test('alert submission is rate-limited per monitor', async (t) => {
  const w = await supportWorld()
  const s = await w.student('class2')
  for (let i = 0; i < 10; i++) {
    const r = await w.call(w.monitor2, 'POST', '/api/v1/peer-alerts', { studentId: s.id, urgency: 'low', whatSeen: `第${i}次` })
    t.equal(r.statusCode, 201, `submission ${i + 1}`)
  }
  const over = await w.call(w.monitor2, 'POST', '/api/v1/peer-alerts', { studentId: s.id, urgency: 'low', whatSeen: '第11次' })
  t.equal(over.statusCode, 429)
  t.equal(over.json().code, 'rate_limited')
  const other = await w.caller(w.A, [{ role: 'peer_monitor', classId: w.A.classIds[1] }])
  t.equal((await w.call(other, 'POST', '/api/v1/peer-alerts', { studentId: s.id, urgency: 'low', whatSeen: '另一位委员' })).statusCode, 201, 'another monitor is not held up')
  const stored = await w.database.db.select({ id: peerAlerts.id }).from(peerAlerts).where(eq(peerAlerts.submittedBy, w.monitor2.id))
  t.equal(stored.length, 10, 'the refused one was not stored')
})
