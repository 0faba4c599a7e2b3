/**
 * Hostile spreadsheets against the import reader, in this process: time to the answer, the
 * longest stall of the event loop (what every other request would have waited), and the peak
 * growth of the process's RSS (sampled from another thread, so a stalled main thread cannot
 * hide it). The files are the ones the tests use (test/imports/spreadsheet-files.ts).
 *
 *   tsx scripts/bench/import-limits.ts [--far-rows 1500]
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { readSheet } from '../../src/modules/roster/import.js'
import { bombOf, manyRowsOf, xlsxOf } from '../../test/imports/spreadsheet-files.js'
import { rssSampler } from './common.js'

const HEADER = ['姓名', '学号', '性别', '出生日期', '年级', '班级', '监护人', '联系电话', '关系']
const row = (i: number) => [`学生${i}`, `L${String(i).padStart(6, '0')}`, i % 2 ? '男' : '女', '2013-05-01', '七年级', `${(i % 8) + 1}班`, `家长${i}`, '13800000001', '父亲']

async function measure(name: string, file: Buffer): Promise<void> {
  global.gc?.()
  const loop = monitorEventLoopDelay({ resolution: 5 })
  loop.enable()
  const sampler = rssSampler(10)
  const t0 = performance.now()
  let outcome: string
  try {
    const sheet = await readSheet(file, 'xlsx')
    outcome = `read: ${sheet.rows.length} rows × ${sheet.header.length} columns`
  } catch (err) {
    const e = err as { statusCode?: number; code?: string; message?: string }
    outcome = e.code ? `${e.statusCode} ${e.code}` : `error ${e.message}`
  }
  const ms = performance.now() - t0
  loop.disable()
  const rss = await sampler.stop()
  console.log(`${name.padEnd(28)} ${String(file.length).padStart(9)} B  ${String(Math.round(ms)).padStart(7)} ms  stall ${String(Math.round(loop.max / 1e6)).padStart(6)} ms  +${String(rss.peakMb - rss.startMb).padStart(5)} MB  ${outcome}`)
}

const farRows = Number(process.argv[process.argv.indexOf('--far-rows') + 1]) || 1500
// Start the reader once (the worker's start-up is not what is measured).
await measure('warm-up (2 rows)', await xlsxOf([HEADER, row(0)]))
await measure(`far column, ${farRows} rows`, await xlsxOf([HEADER, ...Array.from({ length: farRows }, (_, i) => row(i + 1))], (ws) => {
  ws.getCell('XFD1').style = { font: { bold: true } }
  ws.getCell(`XFD${farRows + 1}`).value = 'x'
}))
await measure('zip bomb, 200 MB', bombOf(await xlsxOf([HEADER, row(1)]), 200))
await measure('zip bomb, 20 MB (ratio)', bombOf(await xlsxOf([HEADER, row(1)]), 20))
await measure('zip bomb, size declared 4 KB', bombOf(await xlsxOf([HEADER, row(1)]), 200, 4096))
await measure('200,000 rows', manyRowsOf(await xlsxOf([['学号']]), 200_000))
process.exit(0)
