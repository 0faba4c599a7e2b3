import t from '../helpers/tap.js'
import { eq } from 'drizzle-orm'
import { students } from '../../db/schema/index.js'
import { policies } from '../../policies/index.js'
import type { ResourcePolicy } from '../../src/access/define.js'
import { PolicyRegistry } from '../../src/access/engine.js'
import { Gateway } from '../../src/access/gateway.js'
import { AppError } from '../../src/lib/errors.js'
import { loadActor } from '../../src/modules/auth/repository.js'
import { createStudentService } from '../../src/modules/roster/student-service.js'
import { rosterWorld } from './fixtures.js'

t.test('students and guardians', async (t) => {
  const w = await rosterWorld()
  const { A, B, admin, adminB, psych, homeroom, monitor, mentor, district, call } = w

  const newStudent = async (classId = A.classIds[0], extra: Record<string, unknown> = {}) => {
    const res = await call(admin, 'POST', '/api/v1/students', {
      studentNo: `S${Math.random().toString(36).slice(2, 10)}`, name: '张小明', gender: 'M', birthDate: '2013-05-01', classId, ...extra,
    })
    if (res.statusCode !== 201) throw new Error(`create failed ${res.statusCode} ${res.body}`)
    return res.json() as { id: string; studentNo: string; classId: string }
  }

  t.test('admin creates, reads, updates and deletes a student; one audit row per write', async (t) => {
    let before = await w.auditCount()
    const res = await call(admin, 'POST', '/api/v1/students', {
      studentNo: '2026070199', name: '李华', gender: 'F', birthDate: '2013-09-30', classId: A.classIds[0],
    })
    t.equal(res.statusCode, 201)
    const s = res.json()
    t.match(s, { studentNo: '2026070199', name: '李华', gender: 'F', birthDate: '2013-09-30', classId: A.classIds[0], status: 'enrolled', schoolId: A.schoolId })
    t.type(s.createdAt, 'string')
    t.equal(await w.auditCount(), before + 1, 'create: one audit row')
    t.match(await w.lastAudit(), { action: 'C', resource: 'students', record_ids: [s.id], student_ids: [s.id], outcome: 'ok' })

    before = await w.auditCount()
    const got = await call(admin, 'GET', `/api/v1/students/${s.id}`)
    t.equal(got.statusCode, 200)
    t.equal(got.json().name, '李华')
    t.equal(await w.auditCount(), before + 1, 'read: one audit row')
    t.match(await w.lastAudit(), { action: 'R', record_ids: [s.id] })

    before = await w.auditCount()
    const upd = await call(admin, 'PATCH', `/api/v1/students/${s.id}`, { classId: A.classIds[1], status: 'left', leftAt: '2026-06-30' })
    t.equal(upd.statusCode, 200)
    t.match(upd.json(), { classId: A.classIds[1], status: 'left', leftAt: '2026-06-30', name: '李华' })
    t.equal(await w.auditCount(), before + 1, 'update: one audit row')
    t.match(await w.lastAudit(), { action: 'U', record_ids: [s.id] })

    before = await w.auditCount()
    const del = await call(admin, 'DELETE', `/api/v1/students/${s.id}`)
    t.equal(del.statusCode, 204)
    t.equal(await w.auditCount(), before + 1, 'delete: one audit row')
    t.match(await w.lastAudit(), { action: 'D', record_ids: [s.id] })
    t.equal((await call(admin, 'GET', `/api/v1/students/${s.id}`)).statusCode, 404)
  })

  t.test('another school\'s student answers exactly like a missing one', async (t) => {
    const theirs = (await call(adminB, 'POST', '/api/v1/students', {
      studentNo: 'B0001', name: '王五', gender: 'M', classId: B.classIds[0],
    })).json()
    const missing = '00000000-0000-4000-8000-000000000000'
    for (const [method, payload] of [['GET', undefined], ['PATCH', { name: '改名' }], ['DELETE', undefined]] as const) {
      const other = await call(admin, method, `/api/v1/students/${theirs.id}`, payload)
      const none = await call(admin, method, `/api/v1/students/${missing}`, payload)
      t.equal(other.statusCode, 404, `${method} other school`)
      const { requestId: _a, ...a } = other.json()
      const { requestId: _b, ...b } = none.json()
      t.same(a, b, `${method}: same body as a missing id`)
    }
    const row = (await w.database.db.select().from(students).where(eq(students.id, theirs.id)))[0]!
    t.equal(row.name, '王五', 'their row unchanged')
    const list = await call(admin, 'GET', '/api/v1/students?limit=500')
    t.notOk(list.json().items.some((i: { id: string }) => i.id === theirs.id), 'not in my list')
    t.equal((await call(admin, 'GET', `/api/v1/students/${theirs.id}/guardians`)).statusCode, 404)
    t.equal((await call(admin, 'POST', `/api/v1/students/${theirs.id}/guardians`, { name: '家长' })).statusCode, 404)
    const moved = await call(admin, 'POST', '/api/v1/students', { studentNo: 'X1', name: '某', gender: 'M', classId: B.classIds[0] })
    t.equal(moved.statusCode, 404, 'a class of another school is not a parent one can use')
  })

  t.test('homeroom teacher lists and reads only their own class and cannot write', async (t) => {
    const mine = await newStudent(A.classIds[0])
    const other = await newStudent(A.classIds[1])
    const list = await call(homeroom, 'GET', '/api/v1/students?limit=500')
    t.equal(list.statusCode, 200)
    const items = list.json().items as Array<{ id: string; classId: string; createdAt?: string }>
    t.ok(items.some((i) => i.id === mine.id))
    t.notOk(items.some((i) => i.id === other.id))
    t.ok(items.every((i) => i.classId === A.classIds[0]), 'every row is of the own class')
    t.ok(items.every((i) => !('createdAt' in i)), 'meta fields are not projected for the homeroom teacher')
    t.equal((await call(homeroom, 'GET', `/api/v1/students/${mine.id}`)).statusCode, 200)
    t.equal((await call(homeroom, 'GET', `/api/v1/students/${other.id}`)).statusCode, 404)
    t.equal((await call(homeroom, 'GET', `/api/v1/students/${mine.id}/guardians`)).statusCode, 200)
    t.equal((await call(homeroom, 'GET', `/api/v1/students/${other.id}/guardians`)).statusCode, 404)

    const before = await w.auditCount()
    const patch = await call(homeroom, 'PATCH', `/api/v1/students/${mine.id}`, { name: '改名' })
    t.equal(patch.statusCode, 404)
    const post = await call(homeroom, 'POST', '/api/v1/students', { studentNo: 'H1', name: '某', gender: 'M', classId: A.classIds[0] })
    t.equal(post.statusCode, 403)
    t.equal((await call(homeroom, 'DELETE', `/api/v1/students/${mine.id}`)).statusCode, 404)
    t.equal((await call(homeroom, 'POST', `/api/v1/students/${mine.id}/guardians`, { name: '家长' })).statusCode, 404)
    const row = (await w.database.db.select().from(students).where(eq(students.id, mine.id)))[0]!
    t.equal(row.name, '张小明', 'unchanged')
    t.equal(await w.auditCount(), before + 4, 'the denied attempts are audited as denied, nothing else')
    t.match(await w.lastAudit(), { action: 'denied', outcome: 'denied' })
  })

  t.test('peer monitor, mentor without pairings and district staff get nothing', async (t) => {
    const s = await newStudent(A.classIds[0])
    for (const who of [monitor, district]) {
      t.equal((await call(who, 'GET', '/api/v1/students')).statusCode, 403)
      t.equal((await call(who, 'GET', `/api/v1/students/${s.id}`)).statusCode, 404)
      t.equal((await call(who, 'GET', `/api/v1/students/${s.id}/guardians`)).statusCode, 404)
    }
    const m = await call(mentor, 'GET', '/api/v1/students')
    t.equal(m.statusCode, 200)
    t.equal(m.json().total, 0, 'a mentor sees only paired students; there are none')
    t.equal((await call(mentor, 'GET', `/api/v1/students/${s.id}`)).statusCode, 404)
  })

  t.test('psychology teacher reads every student and guardian of the school, writes nothing', async (t) => {
    const s = await newStudent(A.classIds[1])
    t.equal((await call(psych, 'GET', `/api/v1/students/${s.id}`)).statusCode, 200)
    const g = await call(psych, 'GET', `/api/v1/students/${s.id}/guardians`)
    t.equal(g.statusCode, 200)
    t.equal((await call(psych, 'PATCH', `/api/v1/students/${s.id}`, { name: 'x' })).statusCode, 404)
  })

  t.test('fields nobody writes are refused with 400 naming them, the row unchanged', async (t) => {
    const s = await newStudent()
    const before = await w.auditCount()
    for (const [field, value] of [['schoolId', B.schoolId], ['id', '00000000-0000-4000-8000-000000000001'], ['createdAt', '2020-01-01T00:00:00Z']] as const) {
      const res = await call(admin, 'PATCH', `/api/v1/students/${s.id}`, { name: '改过', [field]: value })
      t.equal(res.statusCode, 400, field)
      t.match(JSON.stringify(res.json().details), field, `names ${field}`)
    }
    const row = (await w.database.db.select().from(students).where(eq(students.id, s.id)))[0]!
    t.equal(row.name, '张小明')
    t.equal(row.schoolId, A.schoolId)
    t.equal(await w.auditCount(), before, 'nothing audited, nothing written')
  })

  t.test('a field the policy does not let this role write → 400 field_not_writable naming it, nothing written', async (t) => {
    // No roster role holds a partial write grant today, so the service is run against a
    // policy where admins may write identity fields but not personal ones (birthDate).
    const narrowed = policies.map((p) => p.resource !== 'students' ? p : {
      ...p, roles: { ...p.roles, school_admin: { ...p.roles.school_admin!, write: ['identity'] } },
    })
    const registry = new PolicyRegistry(narrowed as ResourcePolicy[])
    const service = createStudentService(new Gateway({ database: w.database, policies: registry, config: w.config }))
    const sid = JSON.parse(Buffer.from(admin.token.split('.')[1]!, 'base64url').toString()).sid as string
    const actor = (await loadActor(w.database.db, admin.id, sid))!
    const ctx = { actor, decision: registry.decide(actor, 'students', 'update')!, requestId: 'test', purpose: null }
    const s = await newStudent()
    const before = await w.auditCount()
    const err = await service.update(ctx, s.id, { name: '改名', birthDate: '2012-01-01' }).then(() => null, (e: unknown) => e)
    t.ok(err instanceof AppError)
    t.match(err, { statusCode: 400, code: 'field_not_writable', details: { fields: ['birthDate'] } })
    const row = (await w.database.db.select().from(students).where(eq(students.id, s.id)))[0]!
    t.equal(row.name, '张小明', 'unchanged')
    t.equal(row.birthDate, '2013-05-01', 'unchanged')
    t.equal(await w.auditCount(), before)
    const ok = await service.update(ctx, s.id, { name: '改名' })
    t.equal(ok.name, '改名', 'identity fields still writable')
    t.notOk('birthDate' in ok && ok.birthDate === '2012-01-01')
  })

  t.test('over HTTP the error names the field: guardian keys are not writable', async (t) => {
    const s = await newStudent()
    const g = (await call(admin, 'POST', `/api/v1/students/${s.id}/guardians`, { name: '李妈妈', relation: '母亲', phone: '13900001111' })).json()
    const res = await call(admin, 'PATCH', `/api/v1/guardians/${g.id}`, { phone: '13900002222', studentId: s.id })
    t.equal(res.statusCode, 400)
    t.same(res.json().details, [{ field: 'body', issue: 'unrecognized_keys', keys: ['studentId'] }])
    t.equal((await call(admin, 'GET', `/api/v1/students/${s.id}/guardians`)).json().items[0].phone, '13900001111')
  })

  t.test('duplicate 学号 → 409 duplicate; unknown body keys → 400', async (t) => {
    const s = await newStudent()
    const dup = await call(admin, 'POST', '/api/v1/students', { studentNo: s.studentNo, name: '重复', gender: 'M', classId: A.classIds[0] })
    t.equal(dup.statusCode, 409)
    t.equal(dup.json().code, 'duplicate')
    t.same(dup.json().details, { fields: ['studentNo'] })
    t.notMatch(dup.body, s.studentNo, 'the value is not echoed')
    const other = await newStudent()
    const clash = await call(admin, 'PATCH', `/api/v1/students/${other.id}`, { studentNo: s.studentNo })
    t.equal(clash.statusCode, 409)
    const bad = await call(admin, 'POST', '/api/v1/students', { studentNo: 'ZZ1', name: 'x', gender: 'X', classId: A.classIds[0] })
    t.equal(bad.statusCode, 400)
    const badDate = await call(admin, 'POST', '/api/v1/students', { studentNo: 'ZZ2', name: 'x', gender: 'M', birthDate: '2013-02-30', classId: A.classIds[0] })
    t.equal(badDate.statusCode, 400)
    t.equal((await call(admin, 'PATCH', `/api/v1/students/${other.id}`, {})).statusCode, 400, 'an empty patch is refused')
  })

  t.test('list: filters, search by name or 学号 prefix, sort, paging', async (t) => {
    const klass = (await call(admin, 'POST', '/api/v1/classes', { gradeId: A.gradeId, seq: 9 })).json()
    const mk = (studentNo: string, name: string, status = 'enrolled') =>
      call(admin, 'POST', '/api/v1/students', { studentNo, name, gender: 'F', classId: klass.id, status })
    await mk('Q2026001', '欧阳娜娜')
    await mk('Q2026002', '欧阳锋')
    await mk('Q2027001', '司马光', 'left')
    await mk('R100', '百分%号')
    const q = async (qs: string) => (await call(admin, 'GET', `/api/v1/students?classId=${klass.id}&${qs}`)).json()
    t.equal((await q('')).total, 4)
    t.same((await q('q=欧阳&sort=studentNo:desc')).items.map((i: { studentNo: string }) => i.studentNo), ['Q2026002', 'Q2026001'])
    t.same((await q('q=Q2026&sort=studentNo:asc')).items.map((i: { studentNo: string }) => i.studentNo), ['Q2026001', 'Q2026002'])
    t.equal((await q('q=2026')).total, 0, '学号 matches by prefix only')
    t.equal((await q('q=%25')).total, 1, 'a % is a character, not a wildcard')
    t.equal((await q('status=left')).items[0].name, '司马光')
    const p1 = await q('sort=studentNo:asc&limit=2&offset=0')
    const p2 = await q('sort=studentNo:asc&limit=2&offset=2')
    t.equal(p1.total, 4)
    t.same([...p1.items, ...p2.items].map((i: { studentNo: string }) => i.studentNo), ['Q2026001', 'Q2026002', 'Q2027001', 'R100'])
    t.equal((await call(admin, 'GET', '/api/v1/students?sort=passwordHash:asc')).statusCode, 400)
    const hr = await call(homeroom, 'GET', '/api/v1/students?sort=createdAt:asc')
    t.equal(hr.statusCode, 400, 'sorting on a field the caller cannot read is refused')
    t.equal(hr.json().code, 'field_not_readable')
  })

  t.test('guardians: admin adds, lists, updates, removes; first is primary; scope', async (t) => {
    const s = await newStudent()
    let before = await w.auditCount()
    const g1 = await call(admin, 'POST', `/api/v1/students/${s.id}/guardians`, { name: '张爸爸', relation: '父亲', phone: '13800001111' })
    t.equal(g1.statusCode, 201)
    t.match(g1.json(), { studentId: s.id, name: '张爸爸', relation: '父亲', phone: '13800001111', isPrimary: true, schoolId: A.schoolId })
    t.equal(await w.auditCount(), before + 1)
    t.match(await w.lastAudit(), { action: 'C', resource: 'guardians', record_ids: [g1.json().id], student_ids: [s.id] })
    const g2 = await call(admin, 'POST', `/api/v1/students/${s.id}/guardians`, { name: '张妈妈', relation: '母亲' })
    t.equal(g2.json().isPrimary, false)
    const dup = await call(admin, 'POST', `/api/v1/students/${s.id}/guardians`, { name: '张妈妈' })
    t.equal(dup.statusCode, 409)

    before = await w.auditCount()
    const list = await call(admin, 'GET', `/api/v1/students/${s.id}/guardians`)
    t.equal(list.statusCode, 200)
    t.same(list.json().items.map((g: { name: string }) => g.name), ['张爸爸', '张妈妈'])
    t.equal(await w.auditCount(), before + 1, 'listing guardians is an audited read')

    before = await w.auditCount()
    const upd = await call(admin, 'PATCH', `/api/v1/guardians/${g2.json().id}`, { isPrimary: true, phone: '13800002222' })
    t.equal(upd.statusCode, 200)
    t.match(upd.json(), { isPrimary: true, phone: '13800002222' })
    t.equal(await w.auditCount(), before + 1)
    const after = (await call(admin, 'GET', `/api/v1/students/${s.id}/guardians`)).json().items as Array<{ name: string; isPrimary: boolean }>
    t.same(after.filter((g) => g.isPrimary).map((g) => g.name), ['张妈妈'], 'one primary guardian')

    before = await w.auditCount()
    t.equal((await call(admin, 'DELETE', `/api/v1/guardians/${g1.json().id}`)).statusCode, 204)
    t.equal(await w.auditCount(), before + 1)
    t.equal((await call(admin, 'DELETE', `/api/v1/guardians/${g1.json().id}`)).statusCode, 404)

    const theirs = (await call(adminB, 'POST', '/api/v1/students', { studentNo: 'BG1', name: '乙', gender: 'M', classId: B.classIds[0] })).json()
    const theirG = (await call(adminB, 'POST', `/api/v1/students/${theirs.id}/guardians`, { name: '乙家长' })).json()
    t.equal((await call(admin, 'PATCH', `/api/v1/guardians/${theirG.id}`, { phone: '13800003333' })).statusCode, 404)
    t.equal((await call(admin, 'DELETE', `/api/v1/guardians/${theirG.id}`)).statusCode, 404)
    t.equal((await call(homeroom, 'PATCH', `/api/v1/guardians/${g2.json().id}`, { phone: '13800004444' })).statusCode, 404)
  })

  t.test('no personal value reaches the log', async (t) => {
    const canary = '金丝雀测试名'
    const phone = '13912345678'
    const s = (await call(admin, 'POST', '/api/v1/students', { studentNo: 'CANARY1', name: canary, gender: 'M', classId: A.classIds[0] })).json()
    await call(admin, 'POST', `/api/v1/students/${s.id}/guardians`, { name: canary, phone })
    await call(admin, 'POST', '/api/v1/students', { studentNo: 'CANARY1', name: canary, gender: 'M', classId: A.classIds[0] })
    await call(admin, 'GET', `/api/v1/students?q=${encodeURIComponent(canary)}`)
    const logs = w.logs.join('')
    t.notMatch(logs, canary)
    t.notMatch(logs, phone)
    t.notMatch(logs, 'CANARY1')
  })
})
