import t from '../helpers/tap.js'
import ExcelJS from 'exceljs'
import { eq, sql } from 'drizzle-orm'
import { classes, grades, guardians, students } from '../../db/schema/index.js'
import { queryRows } from '../../src/db/database.js'
import { ROSTER_COLUMNS, XLSX_TYPE } from '../../src/modules/roster/import.js'
import { rosterWorld, type Caller, type RosterWorld } from './fixtures.js'

/** The roster import's preview (?dryRun=true) and its template . */

const HEADER = '姓名,学号,性别,出生日期,年级,班级,监护人,联系电话,关系'
const csv = (rows: string[], header = HEADER) => '\uFEFF' + [header, ...rows].join('\r\n') + '\r\n'

interface Preview {
  rows: number; toCreate: number; toUpdate: number; unchanged: number; badRows: number; truncated: boolean
  errors: Array<{ row: number; field: string; label: string; reason: string }>
}

function post(w: RosterWorld, who: Caller, body: string | Buffer, opts: { dryRun?: boolean; type?: string; lang?: string } = {}) {
  const url = `/api/v1/students/import${opts.dryRun ? '?dryRun=true' : ''}`
  return w.call(who, 'POST', url, body, { 'content-type': opts.type ?? 'text/csv; charset=utf-8', ...(opts.lang ? { 'accept-language': opts.lang } : {}) })
}

/** Every table an import writes, counted for one school, plus the audit log. */
async function footprint(w: RosterWorld, schoolId: string) {
  const n = async (table: typeof students | typeof guardians | typeof grades | typeof classes) =>
    (await w.database.db.select().from(table).where(eq(table.schoolId, schoolId))).length
  const updatedAt = (await queryRows<{ m: string | null }>(w.database.db, sql`select max(updated_at)::text as m from students where school_id = ${schoolId}`))[0]!.m
  return { students: await n(students), guardians: await n(guardians), grades: await n(grades), classes: await n(classes), audit: await w.auditCount(), updatedAt }
}

t.test('roster import preview and template', async (t) => {
  const w = await rosterWorld()
  const { A, admin, psych, homeroom } = w

  // Two students on file to compare against.
  const seed = await post(w, admin, csv([
    '陈一,2026070301,男,2013-03-01,七年级,1班,陈父,13800000301,父亲',
    '林二,2026070302,女,2013-03-02,七年级,1班,林母,13800000302,母亲',
  ]))
  t.equal(seed.statusCode, 200, seed.body)

  t.test('a preview counts what an import would do and writes nothing', async (t) => {
    const file = csv([
      '陈一,2026070301,男,2013-03-01,七年级,1班,陈父,13800000301,父亲', // unchanged
      '林二,2026070302,女,2013-03-02,七年级,2班,林母,13800000302,母亲', // moves class: an update
      '新三,2026110301,男,2011-05-05,高二,4班,新父,13800000303,父亲', // new, in a grade and class the school lacks
      '新四,2026110302,女,2011-06-06,高二,4班,,,', // new
    ])
    const before = await footprint(w, A.schoolId)
    const res = await post(w, admin, file, { dryRun: true })
    t.equal(res.statusCode, 200, res.body)
    t.same(res.json(), { rows: 4, toCreate: 2, toUpdate: 1, unchanged: 1, badRows: 0, errors: [], truncated: false })
    t.same(await footprint(w, A.schoolId), before, 'no student, guardian, grade, class or audit row written; nothing updated')

    // The import itself then does exactly what the preview said.
    const done = await post(w, admin, file)
    t.same(done.json(), { created: 2, updated: 1, unchanged: 1, rows: 4 })
    const after = await footprint(w, A.schoolId)
    t.equal(after.students, before.students + 2)
    t.equal(after.grades, before.grades + 1, 'the import (not the preview) created 高二')
  })

  t.test('every bad row is listed with its row number and a reason naming the column; the good rows are counted', async (t) => {
    const file = csv([
      '好人,2026090401,男,2012-02-02,九年级,1班,好家长,13600000001,', // row 2: good
      '钱九,2026090402,男,2012-02-30,九年级,1班,钱家长,13600000002,', // row 3: date
      '', // row 4: blank, skipped but counted in the numbering
      '孙十,2026090403,未知,2012-02-02,九年级,1班,,,', // row 5: gender
      '吴一,,男,2012-02-02,九年级,1班,,,', // row 6: 学号 missing
      '郑二,2026090401,女,2012-02-02,九年级,1班,,,', // row 7: duplicate of row 2
      '冯三,2026090405,女,2012-02-02,九年级,8年级1班,冯家长,abc,', // row 8: class and phone
      '好人二,2026090406,女,2012-03-03,九年级,2班,,,', // row 9: good
    ])
    const before = await footprint(w, A.schoolId)
    const res = await post(w, admin, file, { dryRun: true })
    t.equal(res.statusCode, 200, res.body)
    const p = res.json<Preview>()
    t.match(p, { rows: 7, toCreate: 2, toUpdate: 0, unchanged: 0, badRows: 5, truncated: false })
    t.same(p.errors.map((e) => [e.row, e.field]), [[3, '出生日期'], [5, '性别'], [6, '学号'], [7, '学号'], [8, '班级'], [8, '联系电话']])
    for (const e of p.errors) {
      t.equal(e.label, e.field, 'in Chinese the label is the header')
      t.ok(e.reason.startsWith(`${e.field}：`), `row ${e.row}: the reason names its column: ${e.reason}`)
    }
    t.match(p.errors.find((e) => e.row === 7)!.reason, /第 2 行/, 'the duplicate names the first row')
    for (const secret of ['钱九', '孙十', '未知', '冯家长', 'abc', '2026090401', '2012-02-30']) t.notMatch(res.body, secret, `does not echo ${secret}`)
    t.same(await footprint(w, A.schoolId), before, 'nothing written (no grade 9 either)')

    const en = (await post(w, admin, file, { dryRun: true, lang: 'en' })).json<Preview>()
    t.same(en.errors.slice(0, 2).map((e) => [e.row, e.label, e.reason]), [
      [3, 'Date of birth', 'Date of birth: Date must be YYYY-MM-DD, YYYY/M/D or an Excel date'],
      [5, 'Gender', 'Gender: Gender must be 男 or 女'],
    ])
    t.same(en.errors.map((e) => e.field), p.errors.map((e) => e.field), 'the column stays as headed in the file')

    // The same file without ?dryRun is refused whole, as before.
    const real = await post(w, admin, file)
    t.equal(real.statusCode, 422)
    t.equal(real.json().code, 'import_rejected')
  })

  t.test('a preview of only bad rows, of bad headers, of an empty file', async (t) => {
    const allBad = (await post(w, admin, csv(['甲,,男,2012-01-01,九年级,1班,,,']), { dryRun: true })).json<Preview>()
    t.match(allBad, { rows: 1, toCreate: 0, badRows: 1 })
    t.same(allBad.errors.map((e) => [e.row, e.field]), [[2, '学号']])
    const headers = await post(w, admin, csv(['张三,2026,男'], '姓名,学籍,性别'), { dryRun: true })
    t.equal(headers.statusCode, 422)
    t.equal(headers.json().code, 'import_bad_headers')
    t.match(headers.json().message, /学号/)
    const empty = await post(w, admin, csv([]), { dryRun: true })
    t.equal(empty.statusCode, 422)
    t.equal(empty.json().code, 'import_empty')
  })

  t.test('more bad rows than are listed: the count covers them all', async (t) => {
    const rows = Array.from({ length: 620 }, (_, i) => `学生${i},X${i},不详,2012-01-01,七年级,1班,,,`)
    const p = (await post(w, admin, csv(rows), { dryRun: true })).json<Preview>()
    t.equal(p.badRows, 620)
    t.equal(p.rows, 620)
    t.equal(p.errors.length, 500)
    t.equal(p.truncated, true)
    t.equal(p.errors[0]!.row, 2)
    t.equal(p.errors[499]!.row, 501)
  })

  t.test('the .xlsx template: Chinese headers, one example row, imports as it is', async (t) => {
    const res = await w.call(admin, 'GET', '/api/v1/students/import-template.xlsx')
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], XLSX_TYPE)
    t.match(String(res.headers['content-disposition']), /attachment;.*filename\*=UTF-8''%E5%AD%A6%E7%94%9F%E5%90%8D%E5%86%8C/)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer)
    const ws = wb.worksheets[0]!
    const header = (ws.getRow(1).values as unknown[]).slice(1)
    t.same(header, ROSTER_COLUMNS.map((c) => c.header), 'the importer\'s headers, in its order')
    t.equal(ws.actualRowCount, 2, 'the header and one example row')
    t.equal(wb.worksheets.length, 2, 'a second sheet explains the columns')
    t.match(String(wb.worksheets[1]!.getCell('C3').value), /学号|字母/)

    const before = await footprint(w, A.schoolId)
    const preview = (await post(w, admin, res.rawPayload, { dryRun: true, type: XLSX_TYPE })).json<Preview>()
    t.match(preview, { rows: 1, badRows: 0, toCreate: 1 })
    const imported = await post(w, admin, res.rawPayload, { type: XLSX_TYPE })
    t.same(imported.json(), { created: 1, updated: 0, unchanged: 0, rows: 1 }, 'the example row imports')
    t.equal((await footprint(w, A.schoolId)).students, before.students + 1)
    const example = (await w.database.db.select().from(students).where(eq(students.studentNo, String(ws.getCell('B2').value))))[0]
    t.match(example, { name: String(ws.getCell('A2').value), schoolId: A.schoolId, status: 'enrolled' })

    const en = await w.call(admin, 'GET', '/api/v1/students/import-template.xlsx', undefined, { 'accept-language': 'en' })
    const wbEn = new ExcelJS.Workbook()
    await wbEn.xlsx.load(en.rawPayload as unknown as ExcelJS.Buffer)
    t.same((wbEn.worksheets[0]!.getRow(1).values as unknown[]).slice(1), header, 'headers stay Chinese in English')
    t.equal(wbEn.worksheets[1]!.name, 'How to fill in')
  })

  t.test('the CSV template: UTF-8 with a BOM, the same headers, reads back through the importer', async (t) => {
    const res = await w.call(admin, 'GET', '/api/v1/students/import-template.csv')
    t.equal(res.statusCode, 200)
    t.match(String(res.headers['content-type']), /^text\/csv/)
    const text = res.body
    t.equal(text.charCodeAt(0), 0xfeff)
    const lines = text.slice(1).trim().split(/\r\n/)
    t.equal(lines.length, 2)
    t.same(lines[0]!.split(','), ROSTER_COLUMNS.map((c) => c.header))
    const preview = (await post(w, admin, text, { dryRun: true })).json<Preview>()
    // The .xlsx example was imported just before: the same row is now on file, unchanged.
    t.match(preview, { rows: 1, badRows: 0, toCreate: 0, unchanged: 1 })
  })

  t.test('only who may import previews or downloads the template', async (t) => {
    for (const who of [psych, homeroom]) {
      t.equal((await post(w, who, csv(['甲,2026,男,,七年级,1班,,,']), { dryRun: true })).statusCode, 403)
      t.equal((await w.call(who, 'GET', '/api/v1/students/import-template.xlsx')).statusCode, 403)
      t.equal((await w.call(who, 'GET', '/api/v1/students/import-template.csv')).statusCode, 403)
    }
  })
})
