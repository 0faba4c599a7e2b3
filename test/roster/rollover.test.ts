import t from '../helpers/tap.js'
import { and, asc, eq, isNull } from 'drizzle-orm'
import { sql } from 'drizzle-orm'
import { classes, grades, schools, students, userRoles } from '../../db/schema/index.js'
import { queryRows } from '../../src/db/database.js'
import { rid, type SchoolFixture } from '../helpers/app.js'
import { rosterWorld, type Caller } from './fixtures.js'

/**
 * 升年级: a 初中 with 七年级–九年级 goes through a year end. Classes move up and keep
 * their ids, 九年级 graduates, 七年级 gets new classes, homeroom and monitor grants of the old
 * classes end; the preview is the apply's effect; the undo restores exactly until the new year
 * has a record.
 */
t.test('school-year rollover', async (t) => {
  const w = await rosterWorld()
  const { database, call } = w
  const db = database.db

  // A junior school of its own: 七年级 (2 classes), 八年级 (2 + 实验班), 九年级 (2).
  const S = (await db.insert(schools).values({ districtId: w.A.districtId, code: `S${rid()}`, name: `初级中学${rid()}`, stage: 'junior' }).returning())[0]!
  const schoolId = S.id
  const grade: Record<number, string> = {}
  for (const [level, name] of [[7, '七年级'], [8, '八年级'], [9, '九年级']] as const) {
    grade[level] = (await db.insert(grades).values({ schoolId, level, name }).returning())[0]!.id
  }
  const cls: Record<string, string> = {}
  for (const [level, seq, name] of [[7, 1, '七年级(1)班'], [7, 2, '七年级(2)班'], [8, 1, '八年级(1)班'], [8, 2, '八年级(2)班'], [8, 3, '实验班'], [9, 1, '九年级(1)班'], [9, 2, '九年级(2)班']] as const) {
    cls[name] = (await db.insert(classes).values({ schoolId, gradeId: grade[level]!, seq, name }).returning())[0]!.id
  }
  const pupils: Record<string, string[]> = {}
  let n = 0
  for (const [name, count] of [['七年级(1)班', 2], ['七年级(2)班', 1], ['八年级(1)班', 2], ['八年级(2)班', 1], ['实验班', 1], ['九年级(1)班', 3], ['九年级(2)班', 2]] as const) {
    pupils[name] = []
    for (let i = 0; i < count; i++) {
      const s = (await db.insert(students).values({ schoolId, classId: cls[name]!, studentNo: `R${++n}${rid()}`, name: `学生${n}`, gender: i % 2 ? 'M' : 'F' }).returning())[0]!
      pupils[name].push(s.id)
    }
  }
  // A pupil who left 九年级(1)班 earlier stays 已离校, not 已毕业.
  const leaver = (await db.insert(students).values({ schoolId, classId: cls['九年级(1)班']!, studentNo: `L${rid()}`, name: '离校生', gender: 'M', status: 'left', leftAt: '2026-03-01' }).returning())[0]!.id

  const fixture: SchoolFixture = { districtId: w.A.districtId, schoolId, gradeId: grade[7]!, classIds: [cls['七年级(1)班']!, cls['七年级(2)班']!] }
  const admin = await w.caller(fixture, [{ role: 'school_admin' }])
  const psych = await w.caller(fixture, [{ role: 'psych_teacher' }])
  const homeroom9 = await w.caller(fixture, [{ role: 'homeroom_teacher', classId: cls['九年级(1)班'] }, { role: 'mentor' }])
  const homeroom7 = await w.caller(fixture, [{ role: 'homeroom_teacher', classId: cls['七年级(1)班'] }])
  const monitor8 = await w.caller(fixture, [{ role: 'peer_monitor', classId: cls['八年级(1)班'] }])
  const district = await w.caller(fixture, [{ role: 'district_staff' }])

  /** Every row the rollover may touch, in a fixed order, for "restores exactly". */
  const state = async () => ({
    grades: await db.select().from(grades).where(eq(grades.schoolId, schoolId)).orderBy(asc(grades.id)),
    classes: await db.select().from(classes).where(eq(classes.schoolId, schoolId)).orderBy(asc(classes.id)),
    students: await db.select().from(students).where(eq(students.schoolId, schoolId)).orderBy(asc(students.id)),
    grants: await db.select().from(userRoles).where(eq(userRoles.schoolId, schoolId)).orderBy(asc(userRoles.id)),
  })
  const levelOf = async (classId: string) => {
    const rows = await queryRows<{ level: number; name: string; ended_at: unknown }>(db, sql`
      select g.level, c.name, c.ended_at from classes c join grades g on g.school_id = c.school_id and g.id = c.grade_id
      where c.school_id = ${schoolId} and c.id = ${classId}`)
    return rows[0]!
  }
  const YEAR = '2026-2027'
  const before = await state()

  t.test('only the school admin may preview, apply, list or undo', async (t) => {
    for (const who of [psych, homeroom9, monitor8, district, w.mentor] as Caller[]) {
      t.equal((await call(who, 'POST', '/api/v1/school-year/rollover/preview', { schoolYear: YEAR })).statusCode, 403)
      t.equal((await call(who, 'POST', '/api/v1/school-year/rollover', { schoolYear: YEAR })).statusCode, 403)
      t.equal((await call(who, 'GET', '/api/v1/school-year/rollovers')).statusCode, 403)
    }
    t.same(await state(), before, 'nothing changed')
  })

  let preview: Record<string, unknown> & { moves: Array<{ classId: string; fromName: string; toName: string; toLevel: number; students: number }> }
  t.test('the preview says what would change, and writes nothing', async (t) => {
    const res = await call(admin, 'POST', '/api/v1/school-year/rollover/preview', { schoolYear: YEAR })
    t.equal(res.statusCode, 200, res.body)
    const p = res.json()
    t.same(p.stages, [{ entry: 7, top: 9 }])
    const names = p.moves.map((m: { fromName: string; toName: string }) => `${m.fromName}→${m.toName}`).sort()
    t.same(names, ['七年级(1)班→八年级(1)班', '七年级(2)班→八年级(2)班', '八年级(1)班→九年级(1)班', '八年级(2)班→九年级(2)班', '实验班→实验班'].sort())
    t.same(p.graduations.map((g: { name: string; students: number }) => [g.name, g.students]), [['九年级(1)班', 3], ['九年级(2)班', 2]], 'the leaver is not counted')
    t.equal(p.graduatingStudents, 5)
    t.same(p.entryDefaults, [{ level: 7, name: '七年级', count: 2 }])
    t.same(p.entryClasses.map((e: { name: string }) => e.name), ['七年级(1)班', '七年级(2)班'], 'by default as many entry classes as now')
    t.same(p.newGrades, [])
    t.same(p.grantsEnding.map((g: { role: string; className: string; userId: string }) => [g.className, g.role, g.userId]).sort(), [
      ['七年级(1)班', 'homeroom_teacher', homeroom7.id], ['九年级(1)班', 'homeroom_teacher', homeroom9.id], ['八年级(1)班', 'peer_monitor', monitor8.id],
    ].sort())
    const three = await call(admin, 'POST', '/api/v1/school-year/rollover/preview', { schoolYear: YEAR, entryClasses: [{ level: 7, count: 3 }] })
    t.same(three.json().entryClasses.map((e: { name: string }) => e.name), ['七年级(1)班', '七年级(2)班', '七年级(3)班'])
    preview = three.json()
    t.equal((await call(admin, 'POST', '/api/v1/school-year/rollover/preview', { schoolYear: '2026-2028' })).statusCode, 400, 'a school year is two consecutive years')
    t.equal((await call(admin, 'POST', '/api/v1/school-year/rollover/preview', { entryClasses: [{ level: 7, count: 99 }] })).statusCode, 400)
    const notEntry = await call(admin, 'POST', '/api/v1/school-year/rollover/preview', { schoolYear: YEAR, entryClasses: [{ level: 8, count: 2 }] })
    t.equal(notEntry.statusCode, 400)
    t.match(notEntry.json(), { code: 'rollover_not_entry_grade', message: /八年级不是起始年级.*七年级/ })
    t.same(await state(), before, 'the preview wrote nothing')
  })

  let rolloverId = ''
  t.test('apply: the preview is what happens, in one audited transaction', async (t) => {
    const seqBefore = Number((await queryRows<{ s: string | null }>(db, sql`select max(seq) as s from audit_log`))[0]!.s ?? 0)
    const res = await call(admin, 'POST', '/api/v1/school-year/rollover', { schoolYear: YEAR, entryClasses: [{ level: 7, count: 3 }] })
    t.equal(res.statusCode, 201, res.body)
    const { id, ...applied } = res.json()
    rolloverId = id
    t.same(applied, preview, 'the apply did what the preview said')

    // Classes moved up a grade and kept their ids; names made from the grade follow it.
    t.match(await levelOf(cls['七年级(1)班']!), { level: 8, name: '八年级(1)班', ended_at: null })
    t.match(await levelOf(cls['七年级(2)班']!), { level: 8, name: '八年级(2)班', ended_at: null })
    t.match(await levelOf(cls['八年级(1)班']!), { level: 9, name: '九年级(1)班', ended_at: null })
    t.match(await levelOf(cls['实验班']!), { level: 9, name: '实验班', ended_at: null })
    // 九年级 graduated: class kept, ended; pupils 已毕业 in the same class; the leaver untouched.
    for (const name of ['九年级(1)班', '九年级(2)班']) {
      const c = await levelOf(cls[name]!)
      t.equal(c.level, 9)
      t.equal(c.name, name, 'a graduated class keeps its name for its records')
      t.not(c.ended_at, null)
    }
    const grads = await db.select().from(students).where(and(eq(students.schoolId, schoolId), eq(students.status, 'graduated')))
    t.same(grads.map((s) => s.id).sort(), [...pupils['九年级(1)班']!, ...pupils['九年级(2)班']!].sort())
    t.ok(grads.every((s) => s.leftAt !== null && s.classId !== null))
    t.match((await db.select().from(students).where(eq(students.id, leaver)))[0], { status: 'left', leftAt: '2026-03-01' })
    const stillEnrolled = await db.select().from(students).where(and(eq(students.schoolId, schoolId), eq(students.status, 'enrolled')))
    t.equal(stillEnrolled.length, 7, 'the other pupils stay enrolled in their (moved) classes')
    t.ok(stillEnrolled.every((s) => before.students.find((b) => b.id === s.id)!.classId === s.classId))

    // Entry classes: three new 七年级 classes; no new grade was needed.
    const seventh = await db.select().from(classes).where(and(eq(classes.schoolId, schoolId), eq(classes.gradeId, grade[7]!), isNull(classes.endedAt))).orderBy(asc(classes.seq))
    t.same(seventh.map((c) => c.name), ['七年级(1)班', '七年级(2)班', '七年级(3)班'])
    t.ok(seventh.every((c) => !Object.values(cls).includes(c.id)), 'they are new classes')
    t.equal((await db.select().from(grades).where(eq(grades.schoolId, schoolId))).length, 3)

    // Grants of the old classes ended; the others stay.
    const grants = await db.select().from(userRoles).where(eq(userRoles.schoolId, schoolId))
    t.same(grants.filter((g) => g.classId !== null), [], 'no homeroom or monitor grant is left on an old class')
    t.same(grants.map((g) => g.role).sort(), ['mentor', 'psych_teacher', 'school_admin'])

    // The school's class list shows the current classes only.
    const list = await call(admin, 'GET', '/api/v1/classes?limit=500')
    t.equal(list.json().total, 8)
    t.notOk(list.json().items.some((c: { id: string }) => c.id === cls['九年级(1)班']), 'a graduated class is not a current class')
    // The former 九年级(1)班 homeroom teacher no longer reaches the class's pupils.
    const theirs = await call(homeroom9, 'GET', `/api/v1/students/${pupils['九年级(1)班']![0]}`)
    t.equal(theirs.statusCode, 404)

    // Audit: one row per kind of record changed, ids only, and the rollover's own row last.
    const rows = await queryRows<{ action: string; resource: string; record_ids: string[]; student_ids: string[]; actor_id: string }>(db, sql`
      select action, resource, record_ids, student_ids, actor_id from audit_log where seq > ${seqBefore} and action <> 'R' and actor_id = ${admin.id} order by seq`)
    t.same(rows.map((r) => `${r.action} ${r.resource}`), ['U classes', 'C classes', 'U students', 'D user_roles', 'C school_year_rollovers'])
    t.ok(rows.every((r) => r.actor_id === admin.id))
    t.equal(rows[0]!.record_ids.length, 7, 'five moved and two graduated classes')
    t.same(rows[2]!.student_ids.slice().sort(), grads.map((s) => s.id).sort())
    t.same(rows[3]!.record_ids.slice().sort(), before.grants.filter((g) => g.classId !== null).map((g) => g.id).sort())
    t.same(rows[4]!.record_ids, [rolloverId])
  })

  t.test('a second rollover for the same school year is refused', async (t) => {
    const again = await call(admin, 'POST', '/api/v1/school-year/rollover', { schoolYear: YEAR })
    t.equal(again.statusCode, 409)
    t.equal(again.json().code, 'rollover_done')
    t.match(again.json().message, /2026-2027/)
    t.equal((await call(admin, 'POST', '/api/v1/school-year/rollover/preview', { schoolYear: YEAR })).statusCode, 409)
  })

  t.test('the list shows the rollover and that it can still be undone', async (t) => {
    const res = await call(admin, 'GET', '/api/v1/school-year/rollovers')
    t.equal(res.statusCode, 200)
    t.match(res.json().items, [{ id: rolloverId, schoolYear: YEAR, undoneAt: null, summary: { moved: 5, graduatedClasses: 2, graduatedStudents: 5, entryClasses: 3, grantsEnded: 3 }, undo: { allowed: true } }])
    t.equal(res.json().total, 1)
    t.equal((await call(w.adminB, 'GET', '/api/v1/school-year/rollovers')).json().total, 0, 'another school sees none')
  })

  t.test('undo restores every class, pupil and grant exactly', async (t) => {
    t.equal((await call(w.adminB, 'POST', `/api/v1/school-year/rollovers/${rolloverId}/undo`)).statusCode, 404, 'another school\'s admin')
    t.equal((await call(psych, 'POST', `/api/v1/school-year/rollovers/${rolloverId}/undo`)).statusCode, 404)
    const res = await call(admin, 'POST', `/api/v1/school-year/rollovers/${rolloverId}/undo`)
    t.equal(res.statusCode, 200, res.body)
    t.not(res.json().undoneAt, null)
    const after = await state()
    // updatedAt of the graduated pupils moved on; everything else is as it was.
    const strip = (s: typeof before) => ({ ...s, students: s.students.map(({ updatedAt: _u, ...r }) => r) })
    t.same(strip(after), strip(before))
    t.equal((await call(homeroom9, 'GET', `/api/v1/students/${pupils['九年级(1)班']![0]}`)).statusCode, 200, 'the homeroom grant is back')
    const again = await call(admin, 'POST', `/api/v1/school-year/rollovers/${rolloverId}/undo`)
    t.equal(again.statusCode, 409)
    t.equal(again.json().code, 'rollover_undone')
  })

  t.test('after an undo the year can be rolled over again; a new record closes the undo', async (t) => {
    const res = await call(admin, 'POST', '/api/v1/school-year/rollover', { schoolYear: YEAR })
    t.equal(res.statusCode, 201, res.body)
    const id = res.json().id as string
    t.equal(res.json().entryClasses.length, 2)
    // The first record of the new year: a new pupil in the new 七年级(1)班.
    const newSeventh = (await db.select().from(classes).where(and(eq(classes.schoolId, schoolId), eq(classes.gradeId, grade[7]!), eq(classes.seq, 1), isNull(classes.endedAt))))[0]!
    const pupil = await call(admin, 'POST', '/api/v1/students', { studentNo: `N${rid()}`, name: '新生', gender: 'F', classId: newSeventh.id })
    t.equal(pupil.statusCode, 201, pupil.body)
    const snap = await state()
    const undo = await call(admin, 'POST', `/api/v1/school-year/rollovers/${id}/undo`)
    t.equal(undo.statusCode, 409)
    t.equal(undo.json().code, 'rollover_locked')
    t.match(undo.json().message, /不能再撤销/)
    const en = await call(admin, 'POST', `/api/v1/school-year/rollovers/${id}/undo`, undefined, { 'accept-language': 'en' })
    t.match(en.json().message, /can no longer be undone/)
    t.same(await state(), snap, 'the refused undo changed nothing')
    const list = (await call(admin, 'GET', '/api/v1/school-year/rollovers')).json()
    t.equal(list.total, 2)
    t.match(list.items[0], { id, undo: { allowed: false, reason: 'rollover_locked', message: /不能再撤销/ } })
    t.match(list.items[1], { id: rolloverId, undo: { allowed: false, reason: 'rollover_undone' } })
  })

  t.test('a second year end: last year\'s 八年级 graduates now', async (t) => {
    const res = await call(admin, 'POST', '/api/v1/school-year/rollover/preview', { schoolYear: '2027-2028' })
    t.equal(res.statusCode, 200)
    t.same(res.json().graduations.map((g: { classId: string }) => g.classId).sort(), [cls['八年级(1)班'], cls['八年级(2)班'], cls['实验班']].sort())
    // Two admins pressing the button at once: one rollover, one 409.
    const both = await Promise.all([1, 2].map(() => call(admin, 'POST', '/api/v1/school-year/rollover', { schoolYear: '2027-2028' })))
    t.same(both.map((r) => r.statusCode).sort(), [201, 409])
    const grads = await db.select({ id: students.id }).from(students).where(and(eq(students.schoolId, schoolId), eq(students.status, 'graduated')))
    t.equal(grads.length, 5 + 4, 'last year\'s graduates and this year\'s (八年级(1)班 2, 八年级(2)班 1, 实验班 1)')
  })

  t.test('a school that has not opened its top grade yet: nobody graduates, the next grade is made', async (t) => {
    // School A of the world has only 七年级: its classes move to a new 八年级.
    const res = await call(w.admin, 'POST', '/api/v1/school-year/rollover/preview', { schoolYear: YEAR })
    t.equal(res.statusCode, 200)
    t.same(res.json().graduations, [])
    t.same(res.json().newGrades, [{ level: 8, name: '八年级' }])
    t.same(res.json().moves.map((m: { toName: string }) => m.toName), ['八年级(1)班', '八年级(2)班'])
  })
})
