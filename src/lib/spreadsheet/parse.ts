import { Readable } from 'node:stream'
import type ExcelJS from 'exceljs'
import { excel } from './excel.js'
import { parse as parseCsv } from 'csv-parse/sync'
import { checkArchive, inReadingOrder, verifyEntries } from './zip.js'
import { refuse, SheetRefused, unreadableBecause, type Cell, type FileKind, type Sheet, type SheetLimits } from './types.js'

/**
 * The parsing itself, run in the worker (reader.ts). Only the header row's columns are read:
 * a stray formatted cell in column XFD makes a sheet 16,384 columns "wide", and reading that
 * width for every row was what exhausted the heap. Rows are read one at a time from the XML
 * and reading stops at the first row beyond the limits, so a file of a million rows costs no
 * more than one of the limit plus one.
 */

export async function parseSheet(file: Buffer, kind: FileKind, limits: SheetLimits): Promise<Sheet> {
  return kind === 'xlsx' ? readXlsx(file, limits) : readCsv(file, limits)
}

/** The header's width: up to its last non-empty cell, refused beyond the column limit. */
function headerOf(cells: Cell[], limits: SheetLimits): Cell[] {
  let width = cells.length
  while (width > 0 && isBlank(cells[width - 1] ?? null)) width--
  if (width > limits.maxColumns) throw refuse(422, 'import_too_many_columns', { max: limits.maxColumns })
  const header = cells.slice(0, width)
  for (let i = 0; i < width; i++) if (header[i] === undefined) header[i] = null
  return header
}

function isBlank(v: Cell): boolean {
  return v === null || (typeof v === 'string' && v.trim() === '')
}

/** Counts a data row against the row and cell limits. */
function counter(limits: SheetLimits) {
  let rows = 0
  return (width: number) => {
    rows++
    if (rows > limits.maxRows) throw refuse(413, 'import_too_many_rows', { max: limits.maxRows })
    if (rows * width > limits.maxCells) throw refuse(413, 'import_too_many_cells', { max: limits.maxCells })
  }
}

// ── CSV ───────────────────────────────────────────────────────────────────────────────

/**
 * UTF-8 as asked, BOM or not. Excel on Chinese Windows saves "CSV" as GB18030 (GBK); such a
 * file is not valid UTF-8, so it is read as GB18030 rather than turned into mojibake.
 */
function decodeText(file: Buffer): string {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(file)
  } catch {
    try {
      text = new TextDecoder('gb18030', { fatal: true }).decode(file)
    } catch {
      throw refuse(422, 'import_unreadable')
    }
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

function readCsv(file: Buffer, limits: SheetLimits): Sheet {
  const text = decodeText(file)
  const firstLine = text.slice(0, text.search(/\r?\n|$/))
  // Comma is the norm; a file saved as "Unicode text" from Excel is tab-separated.
  const delimiter = firstLine.includes(',') ? ',' : firstLine.includes('\t') ? '\t' : firstLine.includes(';') ? ';' : ','
  let header: Cell[] | undefined
  const rows: Sheet['rows'] = []
  const count = counter(limits)
  let records = 0
  let refused: SheetRefused | undefined
  try {
    parseCsv(text, {
      delimiter, relax_column_count: true, skip_empty_lines: false, trim: true,
      // Each record is cut to the header's width as it is read, and the limits stop the parse.
      on_record: (record: string[]) => {
        records++
        try {
          if (!header) { header = headerOf(record, limits); return null }
          if (record.every((c) => c === '')) return null
          count(header.length)
          rows.push({ rowNo: records, cells: record.slice(0, header.length) })
        } catch (err) {
          refused = err as SheetRefused
          throw err
        }
        return null
      },
    })
  } catch (err) {
    if (refused) throw refused
    if (err instanceof SheetRefused) throw err
    throw unreadableBecause(err)
  }
  return { kind: 'csv', header: header ?? [], rows }
}

// ── xlsx ──────────────────────────────────────────────────────────────────────────────

async function readXlsx(file: Buffer, limits: SheetLimits): Promise<Sheet> {
  const entries = checkArchive(file, limits)
  await verifyEntries(file, entries, limits)
  const reader = new (await excel()).stream.xlsx.WorkbookReader(Readable.from([inReadingOrder(file, entries)]), {
    worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore',
  })
  let header: Cell[] | undefined
  let headerRow = 0
  const rows: Sheet['rows'] = []
  const count = counter(limits)
  try {
    // The header is the first row with content in the first sheet that has one; row numbers stay the sheet's own.
    for await (const ws of reader) {
      for await (const row of ws as AsyncIterable<ExcelJS.Row>) {
        if (!header) {
          const cells: Cell[] = []
          row.eachCell({ includeEmpty: false }, (cell, col) => {
            const v = xlsxCell(cell.value)
            if (isBlank(v)) return
            if (col > limits.maxColumns) throw refuse(422, 'import_too_many_columns', { max: limits.maxColumns })
            cells[col - 1] = v
          })
          if (cells.every((c) => isBlank(c ?? null))) continue
          header = headerOf(cells, limits)
          headerRow = row.number
          continue
        }
        if (row.number <= headerRow) continue
        const cells: Cell[] = new Array<Cell>(header.length)
        let blank = true
        for (let c = 0; c < header.length; c++) {
          const v = xlsxCell(row.findCell(c + 1)?.value)
          cells[c] = v
          if (!isBlank(v)) blank = false
        }
        if (blank) continue
        count(header.length)
        rows.push({ rowNo: row.number, cells })
      }
      if (header) break
    }
  } catch (err) {
    if (err instanceof SheetRefused) throw err
    throw unreadableBecause(err)
  }
  if (!header) throw refuse(422, 'import_empty')
  return { kind: 'xlsx', header, rows }
}

function xlsxCell(v: ExcelJS.CellValue | undefined): Cell {
  if (v === null || v === undefined) return null
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v
  if ('richText' in v) return v.richText.map((t) => t.text).join('')
  if ('hyperlink' in v) return v.text
  if ('result' in v) return v.result === undefined || (typeof v.result === 'object' && !(v.result instanceof Date)) ? null : v.result
  return null
}
