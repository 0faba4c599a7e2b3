import t from '../helpers/tap.js'
import { eq } from 'drizzle-orm'
import { students } from '../../db/schema/index.js'
import { supportWorld } from './fixtures.js'

/**
 * A monitor or homeroom teacher who names a student outside the class is told what
 * was wrong — the 学号 they typed, or that no classmate has the name — never "记录不存在".
 * Still 404, and the same whether the student is elsewhere or nowhere.
 */
t.test('a student outside the class is named in the error, in both languages', async (t) => {
  const w = await supportWorld()
  const mine = await w.student('class1')
  const other = await w.student('class2')
  const noOf = async (id: string) => (await w.database.db.select({ no: students.studentNo }).from(students).where(eq(students.id, id)))[0]!.no
  const otherNo = await noOf(other.id)
  const alert = { urgency: 'low', whatSeen: '最近总是一个人' }

  await t.test('a monitor’s alert by 学号', async (t) => {
    for (const no of [otherNo, 'NO-SUCH-1']) {
      const r = await w.call(w.monitor, 'POST', '/api/v1/peer-alerts', { ...alert, studentNo: no })
      t.equal(r.statusCode, 404)
      t.equal(r.json().code, 'student_no_not_in_class')
      t.equal(r.json().message, `学号 ${no} 不在本班`, 'names the 学号, whether it exists elsewhere or not')
      t.same(r.json().details, { fields: ['studentNo'] })
    }
  })

  await t.test('a monitor’s alert by name', async (t) => {
    const r = await w.call(w.monitor, 'POST', '/api/v1/peer-alerts', { ...alert, studentName: other.name })
    t.equal(r.statusCode, 404)
    t.equal(r.json().code, 'classmate_name_not_found')
    t.match(r.json().message, /本班没有叫这个名字的在读同学/)
    t.notMatch(r.json().message, other.name, 'the name is not echoed')
  })

  await t.test('a homeroom teacher’s talk log', async (t) => {
    const talk = { talkDate: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), kind: 'other' }
    // Someone who may read the whole school but leads class 1 only: the 学号 they can see is named.
    const both = await w.caller(w.A, [{ role: 'homeroom_teacher', classId: w.A.classIds[0] }, { role: 'psych_teacher' }])
    const r = await w.call(both, 'POST', '/api/v1/talks/logs', { ...talk, studentId: other.id })
    t.equal(r.statusCode, 404)
    t.equal(r.json().code, 'student_no_not_in_class')
    t.equal(r.json().message, `学号 ${otherNo} 不在本班`)
    // A homeroom teacher who cannot read the student learns nothing about them.
    const plain = await w.call(w.homeroom, 'POST', '/api/v1/talks/logs', { ...talk, studentId: other.id })
    t.equal(plain.statusCode, 404)
    t.equal(plain.json().message, '该学生不在本班')
    const ok = await w.call(w.homeroom, 'POST', '/api/v1/talks/logs', { ...talk, studentId: mine.id })
    t.equal(ok.statusCode, 201, 'a pupil of the class is accepted')
  })

  await t.test('the class barometer names each 学号 not in the class', async (t) => {
    const r = await w.call(w.monitor, 'POST', '/api/v1/barometer', { classId: w.A.classIds[0], mood: 3, studentNos: [await noOf(mine.id), otherNo, 'NO-SUCH-2'] })
    t.equal(r.statusCode, 404)
    t.equal(r.json().code, 'student_no_not_in_class')
    t.equal(r.json().message, `学号 ${otherNo}、NO-SUCH-2 不在本班`)
  })
})
