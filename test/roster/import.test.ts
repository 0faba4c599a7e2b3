import t from '../helpers/tap.js'
import ExcelJS from 'exceljs'
import { and, eq, sql } from 'drizzle-orm'
import { classes, grades, guardians, students } from '../../db/schema/index.js'
import { queryRows } from '../../src/db/database.js'
import { parseClassCell, parseGradeLevel } from '../../src/modules/roster/grade-names.js'
import { XLSX_TYPE } from '../../src/modules/roster/import.js'
import { rosterWorld, type RosterWorld } from './fixtures.js'
import { deflated, unzip, zip } from '../imports/spreadsheet-files.js'

const HEADER = '姓名,学号,性别,出生日期,年级,班级,监护人,联系电话,关系'
const ROWS = [
  '张三,2026070101,男,2013-05-01,七年级,1班,张父,13800000001,父亲',
  '李四,2026070102,女,2013/9/3,初一,(2)班,李母,13800000002,母亲',
  '王五,2026080101,男,2012-01-15,8,八年级(1)班,王父,13800000003,',
  '赵六,2026100101,女,2010-07-07,高一,（3）班,,,',
]
const csv = (rows: string[], header = HEADER) => '\uFEFF' + [header, ...rows].join('\r\n') + '\r\n'

function importAs(w: RosterWorld, who: RosterWorld['admin'], body: string | Buffer, type = 'text/csv; charset=utf-8', lang?: string) {
  return w.call(who, 'POST', '/api/v1/students/import', body, { 'content-type': type, ...(lang ? { 'accept-language': lang } : {}) })
}

async function schoolStudents(w: RosterWorld, schoolId: string) {
  return w.database.db.select().from(students).where(eq(students.schoolId, schoolId))
}

async function xlsxOf(rows: Array<Array<string | number | Date | null>>, header = HEADER.split(',')): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('名册')
  ws.addRow(header)
  for (const r of rows) ws.addRow(r)
  return Buffer.from(await wb.xlsx.writeBuffer() as unknown as ArrayBuffer)
}

t.test('grade and class cells', async (t) => {
  for (const [s, level] of [['七年级', 7], ['初一', 7], ['7', 7], ['7年级', 7], ['高一', 10], ['高三', 12], ['高中二年级', 11], ['一年级', 1], ['小学六年级', 6], ['九年级', 9], ['初三', 9], ['１２', 12]] as const) {
    t.equal(parseGradeLevel(s), level, s)
  }
  for (const s of ['十三年级', '0', '13', '大一', '', '初四']) t.equal(parseGradeLevel(s), null, `not a grade: ${s}`)
  for (const [s, seq, lvl] of [['1班', 1, null], ['(1)班', 1, null], ['（12）班', 12, null], ['七年级(1)班', 1, 7], ['初一3班', 3, 7], ['1', 1, null], ['01', 1, null], ['一班', 1, null], ['十一班', 11, null], ['高一(2)班', 2, 10]] as const) {
    t.same(parseClassCell(s), { seq, gradeLevel: lvl }, s)
  }
  for (const s of ['班', '0班', 'A班', '100班', '实验班']) t.equal(parseClassCell(s), null, `not a class: ${s}`)
})

t.test('roster import and export', async (t) => {
  const w = await rosterWorld()
  const { A, B, admin, adminB, homeroom, psych } = w

  t.test('CSV with Chinese headers creates students, guardians, grades and classes; one audit row', async (t) => {
    const before = await w.auditCount()
    const res = await importAs(w, admin, csv(ROWS))
    t.equal(res.statusCode, 200, res.body)
    t.same(res.json(), { created: 4, updated: 0, unchanged: 0, rows: 4 })
    t.equal(await w.auditCount(), before + 1, 'one audit row for the whole import')
    const audit = await w.lastAudit()
    t.match(audit, { action: 'C', resource: 'students', outcome: 'ok' })
    t.equal(audit.record_ids.length, 4)
    t.same([...audit.student_ids].sort(), [...audit.record_ids].sort(), 'ids only')

    const all = await schoolStudents(w, A.schoolId)
    const byNo = new Map(all.map((s) => [s.studentNo, s]))
    t.match(byNo.get('2026070101'), { name: '张三', gender: 'M', birthDate: '2013-05-01', classId: A.classIds[0], status: 'enrolled' })
    t.match(byNo.get('2026070102'), { name: '李四', gender: 'F', birthDate: '2013-09-03', classId: A.classIds[1] })
    const levels = (await w.database.db.select().from(grades).where(eq(grades.schoolId, A.schoolId))).map((g) => [g.level, g.name]).sort()
    t.same(levels, [[10, '高一'], [7, '七年级'], [8, '八年级']].sort(), 'grades 8 and 10 were created with their usual names')
    const wang = byNo.get('2026080101')!
    const klass = (await w.database.db.select().from(classes).where(eq(classes.id, wang.classId)))[0]!
    t.match(klass, { name: '八年级(1)班', seq: 1 })
    const zhao = byNo.get('2026100101')!
    t.match((await w.database.db.select().from(classes).where(eq(classes.id, zhao.classId)))[0], { name: '高一(3)班', seq: 3 })
    const gs = await w.database.db.select().from(guardians).where(eq(guardians.schoolId, A.schoolId))
    t.equal(gs.length, 3, 'a row without a guardian makes none')
    t.match(gs.find((g) => g.studentId === byNo.get('2026070101')!.id), { name: '张父', relation: '父亲', phone: '13800000001', isPrimary: true })
    t.match(gs.find((g) => g.studentId === wang.id), { relation: '监护人' })
  })

  t.test('the same file twice changes nothing; a changed row is an update', async (t) => {
    const again = await importAs(w, admin, csv(ROWS))
    t.same(again.json(), { created: 0, updated: 0, unchanged: 4, rows: 4 })
    t.equal((await schoolStudents(w, A.schoolId)).length, 4, 'no duplicates')
    t.equal((await w.database.db.select().from(guardians).where(eq(guardians.schoolId, A.schoolId))).length, 3)

    const changed = [...ROWS]
    changed[0] = '张三,2026070101,男,2013-05-01,七年级,2班,张父,13900000009,父亲'
    changed[1] = '李四,2026070102,女,2013/9/3,初一,(2)班,李父,13800000012,父亲'
    const before = await w.auditCount()
    const res = await importAs(w, admin, csv(changed))
    t.same(res.json(), { created: 0, updated: 2, unchanged: 2, rows: 4 })
    const zhang = (await w.database.db.select().from(students).where(and(eq(students.schoolId, A.schoolId), eq(students.studentNo, '2026070101'))))[0]!
    t.equal(zhang.classId, A.classIds[1], 'moved class')
    const zg = await w.database.db.select().from(guardians).where(eq(guardians.studentId, zhang.id))
    t.same(zg.map((g) => g.phone), ['13900000009'], 'guardian upserted by (student, name)')
    const li = (await w.database.db.select().from(students).where(eq(students.studentNo, '2026070102')))[0]!
    const lg = await w.database.db.select().from(guardians).where(eq(guardians.studentId, li.id))
    t.same(lg.map((g) => [g.name, g.isPrimary]).sort(), [['李母', true], ['李父', false]], 'a second guardian is added, not primary')
    t.equal(await w.auditCount(), before + 1)
    t.same([...(await w.lastAudit()).record_ids].sort(), [zhang.id, li.id].sort(), 'the audit names the affected students only')
  })

  t.test('xlsx with an Excel date and a numeric 学号; 状态 column', async (t) => {
    const file = await xlsxOf([
      ['孙七', 2026070201, '女', new Date(Date.UTC(2013, 1, 28)), '七年级', '七年级(1)班', '孙母', 13700000001, '母亲', '在读'],
      ['周八', '2026070202', '男', '2013/2/1', 7, 1, '周父', '137 0000 0002', '', '离校'],
    ], [...HEADER.split(','), '状态'])
    const res = await importAs(w, admin, file, XLSX_TYPE)
    t.equal(res.statusCode, 200, res.body)
    t.same(res.json(), { created: 2, updated: 0, unchanged: 0, rows: 2 })
    const sun = (await w.database.db.select().from(students).where(eq(students.studentNo, '2026070201')))[0]!
    t.match(sun, { name: '孙七', birthDate: '2013-02-28', classId: A.classIds[0], status: 'enrolled' })
    const zhou = (await w.database.db.select().from(students).where(eq(students.studentNo, '2026070202')))[0]!
    t.match(zhou, { status: 'left', birthDate: '2013-02-01' })
    const g = (await w.database.db.select().from(guardians).where(eq(guardians.studentId, zhou.id)))[0]!
    t.equal(g.phone, '13700000002')
    const again = await importAs(w, admin, file, XLSX_TYPE)
    t.same(again.json(), { created: 0, updated: 0, unchanged: 2, rows: 2 })
  })

  t.test('GB18030 CSV (Excel on Chinese Windows) is read too', async (t) => {
    const gbk = Buffer.from('d0d5c3fb2cd1a7bac52cd0d4b1f02cb3f6c9fac8d5c6da2cc4eabcb62cb0e0bcb62cbce0bba4c8cb2cc1aacfb5b5e7bbb00ad5d4c1f92c47323032363030312cc4d02c323031322f332f342cb0cbc4eabcb62c33b0e02cd5d4b8b82c31333530303030303030300a', 'hex')
    const res = await importAs(w, admin, gbk)
    t.equal(res.statusCode, 200, res.body)
    t.equal((await w.database.db.select().from(students).where(eq(students.studentNo, 'G2026001')))[0]!.name, '赵六')
  })

  t.test('one bad row rejects the file: rows listed, nothing written, no personal data echoed', async (t) => {
    const bad = [
      '好人,2026090101,男,2012-02-02,九年级,1班,好家长,13600000001,',
      '钱九,2026090102,男,2012-02-30,九年级,1班,钱家长,13600000002,',
      '孙十,2026090103,未知,2012-02-02,九年级,1班,,,',
      '吴一,,男,2012-02-02,九年级,1班,,,',
      '郑二,2026090101,女,2012-02-02,九年级,1班,,,',
      '冯三,2026090105,女,2012-02-02,九年级,8年级1班,冯家长,abc,',
    ]
    const countBefore = (await schoolStudents(w, A.schoolId)).length
    const gradesBefore = (await w.database.db.select().from(grades).where(eq(grades.schoolId, A.schoolId))).length
    const auditBefore = await w.auditCount()
    const res = await importAs(w, admin, csv(bad))
    t.equal(res.statusCode, 422)
    const body = res.json()
    t.equal(body.code, 'import_rejected')
    t.match(body.message, /5/)
    const errs = body.details.errors as Array<{ row: number; field: string; reason: string }>
    t.same(errs.map((e) => [e.row, e.field]), [
      [3, '出生日期'], [4, '性别'], [5, '学号'], [6, '学号'], [7, '班级'], [7, '联系电话'],
    ])
    t.match(errs.find((e) => e.row === 6)!.reason, /第 2 行/, 'the duplicate names the first row')
    t.ok(errs.every((e) => typeof e.reason === 'string' && e.reason.length > 0))
    for (const secret of ['钱九', '孙十', '未知', '冯家长', 'abc', '2026090101', '2012-02-30']) t.notMatch(res.body, secret, `does not echo ${secret}`)
    t.equal((await schoolStudents(w, A.schoolId)).length, countBefore, 'no student written')
    t.equal((await w.database.db.select().from(grades).where(eq(grades.schoolId, A.schoolId))).length, gradesBefore, 'no grade 9 created')
    t.equal(await w.auditCount(), auditBefore + 1)
    t.match(await w.lastAudit(), { action: 'C', outcome: 'rejected' })

    const en = await importAs(w, admin, csv(bad), 'text/csv', 'en')
    t.equal(en.json().details.errors[0].reason, 'Date must be YYYY-MM-DD, YYYY/M/D or an Excel date')
    t.equal(en.json().details.errors[1].reason, 'Gender must be 男 or 女')
  })

  t.test('missing headers, an empty file, an unreadable file, a wrong type', async (t) => {
    const noHeaders = await importAs(w, admin, csv(['张三,2026,男'], '姓名,学籍,性别'))
    t.equal(noHeaders.statusCode, 422)
    t.equal(noHeaders.json().code, 'import_bad_headers')
    t.ok(noHeaders.json().details.missing.includes('学号'))
    t.match(noHeaders.json().message, /学号/)
    const empty = await importAs(w, admin, csv([]))
    t.equal(empty.statusCode, 422)
    t.equal(empty.json().code, 'import_empty')
    const junk = await importAs(w, admin, Buffer.from('PK\u0003\u0004 not really a zip'), XLSX_TYPE)
    t.equal(junk.statusCode, 422)
    t.equal(junk.json().code, 'import_unreadable')
    // A sound archive whose worksheet is broken XML passes the archive checks and fails in the
    // parser: refused as unreadable, and the log says where it failed without quoting the file.
    const entries = unzip(await xlsxOf([['秘密学生', 'S0001', '男', '2013-05-01', '七年级', '1班', '家长', '13800000001', '父亲']]))
    const broken = zip([...entries].map(([name, data]) => deflated(name, name === 'xl/worksheets/sheet1.xml'
      ? Buffer.from('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>秘密学生</t></is></c></rowx></sheetData></worksheet>')
      : data)))
    const logged = w.logs.length
    const damaged = await importAs(w, admin, broken, XLSX_TYPE)
    t.equal(damaged.statusCode, 422)
    t.equal(damaged.json().code, 'import_unreadable')
    const lines = w.logs.slice(logged).filter((l) => l.includes('with where it failed'))
    t.equal(lines.length, 1, 'one log line says where the parse failed')
    t.match(JSON.parse(lines[0] ?? '{}'), { code: 'import_unreadable', cause: /^\w*Error\b.* at \S+:\d+:\d+$/ })
    t.notOk(w.logs.slice(logged).some((l) => l.includes('秘密学生')), 'the file is not quoted in the log')
    t.notOk(JSON.stringify(damaged.json()).includes(JSON.parse(lines[0] ?? '{}').cause), 'nor is where it failed in the answer')
    const json = await w.call(admin, 'POST', '/api/v1/students/import', { rows: [] })
    t.equal(json.statusCode, 415)
    const pdf = await importAs(w, admin, Buffer.from('%PDF'), 'application/pdf')
    t.equal(pdf.statusCode, 415)
  })

  t.test('only the admin imports and exports', async (t) => {
    t.equal((await importAs(w, homeroom, csv(ROWS))).statusCode, 403)
    t.equal((await importAs(w, psych, csv(ROWS))).statusCode, 403)
    t.equal((await w.call(homeroom, 'GET', '/api/v1/students/export.xlsx')).statusCode, 403)
    t.equal((await w.call(psych, 'GET', '/api/v1/students/export.xlsx')).statusCode, 403)
  })

  t.test('export: the school\'s roster as xlsx, audited; importing it back changes nothing', async (t) => {
    await importAs(w, adminB, csv(['外校生,B2026001,男,2013-01-01,七年级,1班,外校家长,13100000000,']))
    const before = await w.auditCount()
    const res = await w.call(admin, 'GET', '/api/v1/students/export.xlsx')
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], XLSX_TYPE)
    t.match(String(res.headers['content-disposition']), /attachment/)
    t.equal(await w.auditCount(), before + 1)
    const audit = await w.lastAudit()
    t.match(audit, { action: 'E', resource: 'students' })
    const mine = await schoolStudents(w, A.schoolId)
    t.same([...audit.record_ids].sort(), mine.map((s) => s.id).sort(), 'the audit row names every exported student')

    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer)
    const ws = wb.worksheets[0]!
    t.same((ws.getRow(1).values as unknown[]).slice(1), ['姓名', '学号', '学籍号', '性别', '出生日期', '年级', '班级', '监护人', '联系电话', '关系', '状态'])
    const rows: string[][] = []
    ws.eachRow((r, n) => { if (n > 1) rows.push((r.values as unknown[]).slice(1).map((v) => (v === undefined || v === null ? '' : String(v)))) })
    t.equal(rows.length, mine.length)
    t.notOk(rows.some((r) => r[0] === '外校生'), 'no student of another school')
    const zhang = rows.find((r) => r[1] === '2026070101')!
    t.same(zhang.slice(0, 7), ['张三', '2026070101', '', '男', '2013-05-01', '七年级', '七年级(2)班'])
    t.equal(zhang[10], '在读')

    const back = await importAs(w, admin, res.rawPayload, XLSX_TYPE)
    t.equal(back.statusCode, 200, back.body)
    t.same(back.json(), { created: 0, updated: 0, unchanged: mine.length, rows: mine.length })
    t.ok(B.schoolId)
  })

  t.test('the import writes through one set-based statement per table, under row-level security', async (t) => {
    const many = Array.from({ length: 300 }, (_, i) => `学生${i},BULK${String(i).padStart(4, '0')},${i % 2 ? '男' : '女'},2013-01-01,七年级,${(i % 2) + 1}班,家长${i},1380000${String(i).padStart(4, '0')},`)
    const started = Date.now()
    const res = await importAs(w, admin, csv(many))
    t.same(res.json(), { created: 300, updated: 0, unchanged: 0, rows: 300 })
    t.ok(Date.now() - started < 20_000)
    const n = await queryRows<{ n: string | number }>(w.database.db, sql`select count(*) as n from students where student_no like 'BULK%' and school_id = ${A.schoolId}`)
    t.equal(Number(n[0]!.n), 300)
  })
})

t.test('over the upload limit → 413 and nothing written', async (t) => {
  const w = await rosterWorld({ UPLOAD_LIMIT_BYTES: 2048 })
  const big = csv(Array.from({ length: 80 }, (_, i) => `学生${i},L${i},男,2013-01-01,七年级,1班,家长,13800000000,`))
  t.ok(Buffer.byteLength(big) > 2048)
  const res = await importAs(w, w.admin, big)
  t.equal(res.statusCode, 413)
  t.equal(res.json().code, 'payload_too_large')
  t.equal((await schoolStudents(w, w.A.schoolId)).length, 0)
  const small = await importAs(w, w.admin, csv(['学生,L1,男,2013-01-01,七年级,1班,家长,13800000000,']))
  t.equal(small.statusCode, 200, 'a file under the limit goes through')
})
