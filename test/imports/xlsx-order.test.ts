import t from '../helpers/tap.js'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { inflateRawSync } from 'node:zlib'
import ExcelJS from 'exceljs'
import { parseSheet } from '../../src/lib/spreadsheet/parse.js'
import { checkArchive, inReadingOrder } from '../../src/lib/spreadsheet/zip.js'
import type { SheetLimits } from '../../src/lib/spreadsheet/types.js'
import { deflated, unzip, zip } from './spreadsheet-files.js'

/**
 * exceljs's streaming reader reads an .xlsx front to back. Excel and exceljs write the
 * worksheets before the shared strings (exceljs: before xl/workbook.xml too); the reader then
 * parked each worksheet in a temporary file and read it after the last entry, and under load
 * that sometimes failed a valid file as unreadable (a flaky 422 in CI; 5 of 1,200 parses of
 * the training template with both cores busy). The parse now hands the reader the workbook's
 * own entries first and the worksheets last, so no worksheet waits in a temporary file.
 */

const limits: SheetLimits = {
  maxRows: 1000, maxColumns: 50, maxCells: 50_000, maxInflatedBytes: 20 * 1_048_576, maxRatio: 100, workerHeapMb: 128, timeoutMs: 30_000,
}

async function twoSheets(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const first = wb.addWorksheet('教师培训')
  first.addRow(['姓名', '课程', '学时'])
  first.addRow(['李老师', '心理危机识别与干预', 8])
  const second = wb.addWorksheet('填写说明')
  second.addRow(['列名', '含义'])
  return Buffer.from(await wb.xlsx.writeBuffer() as unknown as ArrayBuffer)
}

/** Entry names in the order their local headers appear (what a streaming reader sees). */
function localOrder(buf: Buffer): string[] {
  const names: string[] = []
  let p = 0
  while (buf.readUInt32LE(p) === 0x04034b50) {
    const size = buf.readUInt32LE(p + 18)
    const nameLength = buf.readUInt16LE(p + 26)
    names.push(buf.toString('utf8', p + 30, p + 30 + nameLength))
    p += 30 + nameLength + buf.readUInt16LE(p + 28) + size
  }
  return names
}

/** Runs `fn` with the temporary directory (TMPDIR) set to `dir`, restored after. */
async function withTmpDir<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.TMPDIR
  process.env.TMPDIR = dir
  try {
    return await fn()
  } finally {
    if (saved === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = saved
  }
}

/** Runs `fn` with the temporary directory pointing where nothing can be written. */
const withoutTmp = <T>(fn: () => Promise<T>): Promise<T> => withTmpDir(join(tmpdir(), 'xinan-no-such-dir', 'gone'), fn)

t.test('as written, the worksheets come before what the reader needs to read them', async (t) => {
  const order = localOrder(await twoSheets())
  const at = (name: string) => order.indexOf(name)
  t.ok(at('xl/worksheets/sheet1.xml') < at('xl/sharedStrings.xml'), order.join(', '))
  t.ok(at('xl/worksheets/sheet1.xml') < at('xl/workbook.xml'), order.join(', '))
})

t.test('laid out for the reader: workbook, relations, shared strings and styles first, worksheets last by number', async (t) => {
  const file = await twoSheets()
  const out = inReadingOrder(file, checkArchive(file, limits))
  const order = localOrder(out)
  t.same(order.slice(0, 4).sort(), ['xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml', 'xl/styles.xml', 'xl/workbook.xml'])
  t.same(order.slice(-2), ['xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml'])
  t.same([...order].sort(), [...localOrder(file)].sort(), 'every entry once')
  t.equal(out.length, file.length, 'the same bytes, moved')
  // Each entry's bytes travel whole: inflated through its own local header, it is the original.
  const original = unzip(file)
  let p = 0
  for (const name of order) {
    const size = out.readUInt32LE(p + 18)
    const nameLength = out.readUInt16LE(p + 26)
    const start = p + 30 + nameLength + out.readUInt16LE(p + 28)
    const method = out.readUInt16LE(p + 8)
    const raw = out.subarray(start, start + size)
    t.same(method === 8 ? inflateRawSync(raw) : raw, original.get(name), name)
    p = start + size
  }
})

t.test('no worksheet waits in a temporary file: a workbook parses with nowhere to write one', async (t) => {
  const file = await twoSheets()
  const parsed = await withoutTmp(() => parseSheet(file, 'xlsx', limits))
  t.same(parsed.header, ['姓名', '课程', '学时'])
  t.same(parsed.rows.map((r) => r.cells), [['李老师', '心理危机识别与干预', 8]], 'the first sheet, with its shared strings')
  t.same(parsed.rows.map((r) => r.rowNo), [2])
})

t.test('a workbook written in Excel’s order (sheets, then styles and shared strings) reads the same', async (t) => {
  const entries = unzip(await twoSheets())
  const excelOrder = ['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/worksheets/sheet1.xml',
    'xl/worksheets/sheet2.xml', 'xl/theme/theme1.xml', 'xl/styles.xml', 'xl/sharedStrings.xml', 'docProps/core.xml', 'docProps/app.xml']
  const file = zip(excelOrder.filter((n) => entries.has(n)).map((n) => deflated(n, entries.get(n)!)))
  const dir = mkdtempSync(join(tmpdir(), 'xinan-xlsx-order-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const parsed = await withTmpDir(dir, () => parseSheet(file, 'xlsx', limits))
  t.same(parsed.header, ['姓名', '课程', '学时'])
  t.same(parsed.rows.map((r) => r.cells), [['李老师', '心理危机识别与干预', 8]])
  t.same(readdirSync(dir), [], 'nothing was parked in the temporary directory')
})

t.test('a workbook without shared strings (inline strings, as SheetJS writes) is read as it arrives too', async (t) => {
  const entries = unzip(await twoSheets())
  const sheet = entries.get('xl/worksheets/sheet1.xml')!.toString('utf8')
  const inline = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`
  const rows = `<row r="1">${inline('A1', '姓名')}${inline('B1', '课程')}${inline('C1', '学时')}</row>`
    + `<row r="2">${inline('A2', '王老师')}${inline('B2', '家校沟通')}<c r="C2"><v>4</v></c></row>`
  const xml = sheet.slice(0, sheet.indexOf('<sheetData>') + '<sheetData>'.length) + rows + sheet.slice(sheet.indexOf('</sheetData>'))
  const names = [...entries.keys()].filter((n) => n !== 'xl/sharedStrings.xml')
  const file = zip(names.map((n) => deflated(n, n === 'xl/worksheets/sheet1.xml' ? Buffer.from(xml) : entries.get(n)!)))
  t.notOk(localOrder(file).includes('xl/sharedStrings.xml'))
  const parsed = await withoutTmp(() => parseSheet(file, 'xlsx', limits))
  t.same(parsed.header, ['姓名', '课程', '学时'])
  t.same(parsed.rows.map((r) => r.cells), [['王老师', '家校沟通', 4]])
})

t.test('a workbook from a streaming writer (every entry followed by a data descriptor) is moved whole and reads the same', async (t) => {
  const out = new PassThrough()
  const chunks: Buffer[] = []
  out.on('data', (c: Buffer) => chunks.push(c))
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: true })
  const ws = wb.addWorksheet('教师培训')
  ws.addRow(['姓名', '课程', '学时']).commit()
  ws.addRow(['赵老师', '团体辅导', 6]).commit()
  ws.commit()
  await wb.commit()
  const file = Buffer.concat(chunks)
  const entries = checkArchive(file, limits)
  t.ok(entries.every((e) => (e.flags & 0x8) !== 0), 'every entry has a data descriptor')
  // Local headers of such entries carry no sizes: their order is read from the directory.
  const written = [...entries].sort((a, b) => a.localOffset - b.localOffset).map((e) => e.name)
  t.ok(written.indexOf('xl/worksheets/sheet1.xml') < written.indexOf('xl/workbook.xml'), 'the worksheet comes first as written')
  const parsed = await withoutTmp(() => parseSheet(file, 'xlsx', limits))
  t.same(parsed.header, ['姓名', '课程', '学时'])
  t.same(parsed.rows.map((r) => r.cells), [['赵老师', '团体辅导', 6]])
})
