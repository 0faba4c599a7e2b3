import t from '../helpers/tap.js'
import type { FastifyInstance } from 'fastify'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { XLSX_TYPE } from '../../src/modules/roster/import.js'
import { rosterWorld, type RosterWorld } from '../roster/fixtures.js'
import { GAD7_ID, openCampaign, PHQA_ID, screeningWorld } from '../screening/fixtures.js'
import { bombOf, manyRowsOf, xlsxOf } from './spreadsheet-files.js'

/**
 * Spreadsheet uploads within limits: a stray far column, a zip bomb and a file of too many
 * rows are each answered quickly with a message naming the limit, the server keeps answering
 * /healthz meanwhile, and the process's memory stays bounded.
 */

const HEADER = ['姓名', '学号', '性别', '出生日期', '年级', '班级', '监护人', '联系电话', '关系']
const rosterRow = (i: number) => [`学生${i}`, `L${String(i).padStart(6, '0')}`, i % 2 ? '男' : '女', '2013-05-01', '七年级', `${(i % 8) + 1}班`, `家长${i}`, '13800000001', '父亲']

/** Slowest /healthz answer while a RSS sampler runs beside: the upload's effect on everyone else. */
async function whileServing<T>(app: FastifyInstance, work: () => Promise<T>): Promise<{ result: T; ms: number; worstHealthzMs: number; healthz: number; rssDeltaMb: number }> {
  global.gc?.()
  const rss0 = process.memoryUsage().rss
  let peak = rss0
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 5)
  const t0 = performance.now()
  let done = false
  const p = work().finally(() => { done = true })
  const latencies: number[] = []
  while (!done) {
    // Timed from when the request was due: a stall that starts while this loop sleeps counts.
    const due = performance.now() + 5
    await new Promise((r) => setTimeout(r, 5))
    const res = await app.inject({ method: 'GET', url: '/healthz' })
    if (res.statusCode !== 200) throw new Error(`/healthz answered ${res.statusCode}`)
    latencies.push(performance.now() - due)
  }
  const result = await p
  const ms = performance.now() - t0
  clearInterval(sampler)
  peak = Math.max(peak, process.memoryUsage().rss)
  return { result, ms, worstHealthzMs: Math.max(...latencies), healthz: latencies.length, rssDeltaMb: (peak - rss0) / 1_048_576 }
}

/** Generous for a shared CI machine; the unbounded reader stalled the loop for 2–10 s on these files. */
const HEALTHZ_BOUND_MS = 1000
const RSS_BOUND_MB = 200

async function studentCount(w: RosterWorld): Promise<number> {
  return Number((await queryRows<{ n: string | number }>(w.database.db, sql`select count(*) as n from students`))[0]!.n)
}

async function importRoster(w: RosterWorld, file: Buffer, lang = 'zh-CN') {
  return w.call(w.admin, 'POST', '/api/v1/students/import', file, { 'content-type': XLSX_TYPE, 'accept-language': lang })
}

t.test('roster import: far column, zip bombs, too many rows', async (t) => {
  const w = await rosterWorld()
  // The parsing worker starts on first use; start it here so its own start-up is not counted below.
  const warm = await importRoster(w, await xlsxOf([HEADER, rosterRow(0)]))
  t.equal(warm.statusCode, 200, warm.body)

  t.test('a stray formatted cell in column XFD: only the header’s columns are read, the file imports', async (t) => {
    const rows = Array.from({ length: 1500 }, (_, i) => rosterRow(i + 1))
    const file = await xlsxOf([HEADER, ...rows], (ws) => {
      // What a real spreadsheet carries by accident: a format far to the right, and a value in the last row.
      ws.getCell('XFD1').style = { font: { bold: true } }
      ws.getCell('XFD1501').value = 'x'
    })
    t.ok(file.length < 128 * 1024, `a small file (${file.length} bytes)`)
    const run = await whileServing(w.app, () => importRoster(w, file))
    t.equal(run.result.statusCode, 200, run.result.body.slice(0, 300))
    t.same(run.result.json(), { created: 1500, updated: 0, unchanged: 0, rows: 1500 })
    t.ok(run.ms < 30_000, `answered in ${Math.round(run.ms)} ms`)
    t.ok(run.worstHealthzMs < HEALTHZ_BOUND_MS, `/healthz answered ${run.healthz} times meanwhile, the slowest in ${Math.round(run.worstHealthzMs)} ms`)
    t.ok(run.rssDeltaMb < RSS_BOUND_MB, `memory grew ${Math.round(run.rssDeltaMb)} MB`)
  })

  t.test('a value in column XFD of the header: refused, the message names the column limit', async (t) => {
    const file = await xlsxOf([HEADER, rosterRow(2001)], (ws) => { ws.getCell('XFD1').value = '备注' })
    const res = await importRoster(w, file, 'en')
    t.equal(res.statusCode, 422)
    t.match(res.json(), { code: 'import_too_many_columns', message: 'Too many columns in the header row (at most 256); delete the extra columns on the right' })
  })

  t.test('a 200 MB zip bomb (≈210 KB): refused from the zip directory before parsing, named limit', async (t) => {
    const file = bombOf(await xlsxOf([HEADER, rosterRow(3001)]), 200)
    t.ok(file.length < 300 * 1024, `${file.length} bytes`)
    const before = await studentCount(w)
    const run = await whileServing(w.app, () => importRoster(w, file))
    t.equal(run.result.statusCode, 413)
    t.match(run.result.json(), { code: 'import_archive_too_large', message: '.xlsx 文件解压后过大（最多 100 MB）' })
    t.ok(run.ms < 1000, `answered in ${Math.round(run.ms)} ms`)
    t.ok(run.worstHealthzMs < HEALTHZ_BOUND_MS, `slowest /healthz ${Math.round(run.worstHealthzMs)} ms`)
    t.ok(run.rssDeltaMb < 50, `memory grew ${Math.round(run.rssDeltaMb)} MB (nothing inflated)`)
    t.equal(await studentCount(w), before, 'nothing written')
  })

  t.test('a bomb under the size limit but 20 MB from 27 KB: refused for its ratio', async (t) => {
    const res = await importRoster(w, bombOf(await xlsxOf([HEADER, rosterRow(3002)]), 20), 'en')
    t.equal(res.statusCode, 422)
    t.match(res.json(), { code: 'import_archive_bomb', message: 'The .xlsx file expands abnormally when unzipped (more than 100:1, or not as declared); refused' })
  })

  t.test('a bomb whose directory lies about its size: refused when it inflates past what it declared', async (t) => {
    const run = await whileServing(w.app, async () => importRoster(w, bombOf(await xlsxOf([HEADER, rosterRow(3003)]), 200, 4096)))
    t.equal(run.result.statusCode, 422)
    t.equal(run.result.json().code, 'import_archive_bomb')
    t.ok(run.worstHealthzMs < HEALTHZ_BOUND_MS, `slowest /healthz ${Math.round(run.worstHealthzMs)} ms`)
    t.ok(run.rssDeltaMb < RSS_BOUND_MB, `memory grew ${Math.round(run.rssDeltaMb)} MB`)
  })

  t.test('200,000 rows (1.5 MB): reading stops past the row limit, 413 naming it', async (t) => {
    const file = manyRowsOf(await xlsxOf([['学号']]), 200_000)
    const run = await whileServing(w.app, () => importRoster(w, file))
    t.equal(run.result.statusCode, 413)
    t.match(run.result.json(), { code: 'import_too_many_rows', message: '文件行数过多（最多 50000 行）' })
    t.ok(run.ms < 30_000, `answered in ${Math.round(run.ms)} ms`)
    t.ok(run.worstHealthzMs < HEALTHZ_BOUND_MS, `/healthz answered ${run.healthz} times meanwhile, the slowest in ${Math.round(run.worstHealthzMs)} ms`)
    t.ok(run.rssDeltaMb < RSS_BOUND_MB, `memory grew ${Math.round(run.rssDeltaMb)} MB`)
  })

  t.test('CSV: 200,000 rows → 413; a header of 300 columns → 422; each message names the limit', async (t) => {
    const rows = '学号\n' + Array.from({ length: 200_000 }, (_, i) => `S${i}`).join('\n') + '\n'
    const many = await w.call(w.admin, 'POST', '/api/v1/students/import', rows, { 'content-type': 'text/csv', 'accept-language': 'en' })
    t.equal(many.statusCode, 413)
    t.match(many.json(), { code: 'import_too_many_rows', message: 'Too many rows (at most 50000)' })
    const wide = Array.from({ length: 300 }, (_, i) => `C${i}`).join(',') + '\n1\n'
    const res = await w.call(w.admin, 'POST', '/api/v1/students/import', wide, { 'content-type': 'text/csv' })
    t.equal(res.statusCode, 422)
    t.equal(res.json().code, 'import_too_many_columns')
  })

  t.test('limits are settings: a lower row limit applies to the next upload', async (t) => {
    const small = await rosterWorld({ IMPORT_MAX_ROWS: 2 })
    const res = await small.call(small.admin, 'POST', '/api/v1/students/import', await xlsxOf([HEADER, rosterRow(1), rosterRow(2), rosterRow(3)]), { 'content-type': XLSX_TYPE })
    t.equal(res.statusCode, 413)
    t.match(res.json(), { code: 'import_too_many_rows', params: undefined })
    t.match(res.json().message, /最多 2 行/)
  })
})

t.test('screening import reads through the same limits', async (t) => {
  const w = await screeningWorld()
  const c = await openCampaign(w, w.psych, [PHQA_ID, GAD7_ID])
  const url = `/api/v1/screening/campaigns/${c.id}/import?wait=true`
  const header = ['学号', ...Array.from({ length: 9 }, (_, k) => `PHQ${k + 1}`)]
  const bomb = bombOf(await xlsxOf([header]), 200)
  const res = await w.call(w.psych, 'POST', url, bomb, { 'content-type': XLSX_TYPE, 'accept-language': 'en' })
  t.equal(res.statusCode, 413)
  t.match(res.json(), { code: 'import_archive_too_large', message: 'The .xlsx file is too large when unzipped (at most 100 MB)' })
  const far = await xlsxOf([header], (ws) => { ws.getCell('XFD1').value = 'x' })
  const wide = await w.call(w.psych, 'POST', url, far, { 'content-type': XLSX_TYPE })
  t.equal(wide.statusCode, 422)
  t.equal(wide.json().code, 'import_too_many_columns')
})
