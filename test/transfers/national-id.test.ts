import t from '../helpers/tap.js'
import { and, eq } from 'drizzle-orm'
import { students } from '../../db/schema/index.js'
import { rosterWorld } from '../roster/fixtures.js'

/**
 * 学籍号 (the national student number) on the roster: one per current pupil of a school, the
 * import matches on it before 学号, and a clash is caught before anything is written.
 */
const HEADER = '姓名,学号,学籍号,性别,出生日期,年级,班级,监护人,联系电话'
const csv = (rows: string[]) => '\uFEFF' + [HEADER, ...rows].join('\r\n') + '\r\n'

t.test('学籍号 on the student record and in the roster import', async (t) => {
  const w = await rosterWorld()
  const { A, B, admin, adminB } = w
  const importCsv = (rows: string[], dryRun = false, who = admin) =>
    w.call(who, 'POST', `/api/v1/students/import${dryRun ? '?dryRun=true' : ''}`, csv(rows), { 'content-type': 'text/csv; charset=utf-8' })
  const byNo = async (schoolId: string, studentNo: string) =>
    (await w.database.db.select().from(students).where(and(eq(students.schoolId, schoolId), eq(students.studentNo, studentNo))))[0]

  const first = await importCsv(['张三,S001,g110101201305010011,男,2013-05-01,七年级,1班,,', '李四,S002,G110101201309030022,女,2013-09-03,七年级,1班,,'])
  t.equal(first.statusCode, 200, first.body)
  t.same(first.json(), { created: 2, updated: 0, unchanged: 0, rows: 2 })
  const zhang = (await byNo(A.schoolId, 'S001'))!
  t.equal(zhang.nationalId, 'G110101201305010011', 'stored upper-case')

  t.test('the import matches an existing pupil by 学籍号 before 学号', async (t) => {
    // The school reissued 学号 S001 as S101: the same pupil, not a new one.
    const res = await importCsv(['张三,S101,G110101201305010011,男,2013-05-01,七年级,2班,,'])
    t.equal(res.statusCode, 200, res.body)
    t.same(res.json(), { created: 0, updated: 1, unchanged: 0, rows: 1 })
    const row = (await byNo(A.schoolId, 'S101'))!
    t.equal(row.id, zhang.id, 'the same record, its 学号 changed')
    t.equal(await byNo(A.schoolId, 'S001'), undefined, 'no second record under the old 学号')
  })

  t.test('a 学籍号 held by another current pupil is a row error naming the column, in the preview and the import', async (t) => {
    // 学号 S002 is 李四's; the 学籍号 is 张三's: two pupils, never merged.
    const rows = ['李四,S002,G110101201305010011,女,2013-09-03,七年级,1班,,']
    const preview = await importCsv(rows, true)
    t.equal(preview.statusCode, 200, preview.body)
    const p = preview.json()
    t.equal(p.badRows, 1)
    t.equal(p.toCreate + p.toUpdate, 0, 'nothing would be written')
    t.match(p.errors, [{ row: 2, field: '学籍号', reason: /学籍号.*另一名在读学生/ }])
    const res = await importCsv(rows)
    t.equal(res.statusCode, 422)
    t.equal(res.json().code, 'import_rejected')
    t.match(res.json().details.errors, [{ row: 2, field: '学籍号' }])
    t.equal((await byNo(A.schoolId, 'S002'))!.nationalId, 'G110101201309030022', 'nothing written')
  })

  t.test('the same 学籍号 twice in one file names the first row', async (t) => {
    const res = await importCsv(['甲,S010,G220101201305010011,男,2013-05-01,七年级,1班,,', '乙,S011,G220101201305010011,女,2013-05-01,七年级,1班,,'], true)
    t.equal(res.statusCode, 200, res.body)
    t.match(res.json().errors, [{ row: 3, field: '学籍号', reason: /第 2 行/ }])
  })

  t.test('create and update answer 409 naming 学籍号 when another current pupil holds it', async (t) => {
    const classId = A.classIds[0]
    const dup = await w.call(admin, 'POST', '/api/v1/students', { studentNo: 'S020', name: '赵六', gender: 'F', classId, nationalId: 'G110101201309030022' })
    t.equal(dup.statusCode, 409, dup.body)
    t.equal(dup.json().code, 'duplicate')
    t.same(dup.json().details.fields, ['nationalId'])
    t.match(dup.json().message, /学籍号/)
    const ok = await w.call(admin, 'POST', '/api/v1/students', { studentNo: 'S020', name: '赵六', gender: 'F', classId, nationalId: 'G330101201309030099' })
    t.equal(ok.statusCode, 201, ok.body)
    t.equal(ok.json().nationalId, 'G330101201309030099')
    const patch = await w.call(admin, 'PATCH', `/api/v1/students/${ok.json().id}`, { nationalId: 'G110101201309030022' })
    t.equal(patch.statusCode, 409)
    t.same(patch.json().details.fields, ['nationalId'])
    const bad = await w.call(admin, 'PATCH', `/api/v1/students/${ok.json().id}`, { nationalId: '学籍-1' })
    t.equal(bad.statusCode, 400)
    // A former pupil's number may be held again (only current pupils are unique).
    const li = (await byNo(A.schoolId, 'S002'))!
    t.equal((await w.call(admin, 'PATCH', `/api/v1/students/${li.id}`, { status: 'left', leftAt: '2026-09-01' })).statusCode, 200)
    t.equal((await w.call(admin, 'PATCH', `/api/v1/students/${ok.json().id}`, { nationalId: 'G110101201309030022' })).statusCode, 200)
  })

  t.test('another school may hold the same 学籍号 (the pupil moved there)', async (t) => {
    const res = await w.call(adminB, 'POST', '/api/v1/students', { studentNo: 'B001', name: '张三', gender: 'M', classId: B.classIds[0], nationalId: 'G110101201305010011' })
    t.equal(res.statusCode, 201, res.body)
  })

  t.test('the template and the export carry the 学籍号 column', async (t) => {
    const tpl = await w.call(admin, 'GET', '/api/v1/students/import-template.csv')
    t.equal(tpl.statusCode, 200)
    t.match(tpl.body.split('\r\n')[0], /学号,学籍号/)
  })
})
