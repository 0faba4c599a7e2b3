import t from '../helpers/tap.js'
import { and, eq, isNull } from 'drizzle-orm'
import { classes, students, userRoles, users } from '../../db/schema/index.js'
import { rosterWorld } from './fixtures.js'

const PASSWORD = 'Initial-pass-2026'
const sno = () => `E${Math.random().toString(36).slice(2, 10)}`

/**
 * A graduated class (升年级 sets ended_at) keeps its records but takes no one new: no pupil
 * by POST or PATCH /students, none by the roster import, no homeroom teacher or monitor.
 */
t.test('nothing is assigned to a graduated class', async (t) => {
  const w = await rosterWorld()
  const { A, admin, call, database: { db } } = w
  const [live, ended] = A.classIds as [string, string]
  await db.update(classes).set({ name: '九年级(1)班', endedAt: new Date() }).where(and(eq(classes.schoolId, A.schoolId), eq(classes.id, ended)))
  const graduate = (await db.insert(students).values({
    schoolId: A.schoolId, classId: ended, studentNo: sno(), name: '毕业生', gender: 'F', status: 'graduated',
  }).returning())[0]!
  const newStudent = (classId: string, lang?: string) => call(admin, 'POST', '/api/v1/students', {
    studentNo: sno(), name: '张小明', gender: 'M', birthDate: '2013-05-01', classId,
  }, lang ? { 'accept-language': lang } : undefined)
  const pupilsOf = async (classId: string) => (await db.select().from(students).where(eq(students.classId, classId))).length

  t.test('POST /students: 409 naming the class in Chinese and in English; nothing written', async (t) => {
    const zh = await newStudent(ended)
    t.equal(zh.statusCode, 409, zh.body)
    t.equal(zh.json().code, 'class_ended')
    t.equal(zh.json().message, '班级 九年级(1)班 已毕业结束，不能再分配')
    const en = await newStudent(ended, 'en')
    t.equal(en.statusCode, 409)
    t.match(en.json().message, /^Class 九年级\(1\)班 has graduated/)
    t.equal(await pupilsOf(ended), 1, 'only the graduate')
    t.equal((await newStudent(live)).statusCode, 201, 'a live class still takes pupils')
  })

  t.test('PATCH /students: moving into the class is refused; the graduate’s own record can be corrected', async (t) => {
    const s = (await newStudent(live)).json() as { id: string }
    const move = await call(admin, 'PATCH', `/api/v1/students/${s.id}`, { classId: ended })
    t.equal(move.statusCode, 409, move.body)
    t.equal(move.json().code, 'class_ended')
    t.equal((await db.select().from(students).where(eq(students.id, s.id)))[0]!.classId, live, 'not moved')
    const fix = await call(admin, 'PATCH', `/api/v1/students/${graduate.id}`, { name: '毕业生甲', classId: ended })
    t.equal(fix.statusCode, 200, fix.body)
    t.equal(fix.json().name, '毕业生甲')
  })

  t.test('POST /users/:id/roles and POST /users: no homeroom teacher or monitor for the class', async (t) => {
    const teacher = await w.caller(A, [{ role: 'mentor' }])
    for (const role of ['homeroom_teacher', 'peer_monitor']) {
      const res = await call(admin, 'POST', `/api/v1/users/${teacher.id}/roles`, { role, classId: ended })
      t.equal(res.statusCode, 409, `${role}: ${res.body}`)
      t.equal(res.json().message, '班级 九年级(1)班 已毕业结束，不能再分配')
    }
    t.equal((await db.select().from(userRoles).where(eq(userRoles.userId, teacher.id))).length, 1, 'only the mentor grant')
    t.equal((await call(admin, 'POST', `/api/v1/users/${teacher.id}/roles`, { role: 'homeroom_teacher', classId: live })).statusCode, 201)

    const created = await call(admin, 'POST', '/api/v1/users', {
      username: 'ended.class.teacher', displayName: '王老师', password: PASSWORD, roles: [{ role: 'homeroom_teacher', classId: ended }],
    })
    t.equal(created.statusCode, 409, created.body)
    t.equal(created.json().code, 'class_ended')
    t.equal((await db.select().from(users).where(eq(users.username, 'ended.class.teacher'))).length, 0, 'no account either')
  })

  t.test('roster import: a row naming the graduated class’s grade and number goes to a new class of that number', async (t) => {
    const [gradeRow] = await db.select().from(classes).where(eq(classes.id, ended))
    t.equal(gradeRow!.seq, 2)
    const no = sno()
    const file = '\uFEFF姓名,学号,性别,出生日期,年级,班级,监护人,联系电话,关系\r\n' + `新生,${no},女,2013-05-01,七年级,2班,,,\r\n`
    const res = await call(admin, 'POST', '/api/v1/students/import', file, { 'content-type': 'text/csv; charset=utf-8' })
    t.equal(res.statusCode, 200, res.body)
    const [s] = await db.select().from(students).where(and(eq(students.schoolId, A.schoolId), eq(students.studentNo, no)))
    t.not(s!.classId, ended, 'not into the graduated class')
    const [cls] = await db.select().from(classes).where(and(eq(classes.id, s!.classId), isNull(classes.endedAt)))
    t.equal(cls?.seq, 2, 'a live (2)班')
    t.equal(await pupilsOf(ended), 1, 'the graduated class still holds only its graduate')
  })
})
