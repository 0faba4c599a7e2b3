import t from '../helpers/tap.js'
import { eq, sql } from 'drizzle-orm'
import { cases, talkLogs } from '../../db/schema/index.js'
import { queryRows } from '../../src/db/database.js'
import { buildTestApp, createUser, injectAs, login } from '../helpers/app.js'
import { addStudent, addToCareList, job, schoolWorld } from '../jobs/fixtures.js'

t.test('三个必谈 routes', async (t) => {
  const { app, database, config } = await buildTestApp(t)
  const w = await schoolWorld(app, database)
  const other = await schoolWorld(app, database)
  const [c1, c2] = w.school.classIds
  const A = await addStudent(database, w.school, c1, '甲')
  const B = await addStudent(database, w.school, c1, '乙')
  const X = await addStudent(database, w.school, c2, '丙')
  const Y = await addStudent(database, other.school, other.school.classIds[0], '丁')
  await addToCareList(database, w.school.schoolId, B, '2025-08-20T00:00:00Z')
  const call = (who: { token: string }, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    injectAs(app, who.token, { method, url, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) })
  const auditCount = async () => Number((await queryRows<{ n: string }>(database.db, sql`select count(*) as n from audit_log`))[0]!.n)

  t.test('rules: defaults until set; psychology teachers and admins set them, homeroom teachers read', async (t) => {
    const res = await call(w.homeroom, 'GET', '/api/v1/talks/rules')
    t.equal(res.statusCode, 200)
    t.same(res.json().items, [
      { kind: 'semester', target: 'all', withinSchoolDays: null, active: true, isDefault: true },
      { kind: 'monthly', target: 'care_list', withinSchoolDays: null, active: true, isDefault: true },
      { kind: 'holiday_return', target: 'all', withinSchoolDays: 5, active: true, isDefault: true },
    ])
    t.equal((await call(w.homeroom, 'PUT', '/api/v1/talks/rules', { rules: [{ kind: 'monthly', target: 'all' }] })).statusCode, 403)
    const put = await call(w.psych, 'PUT', '/api/v1/talks/rules', { rules: [{ kind: 'holiday_return', target: 'care_list', withinSchoolDays: 3 }] })
    t.equal(put.statusCode, 200)
    t.match(put.json().items[2], { kind: 'holiday_return', target: 'care_list', withinSchoolDays: 3, active: true, isDefault: false, schoolId: w.school.schoolId })
    t.match(put.json().items[0], { kind: 'semester', isDefault: true })
    const again = await call(w.admin, 'PUT', '/api/v1/talks/rules', { rules: [{ kind: 'holiday_return', target: 'all', withinSchoolDays: 5 }] })
    t.match(again.json().items[2], { target: 'all', withinSchoolDays: 5, isDefault: false })
    t.match((await call(other.homeroom, 'GET', '/api/v1/talks/rules')).json().items[2], { isDefault: true }, 'another school keeps its defaults')

    const dup = await call(w.psych, 'PUT', '/api/v1/talks/rules', { rules: [{ kind: 'monthly', target: 'all' }, { kind: 'monthly', target: 'care_list' }] })
    t.match(dup, { statusCode: 400 })
    t.equal(dup.json().code, 'talk_rule_duplicate_kind')
    const days = await call(w.psych, 'PUT', '/api/v1/talks/rules', { rules: [{ kind: 'semester', target: 'all', withinSchoolDays: 3 }] })
    t.equal(days.json().code, 'talk_rule_within_days_holiday_only')
    t.equal((await call(w.psych, 'PUT', '/api/v1/talks/rules', { rules: [{ kind: 'semester', target: 'all', schoolId: other.school.schoolId }] })).statusCode, 400)
  })

  await job(database, config, 'generate-duties', '2025-10-09')

  t.test('logging a talk: own class only, never in the future; it fulfils the matching duty in the same request', async (t) => {
    const before = await auditCount()
    const res = await call(w.homeroom, 'POST', '/api/v1/talks/logs', { studentId: A, talkDate: '2025-10-10', kind: 'holiday_return', place: '教室', summary: '假期过得愉快', followUpNeeded: true })
    t.equal(res.statusCode, 201)
    const log = res.json()
    t.match(log, { studentId: A, classId: c1, teacherId: w.homeroom.id, talkDate: '2025-10-10', kind: 'holiday_return', place: '教室', summary: '假期过得愉快', followUpNeeded: true, concerned: false })
    t.match(log.fulfilled, { studentId: A, kind: 'holiday_return', windowKey: 'holiday:2025-10-09', status: 'done', talkLogId: log.id, fulfilledOn: '2025-10-10' })
    const rows = await queryRows<{ action: string; resource: string }>(database.db, sql`select action, resource from audit_log order by seq desc limit 2`)
    t.same(rows.reverse(), [{ action: 'C', resource: 'talk_logs' }, { action: 'U', resource: 'talk_duties' }])
    t.equal(await auditCount(), before + 2)

    const other2 = await call(w.homeroom, 'POST', '/api/v1/talks/logs', { studentId: A, talkDate: '2025-10-11', kind: 'other' })
    t.equal(other2.json().fulfilled, null, 'a talk of kind other fulfils nothing')
    for (const [who, id] of [[w.homeroom, X], [w.homeroom, Y]] as const) {
      const r = await call(who, 'POST', '/api/v1/talks/logs', { studentId: id, talkDate: '2025-10-10', kind: 'semester' })
      t.equal(r.statusCode, 404, 'a student outside the class answers like a missing one')
    }
    t.equal((await call(w.psych, 'POST', '/api/v1/talks/logs', { studentId: A, talkDate: '2025-10-10', kind: 'semester' })).statusCode, 403)
    // Holding homeroom of class 2's neighbour and school admin does not make class 2 one's own.
    const both = await createUser(database, w.school, [{ role: 'homeroom_teacher', classId: c1 }, { role: 'school_admin' }])
    const token = (await login(app, both.username)).accessToken
    t.equal((await call({ token }, 'POST', '/api/v1/talks/logs', { studentId: X, talkDate: '2025-10-10', kind: 'semester' })).statusCode, 404)
    const future = await call(w.homeroom, 'POST', '/api/v1/talks/logs', { studentId: A, talkDate: '2099-01-01', kind: 'semester' })
    t.equal(future.statusCode, 400)
    t.equal(future.json().code, 'talk_date_in_future')
    t.equal((await call(w.homeroom, 'POST', '/api/v1/talks/logs', { studentId: A, talkDate: '2025-10-10', kind: 'semester', teacherId: w.psych.id })).statusCode, 400)
  })

  t.test('who reads talk logs', async (t) => {
    const mine = await call(w.homeroom, 'GET', '/api/v1/talks/logs')
    t.equal(mine.statusCode, 200)
    t.equal(mine.json().total, 2)
    t.ok((mine.json().items as Array<{ summary?: string }>).some((i) => i.summary === '假期过得愉快'))
    // A second homeroom teacher of the same class does not read the first one's notes.
    const co = await createUser(database, w.school, [{ role: 'homeroom_teacher', classId: c1 }])
    const coToken = (await login(app, co.username)).accessToken
    t.equal((await call({ token: coToken }, 'GET', '/api/v1/talks/logs')).json().total, 0)
    const id = (mine.json().items as Array<{ id: string; talkDate: string }>).find((i) => i.talkDate === '2025-10-10')!.id
    t.equal((await call({ token: coToken }, 'GET', `/api/v1/talks/logs/${id}`)).statusCode, 404)

    t.equal((await call(w.psych, 'GET', '/api/v1/talks/logs')).json().total, 0, 'psychology teacher: no open case, no logs')
    t.equal((await call(w.psych, 'GET', `/api/v1/talks/logs/${id}`)).statusCode, 404)
    const [k] = await database.db.insert(cases).values({ schoolId: w.school.schoolId, studentId: A, source: 'talk', riskLevel: 'yellow' }).returning()
    const psychList = await call(w.psych, 'GET', `/api/v1/talks/logs?studentId=${A}`)
    t.equal(psychList.json().total, 2, 'with an open case the psychology teacher reads the student’s talks')
    t.match((await call(w.psych, 'GET', `/api/v1/talks/logs/${id}`)).json(), { id, summary: '假期过得愉快' })
    await database.db.update(cases).set({ state: 'closed', closedAt: new Date() }).where(eq(cases.id, k!.id))
    t.equal((await call(w.psych, 'GET', '/api/v1/talks/logs')).json().total, 0, 'closed case: no longer')

    t.equal((await call(w.admin, 'GET', '/api/v1/talks/logs')).statusCode, 403, 'school admins read no talk logs')
    t.equal((await call(w.admin, 'GET', `/api/v1/talks/logs/${id}`)).statusCode, 404)
    t.equal((await call(other.psych, 'GET', `/api/v1/talks/logs/${id}`)).statusCode, 404)
  })

  t.test('duties: homeroom sees the class, psychology teacher the school, admin nothing', async (t) => {
    const hr = (await call(w.homeroom, 'GET', '/api/v1/talks/duties?limit=100')).json()
    t.ok((hr.items as Array<{ classId: string }>).every((i) => i.classId === c1))
    t.equal(hr.total, 5, 'A and B: semester and return; B monthly (care list)')
    const open = (await call(w.homeroom, 'GET', '/api/v1/talks/duties?status=open,overdue&kind=holiday_return')).json()
    t.same((open.items as Array<{ studentId: string }>).map((i) => i.studentId), [B])
    t.equal((await call(w.homeroom, 'GET', '/api/v1/talks/duties?status=late')).statusCode, 400)
    t.equal((await call(w.psych, 'GET', '/api/v1/talks/duties?limit=100')).json().total, 7, 'the whole school')
    // Monthly duties exist only for care-list students: duty lists would tell an admin who is on it.
    t.equal((await call(w.admin, 'GET', '/api/v1/talks/duties?limit=100')).statusCode, 403, 'school admins read no duties')
    t.equal((await call(w.admin, 'GET', '/api/v1/talks/compliance')).statusCode, 403, 'nor per-class compliance')
    const hrCompliance = (await call(w.homeroom, 'GET', '/api/v1/talks/compliance')).json().items as Array<{ classId: string }>
    t.ok(hrCompliance.length > 0 && hrCompliance.every((r) => r.classId === c1), 'a homeroom teacher gets their own class’s figures')
  })

  t.test('the 心理成长档案 shows the talks to those who may read them', async (t) => {
    const psych = await call(w.psych, 'GET', `/api/v1/students/${A}/archive`)
    t.equal(psych.statusCode, 200)
    const kinds = (psych.json().items as Array<{ kind: string }>).map((i) => i.kind)
    t.ok(kinds.includes('talk_duty'))
    const hr = await call(w.homeroom, 'GET', `/api/v1/students/${A}/archive`)
    t.ok((hr.json().items as Array<{ kind: string; data: { summary?: string } }>).some((i) => i.kind === 'talk_log' && i.data.summary === '假期过得愉快'))
    const admin = await call(w.admin, 'GET', `/api/v1/students/${A}/archive`)
    t.notOk((admin.json().items as Array<{ kind: string }>).some((i) => i.kind === 'talk_log' || i.kind === 'talk_duty'), 'nothing of the talks for the admin')
  })

  t.test('notifications: own only, marked read once', async (t) => {
    await call(w.homeroom, 'POST', '/api/v1/talks/logs', { studentId: B, talkDate: '2025-10-12', kind: 'holiday_return', summary: '父母争吵，情绪很差', concerned: true })
    const list = await call(w.psych, 'GET', '/api/v1/notifications?unread=true')
    t.equal(list.statusCode, 200)
    const [n] = list.json().items as Array<{ id: string; kind: string; refId: string; params: unknown; readAt: unknown }>
    t.match(n, { kind: 'talk_concerned', params: { urgency: 'medium' }, readAt: null })
    t.notMatch(list.body, /父母/)
    t.equal((await call(w.homeroom, 'POST', `/api/v1/notifications/${n!.id}/read`, {})).statusCode, 404, 'another teacher’s notification does not exist for you')
    const read = await call(w.psych, 'POST', `/api/v1/notifications/${n!.id}/read`, {})
    t.equal(read.statusCode, 200)
    const readAt = read.json().readAt
    t.type(readAt, 'string')
    t.equal((await call(w.psych, 'POST', `/api/v1/notifications/${n!.id}/read`, {})).json().readAt, readAt, 'idempotent')
    t.equal((await call(w.psych, 'GET', '/api/v1/notifications?unread=true')).json().total, 0)
    t.equal((await call(w.psych, 'GET', '/api/v1/notifications?unread=false')).json().total, 1)
    const log = await database.db.select().from(talkLogs).where(eq(talkLogs.studentId, B))
    t.equal(log[0]!.concerned, true)
  })
})
