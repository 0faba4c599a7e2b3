import t from '../helpers/tap.js'
import ExcelJS from 'exceljs'
import { XLSX_TYPE } from '../../src/modules/roster/import.js'
import { GAD7_ID, openCampaign, PHQA_ID, screeningWorld, type ScreeningWorld } from './fixtures.js'

const xlsxBody = (res: { rawPayload: Buffer }) => res.rawPayload

/** Uploads without wait (as the web client does) and polls the job until it ends. */
async function importAndWait(w: ScreeningWorld, campaignId: string, body: string | Buffer, type: string, lang = 'zh-CN') {
  const res = await w.call(w.psych, 'POST', `/api/v1/screening/campaigns/${campaignId}/import`, body, { 'content-type': type, 'accept-language': lang })
  if (res.statusCode !== 202) throw new Error(`import answered ${res.statusCode} ${res.body}`)
  let job = res.json()
  for (let i = 0; i < 200 && job.status === 'running'; i++) {
    await new Promise((r) => setTimeout(r, 50))
    job = (await w.call(w.psych, 'GET', `/api/v1/screening/imports/${job.id as string}`)).json()
  }
  return job
}

t.test('a refused header names what the file should have and what it had', async (t) => {
  const w = await screeningWorld()
  const c = await openCampaign(w, w.psych, [GAD7_ID])
  const s = await w.pupil(w.A, w.A.classIds[0])
  const expected = ['学号', '姓名', 'GAD1', 'GAD2', 'GAD3', 'GAD4', 'GAD5', 'GAD6', 'GAD7', '测评日期']

  t.test('no 学号 column (a roster file by mistake)', async (t) => {
    const job = await importAndWait(w, c.id, `姓名,班级\n${s.name},七年级(1)班\n`, 'text/csv')
    t.match(job, { status: 'failed', code: 'import_bad_headers', errors: [] })
    t.equal(job.message, '缺少必需的表头：学号')
    t.same(job.headers, { expected, found: ['姓名', '班级'], missing: ['学号'], unknown: [] })
    t.notOk(JSON.stringify(job).includes(s.name), 'no cell content comes back')
  })
  t.test('学号 but no item columns, in English', async (t) => {
    const job = await importAndWait(w, c.id, `学号,班级,备注\n${s.studentNo},1,1\n`, 'text/csv', 'en')
    t.match(job, { status: 'failed', code: 'import_no_item_columns' })
    t.match(job.message, /no item columns/)
    t.same(job.headers.found, ['学号', '班级', '备注'])
    t.same(job.headers.expected, expected)
  })
  t.test('missing and unknown item columns', async (t) => {
    const missing = await importAndWait(w, c.id, `学号,GAD1,GAD2\n${s.studentNo},1,1\n`, 'text/csv', 'en')
    t.equal(missing.message, 'Missing required column(s): GAD3、GAD4、GAD5、GAD6、GAD7')
    t.same(missing.headers.missing, ['GAD3', 'GAD4', 'GAD5', 'GAD6', 'GAD7'])
    const unknown = await importAndWait(w, c.id, `学号,GAD1,GAD2,GAD3,GAD4,GAD5,GAD6,GAD7,GAD8\n${s.studentNo},1,1,1,1,1,1,1,1\n`, 'text/csv')
    t.match(unknown, { code: 'import_unknown_columns', message: '无法识别的题目列：GAD8', headers: { unknown: ['GAD8'] } })
  })
  t.test('the same details on the waiting path', async (t) => {
    const res = await w.call(w.psych, 'POST', `/api/v1/screening/campaigns/${c.id}/import?wait=true`, '姓名\nx\n', { 'content-type': 'text/csv' })
    t.equal(res.statusCode, 422)
    t.match(res.json(), { code: 'import_bad_headers', details: { missing: ['学号'], headers: { expected, found: ['姓名'] } } })
  })
  t.test('a good import carries no message', async (t) => {
    const job = await importAndWait(w, c.id, `学号,GAD1,GAD2,GAD3,GAD4,GAD5,GAD6,GAD7\n${s.studentNo},1,1,1,1,1,0,0\n`, 'text/csv')
    t.match(job, { status: 'succeeded', message: null, headers: null, result: { inserted: 1 } })
  })
})

t.test('the instrument’s import template', async (t) => {
  const w = await screeningWorld()
  const url = (id: string) => `/api/v1/screening/instruments/${id}/template.xlsx`

  t.test('Chinese headers, one example row, the items’ wording; it imports once 学号 is real', async (t) => {
    const res = await w.call(w.psych, 'GET', url(PHQA_ID))
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], XLSX_TYPE)
    t.match(String(res.headers['content-disposition']), /attachment; .*filename\*=UTF-8''.*%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF\.xlsx/)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(xlsxBody(res) as unknown as ArrayBuffer)
    const sheet = wb.worksheets[0]!
    const header = (sheet.getRow(1).values as unknown[]).slice(1)
    t.same(header, ['学号', '姓名', ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `PHQA${n}`), '测评日期'])
    t.equal(sheet.rowCount, 2, 'one example row')
    const example = (sheet.getRow(2).values as unknown[]).slice(1)
    t.equal(example.length, 12)
    t.match(String(example[11]), /^\d{4}-\d{2}-\d{2}$/)
    const help = wb.worksheets[1]!
    t.equal(help.name, '填写说明')
    t.ok(help.rowCount >= 12, 'a row per item')

    // The template is what the import reads: with a real 学号 in the example row, it imports.
    const c = await openCampaign(w, w.psych, [PHQA_ID])
    const s = await w.pupil(w.A, w.A.classIds[0])
    sheet.getRow(2).getCell(1).value = s.studentNo
    sheet.getRow(2).getCell(2).value = s.name
    const file = Buffer.from(await wb.xlsx.writeBuffer())
    const job = await importAndWait(w, c.id, file, XLSX_TYPE)
    t.match(job, { status: 'succeeded', result: { rows: 1, inserted: 1 } })
  })

  t.test('who may download it', async (t) => {
    t.equal((await w.call(w.psychB, 'GET', url(GAD7_ID))).statusCode, 200, 'built-in instruments: every school')
    t.equal((await w.call(w.psych, 'GET', url('00000000-0000-4000-8000-000000000000'))).statusCode, 404)
    t.equal((await w.call(w.psych, 'GET', '/api/v1/screening/instruments/nope/template.xlsx')).statusCode, 400)
    // Only who may import results gets the template (the admin reads instruments, not their items).
    for (const who of [w.monitor, w.admin, w.homeroom]) t.equal((await w.call(who, 'GET', url(GAD7_ID))).statusCode, 404)
  })
})
