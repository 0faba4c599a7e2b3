import t from '../helpers/tap.js'
import { and, eq, isNull } from 'drizzle-orm'
import { classes, students, userRoles } from '../../db/schema/index.js'
import { rosterWorld } from '../roster/fixtures.js'
import { ATTEMPTS, auditCount, oneWinner, race } from './race.js'

t.test('roster: concurrent grants and class deletion', async (t) => {
  const w = await rosterWorld()
  const { A, admin, call, database: { db } } = w
  const admin2 = await w.caller(A, [{ role: 'school_admin' }])
  const admins = [admin, admin2]

  for (const grant of [{ role: 'mentor' }, { role: 'homeroom_teacher', classId: A.classIds[1] }]) {
    t.test(`the same grant (${grant.role}) 50 times at once: one grant, the rest 409 naming the role, one audit row`, async (t) => {
      const teacher = await w.caller(A, [{ role: 'psych_teacher' }])
      const r = await race((i) => call(admins[i % 2]!, 'POST', `/api/v1/users/${teacher.id}/roles`, grant))
      oneWinner(t, r, ['role_already_granted'], grant.role)
      t.match(r.conflicts[0]?.json().message ?? '', grant.role === 'mentor' ? '该账号已有此角色：结对教师' : '该账号已有此角色：班主任')
      const held = await db.select().from(userRoles).where(and(eq(userRoles.userId, teacher.id), eq(userRoles.role, grant.role)))
      t.equal(held.length, 1, 'one grant row')
      t.equal(await auditCount(w.database, 'user_roles', 'C', r.winners[0]!.json().id), 1, 'one audit row')
    })
  }

  /**
   * One DELETE /classes/:id among 49 POST /students into the same class, the delete at a
   * different place each round. Either the delete comes first (no pupil is added: 404) or
   * after some pupils (409 in_use, the class and every added pupil stay). Without the class
   * lock a pupil slips in between the count and the delete, and someone gets the foreign-key
   * error instead of an answer that fits their request.
   */
  for (const at of [0, 5, 25]) {
    t.test(`class deletion racing 49 pupil inserts (delete sent as attempt ${at})`, async (t) => {
      const seq = 40 + at
      const created = await call(admin, 'POST', '/api/v1/classes', { gradeId: A.gradeId, seq })
      t.equal(created.statusCode, 201, created.body)
      const classId = created.json().id as string
      const all = await Promise.all(Array.from({ length: ATTEMPTS }, (_, i) => i === at
        ? call(admin2, 'DELETE', `/api/v1/classes/${classId}`)
        : call(admin, 'POST', '/api/v1/students', {
          studentNo: `R${seq}${String(i).padStart(3, '0')}${Math.random().toString(36).slice(2, 6)}`, name: '并发', gender: 'F', classId,
        })))
      const del = all[at]!
      const inserts = all.filter((_, i) => i !== at)
      const added = inserts.filter((r) => r.statusCode === 201).length
      const pupils = (await db.select().from(students).where(eq(students.classId, classId))).length
      const [cls] = await db.select().from(classes).where(and(eq(classes.id, classId), isNull(classes.endedAt)))
      t.same(inserts.map((r) => r.statusCode).filter((s) => s !== 201 && s !== 404), [], 'an insert either lands or finds no class')
      t.same(inserts.filter((r) => r.statusCode === 404).map((r) => r.json().code).filter((c) => c !== 'not_found'), [], 'a late insert reads 记录不存在')
      if (del.statusCode === 204) {
        t.equal(added, 0, 'delete won: no pupil was added')
        t.equal(cls, undefined, 'the class is gone')
        t.equal(await auditCount(w.database, 'classes', 'D', classId), 1, 'one audit row')
      } else {
        t.equal(del.statusCode, 409, del.body)
        t.equal(del.json().code, 'in_use')
        t.ok(added > 0, 'refused because pupils were there')
        t.ok(cls, 'the class stays')
        t.equal(await auditCount(w.database, 'classes', 'D', classId), 0, 'no delete audited')
      }
      t.equal(pupils, added, 'every 201 is a pupil in the class, and nothing else is')
    })
  }
})
