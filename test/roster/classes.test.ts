import t from '../helpers/tap.js'
import { eq } from 'drizzle-orm'
import { classes } from '../../db/schema/index.js'
import { rosterWorld } from './fixtures.js'

t.test('grades and classes', async (t) => {
  const w = await rosterWorld()
  const { A, B, admin, adminB, psych, homeroom, monitor, district, call } = w

  t.test('grades: listed per school, created by the admin', async (t) => {
    const list = await call(admin, 'GET', '/api/v1/grades')
    t.equal(list.statusCode, 200)
    t.same(list.json().items, [{ id: A.gradeId, schoolId: A.schoolId, level: 7, name: '七年级' }])
    const before = await w.auditCount()
    const g = await call(admin, 'POST', '/api/v1/grades', { level: 10 })
    t.equal(g.statusCode, 201)
    t.match(g.json(), { level: 10, name: '高一', schoolId: A.schoolId })
    t.equal(await w.auditCount(), before + 1)
    t.match(await w.lastAudit(), { action: 'C', resource: 'grades', record_ids: [g.json().id] })
    t.equal((await call(admin, 'POST', '/api/v1/grades', { level: 10 })).statusCode, 409, 'one grade per level')
    t.same((await call(admin, 'GET', '/api/v1/grades')).json().items.map((i: { level: number }) => i.level), [7, 10])
    t.same((await call(adminB, 'GET', '/api/v1/grades')).json().items.map((i: { id: string }) => i.id), [B.gradeId])
    t.equal((await call(homeroom, 'GET', '/api/v1/grades')).statusCode, 200)
    t.equal((await call(homeroom, 'POST', '/api/v1/grades', { level: 11 })).statusCode, 403)
    t.equal((await call(monitor, 'GET', '/api/v1/grades')).statusCode, 403)
  })

  t.test('classes CRUD by the admin with one audit row per write', async (t) => {
    let before = await w.auditCount()
    const c = await call(admin, 'POST', '/api/v1/classes', { gradeId: A.gradeId, seq: 5 })
    t.equal(c.statusCode, 201)
    t.match(c.json(), { gradeId: A.gradeId, seq: 5, name: '七年级(5)班', schoolId: A.schoolId })
    t.equal(await w.auditCount(), before + 1)
    const id = c.json().id as string

    t.equal((await call(admin, 'GET', `/api/v1/classes/${id}`)).json().name, '七年级(5)班')
    const byGrade = await call(admin, 'GET', `/api/v1/classes?gradeId=${A.gradeId}`)
    t.same(byGrade.json().items.map((i: { seq: number }) => i.seq), [1, 2, 5])

    before = await w.auditCount()
    const upd = await call(admin, 'PATCH', `/api/v1/classes/${id}`, { name: '七年级(6)班', seq: 6 })
    t.equal(upd.statusCode, 200)
    t.match(upd.json(), { name: '七年级(6)班', seq: 6 })
    t.equal(await w.auditCount(), before + 1)
    t.match(await w.lastAudit(), { action: 'U', resource: 'classes', record_ids: [id] })

    const clash = await call(admin, 'PATCH', `/api/v1/classes/${id}`, { seq: 1 })
    t.equal(clash.statusCode, 409)
    t.equal(clash.json().code, 'duplicate')

    before = await w.auditCount()
    t.equal((await call(admin, 'DELETE', `/api/v1/classes/${id}`)).statusCode, 204)
    t.equal(await w.auditCount(), before + 1)
    t.equal((await call(admin, 'GET', `/api/v1/classes/${id}`)).statusCode, 404)
  })

  t.test('a class with students is in use', async (t) => {
    const c = (await call(admin, 'POST', '/api/v1/classes', { gradeId: A.gradeId, seq: 7, name: '实验班' })).json()
    t.equal(c.name, '实验班')
    await call(admin, 'POST', '/api/v1/students', { studentNo: 'C7001', name: '学生', gender: 'M', classId: c.id })
    const before = await w.auditCount()
    const del = await call(admin, 'DELETE', `/api/v1/classes/${c.id}`)
    t.equal(del.statusCode, 409)
    t.equal(del.json().code, 'in_use')
    t.equal(await w.auditCount(), before + 1, 'only the failed attempt is recorded')
    t.match(await w.lastAudit(), { action: 'D', record_ids: [c.id], outcome: 'rejected' })
    t.equal((await w.database.db.select().from(classes).where(eq(classes.id, c.id))).length, 1)
  })

  t.test('scope: another school\'s class or grade is 404; homeroom sees only their class', async (t) => {
    for (const [method, payload] of [['GET', undefined], ['PATCH', { name: 'x' }], ['DELETE', undefined]] as const) {
      const res = await call(admin, method, `/api/v1/classes/${B.classIds[0]}`, payload)
      t.equal(res.statusCode, 404, method)
      t.equal(res.json().code, 'not_found')
    }
    t.equal((await call(admin, 'POST', '/api/v1/classes', { gradeId: B.gradeId, seq: 8 })).statusCode, 404, 'grade of another school')
    t.equal((await call(admin, 'PATCH', `/api/v1/classes/${A.classIds[1]}`, { gradeId: B.gradeId })).statusCode, 404)
    t.equal((await w.database.db.select().from(classes).where(eq(classes.id, B.classIds[0])))[0]!.name, '七年级(1)班')

    const hr = await call(homeroom, 'GET', '/api/v1/classes')
    t.same(hr.json().items.map((i: { id: string }) => i.id), [A.classIds[0]])
    t.notOk('createdAt' in hr.json().items[0], 'meta is not projected for the homeroom teacher')
    t.equal((await call(homeroom, 'GET', `/api/v1/classes/${A.classIds[1]}`)).statusCode, 404)
    t.equal((await call(homeroom, 'PATCH', `/api/v1/classes/${A.classIds[0]}`, { name: 'x' })).statusCode, 404)
    t.equal((await call(homeroom, 'POST', '/api/v1/classes', { gradeId: A.gradeId, seq: 9 })).statusCode, 403)
    t.ok((await call(psych, 'GET', '/api/v1/classes')).json().total >= 2)
    t.equal((await call(monitor, 'GET', '/api/v1/classes')).statusCode, 403)
    t.equal((await call(district, 'GET', `/api/v1/classes/${A.classIds[0]}`)).statusCode, 404)
  })
})
