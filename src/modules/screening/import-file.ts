import { AppError } from '../../lib/errors.js'
import { translate, type Locale } from '../../lib/i18n.js'
import { normaliseCell } from '../roster/grade-names.js'
import type { Cell, Sheet } from '../roster/import.js'
import { isCalendarDate } from '../roster/schemas.js'
import type { ConsentBlock } from './consent-rules.js'
import type { InstrumentDefinition } from './instrument-schema.js'
import { isAsked, notAskedValue, scoreAnswers, type Score } from './scoring.js'

/**
 * Reading a campaign's result file (测评结果导入): one row per student, Chinese headers —
 * 学号, 姓名 (optional, only checked), the item columns (PHQ1…PHQ9, GAD1…GAD7, or 第1题… for
 * a single instrument) and 测评日期. Pure: every row is checked and scored before anything is
 * written, so one bad row rejects the file. Reasons never repeat a cell's content.
 */

export interface ImportInstrument { id: string; code: string; definition: InstrumentDefinition }

export interface StudentOnFile {
  id: string
  name: string
  status: string
  gradeLevel: number | undefined
  /** Why the student's answers may not be taken for want of consent (consent-rules.ts), or null. */
  consent?: ConsentBlock | null
}

export interface ImportedResponse {
  rowNo: number
  studentId: string
  instrument: ImportInstrument
  answers: number[]
  screenedOn: string
  score: Score
  /** Taken without consent under the import's override. */
  consentOverride: boolean
}

export interface RowError { row: number; field: string; reason: string }

interface ItemColumn { instrument: ImportInstrument; itemNo: number; col: number; header: string }

export interface ColumnMap {
  studentNo: number
  name?: number
  date?: number
  items: ItemColumn[]
  /** Instruments with columns in the file, in the campaign's order. */
  instruments: ImportInstrument[]
}

const MAX_LISTED_ERRORS = 500

const unprocessable = (code: string, params: Record<string, string | number> = {}, details?: unknown) => new AppError(422, code, params, details)

const STUDENT_NO = ['学号', '学籍号']
const NAME = ['姓名', '学生姓名']
const DATE = ['测评日期', '施测日期', '日期', '测试日期']

export function cellText(v: Cell): string {
  if (v === null) return ''
  if (v instanceof Date) return isoOfDate(v)
  return String(v).trim()
}

function header(h: Cell): string {
  return normaliseCell(cellText(h)).replace(/[*＊]/g, '').replace(/\((必填|选填|可选)\)$/, '')
}

/**
 * Which column is what. Item columns name their instrument by prefix (PHQ7, GAD-3, phq_9);
 * 第N题 columns belong to the one instrument of the campaign, or to the one `chosen`.
 * Missing 学号 or item columns of an instrument that is present → 422 import_bad_headers.
 * Every header refusal carries the headers expected and found (details.headers), so the
 * screen can say what the file should have looked like.
 */
export function mapColumns(headerRow: Cell[], campaign: ImportInstrument[], chosen?: ImportInstrument): ColumnMap {
  let studentNo: number | undefined
  let name: number | undefined
  let date: number | undefined
  const items: ItemColumn[] = []
  const unknown: string[] = []
  headerRow.forEach((h, col) => {
    const text = header(h)
    if (!text) return
    if (STUDENT_NO.includes(text)) { studentNo ??= col; return }
    if (NAME.includes(text)) { name ??= col; return }
    if (DATE.includes(text)) { date ??= col; return }
    const numbered = /^第(\d{1,3})题$/.exec(text)
    if (numbered) {
      const target = chosen ?? (campaign.length === 1 ? campaign[0] : undefined)
      if (!target) throw unprocessable('import_instrument_ambiguous')
      items.push({ instrument: target, itemNo: Number(numbered[1]), col, header: text })
      return
    }
    const prefixed = /^([A-Za-z]+)(\d{1,3})$/.exec(text.replace(/[-_.]/g, ''))
    if (prefixed) {
      const prefix = prefixed[1]!.toUpperCase()
      const instrument = campaign.find((i) => i.definition.columnPrefixes.some((p) => p.toUpperCase() === prefix))
      if (instrument) { items.push({ instrument, itemNo: Number(prefixed[2]), col, header: text }); return }
      unknown.push(text)
    }
    // Other columns (班级, 性别, 备注 …) are common in school files and are ignored.
  })
  const expected = expectedHeaders(chosen ? [chosen] : campaign)
  const found = headerRow.map(header).filter(Boolean)
  const refuse = (code: string, params: Record<string, string>, details: { missing?: string[]; unknown?: string[] }) =>
    unprocessable(code, params, { ...details, headers: { expected, found, missing: details.missing ?? [], unknown: details.unknown ?? [] } })
  if (studentNo === undefined) throw refuse('import_bad_headers', { headers: '学号' }, { missing: ['学号'] })
  if (unknown.length) throw refuse('import_unknown_columns', { headers: unknown.join('、') }, { unknown })
  const present = campaign.filter((i) => items.some((c) => c.instrument.id === i.id))
  if (present.length === 0) throw refuse('import_no_item_columns', {}, {})
  const missing: string[] = []
  for (const inst of present) {
    const n = inst.definition.items.length
    for (let no = 1; no <= n; no++) {
      const cols = items.filter((c) => c.instrument.id === inst.id && c.itemNo === no)
      if (cols.length !== 1) missing.push(`${inst.definition.columnPrefixes[0]}${no}`)
    }
    const beyond = items.filter((c) => c.instrument.id === inst.id && c.itemNo > n)
    for (const b of beyond) unknown.push(b.header)
  }
  if (unknown.length) throw refuse('import_unknown_columns', { headers: unknown.join('、') }, { unknown })
  if (missing.length) throw refuse('import_bad_headers', { headers: missing.join('、') }, { missing })
  return { studentNo, ...(name !== undefined ? { name } : {}), ...(date !== undefined ? { date } : {}), items, instruments: present }
}

/** The headers a file for these instruments should have, in the template's order (学号 … 测评日期). */
export function expectedHeaders(list: ImportInstrument[]): string[] {
  const items = list.flatMap((i) => i.definition.items.map((it) => `${i.definition.columnPrefixes[0]}${it.no}`))
  return [STUDENT_NO[0]!, NAME[0]!, ...items, DATE[0]!]
}

function isoOfDate(d: Date): string {
  // Excel dates have no time zone; exceljs hands them over as midnight UTC.
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`
}

const EXCEL_EPOCH = Date.UTC(1899, 11, 30)

/** 2026-10-09, 2026/10/9, 2026年10月9日, 20261009, an xlsx date cell or its serial number. */
export function parseDay(v: Cell, kind: Sheet['kind']): string | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : isoOfDate(v)
  if (typeof v === 'number') {
    if (kind === 'xlsx' && Number.isInteger(v) && v > 0 && v < 2_958_466) return isoOfDate(new Date(EXCEL_EPOCH + v * 86_400_000))
    v = String(v)
  }
  const s = normaliseCell(cellText(v))
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s)
  if (!m) return null
  const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`
  return isCalendarDate(iso) ? iso : null
}

/** A 学号 as typed: the common plain case skips the full-width and whitespace clean-up. */
function plain(s: string): string {
  return /^[A-Za-z0-9_-]*$/.test(s) ? s : normaliseCell(s)
}

/** An answer cell: a number, a digit string (full-width too), or empty; NaN for anything else. */
function answerOf(raw: Cell): number | 'empty' {
  if (typeof raw === 'number') return Number.isInteger(raw) ? raw : NaN
  const t = cellText(raw)
  if (t === '') return 'empty'
  const s = /^\d{1,4}$/.test(t) ? t : normaliseCell(t)
  return /^\d{1,4}$/.test(s) ? Number(s) : NaN
}

export interface ValidateInput {
  sheet: Sheet
  map: ColumnMap
  students: Map<string, StudentOnFile>
  gradeLevels: number[]
  window: { start: string; end: string }
  today: string
  locale: Locale
  /** The campaign takes answers only from students with consent … */
  consentRequired?: boolean
  /** … unless the import carries an override reason: then their rows are taken and marked. */
  consentOverride?: boolean
  /** Called every few hundred rows with the number checked so far. */
  progress?: (checked: number) => void
}

/** Rows checked between two yields to the event loop: a few milliseconds of work. */
const YIELD_EVERY = 500
const yieldLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Checks and scores every row. A row answers each instrument whose columns the file has,
 * unless all that instrument's cells are empty (the student skipped it); a partly answered
 * instrument is an error, as is a row answering none. Yields to the event loop every few
 * hundred rows, so checking a large file never holds up other requests.
 */
export async function validateRows(input: ValidateInput): Promise<{ responses: ImportedResponse[]; errors: RowError[]; badRows: number; rows: number }> {
  const { sheet, map, students, locale } = input
  const responses: ImportedResponse[] = []
  const errors: RowError[] = []
  const badRowNos = new Set<number>()
  const firstRowOf = new Map<string, number>()
  const headerOf = (col: number) => cellText(sheet.header[col] ?? null)
  // Per instrument, once: its columns in item order and the answers it allows.
  const plan = map.instruments.map((inst) => ({
    inst,
    cols: map.items.filter((c) => c.instrument.id === inst.id).sort((a, b) => a.itemNo - b.itemNo),
    allowed: new Set(inst.definition.options.map((o) => o.value)),
    allowedText: inst.definition.options.map((o) => o.value).join('/'),
  }))
  // A class's file has a handful of dates: each is parsed once.
  const days = new Map<Cell, string | null>()
  const dayOf = (v: Cell) => {
    if (v instanceof Date) return parseDay(v, sheet.kind)
    let d = days.get(v)
    if (d === undefined) days.set(v, (d = parseDay(v, sheet.kind)))
    return d
  }
  let rows = 0
  let checked = 0

  for (const { rowNo, cells } of sheet.rows) {
    // Other users' requests are served between slices (a 50,000-row file takes a few hundred ms to check).
    if (++checked % YIELD_EVERY === 0) { input.progress?.(checked); await yieldLoop() }
    if (cells.every((c) => c === null || cellText(c) === '')) continue
    rows++
    const fail = (field: string, code: string, params: Record<string, string | number> = {}) => {
      badRowNos.add(rowNo)
      if (errors.length < MAX_LISTED_ERRORS) errors.push({ row: rowNo, field, reason: translate(code, locale, params) })
    }
    const cell = (col: number | undefined): Cell => (col === undefined ? null : (cells[col] ?? null))

    let student: StudentOnFile | undefined
    const noCell = cell(map.studentNo)
    const no = typeof noCell === 'number' && !Number.isSafeInteger(noCell) ? null : plain(cellText(noCell))
    if (no === null) fail('学号', 'import_number_precision')
    else if (!no) fail('学号', 'import_required')
    else if (firstRowOf.has(no)) fail('学号', 'import_duplicate_in_file', { row: firstRowOf.get(no)! })
    else {
      firstRowOf.set(no, rowNo)
      student = students.get(no)
      if (!student) fail('学号', 'import_student_unknown')
      else if (student.status !== 'enrolled') fail('学号', 'import_student_not_enrolled')
      else if (student.gradeLevel === undefined || !input.gradeLevels.includes(student.gradeLevel)) fail('学号', 'import_student_not_in_campaign')
      else if (input.consentRequired && student.consent && !input.consentOverride) fail('知情同意', `import_${student.consent}`)
    }
    if (map.name !== undefined && student) {
      const given = cellText(cell(map.name))
      if (given && given !== student.name && normaliseCell(given) !== normaliseCell(student.name)) fail(headerOf(map.name), 'import_name_mismatch')
    }

    let screenedOn = input.today
    const dateCell = cell(map.date)
    if (map.date !== undefined && cellText(dateCell) !== '') {
      const d = dayOf(dateCell)
      if (!d) fail(headerOf(map.date), 'import_bad_date')
      else if (d < input.window.start || d > input.window.end || d > input.today) fail(headerOf(map.date), 'import_screened_on_out_of_window')
      else screenedOn = d
    }

    const rowResponses: Array<{ instrument: ImportInstrument; answers: number[] }> = []
    for (const { inst, cols, allowed, allowedText } of plan) {
      const raws = cols.map((c) => cell(c.col))
      if (raws.every((r) => r === null || cellText(r) === '')) continue
      const values = raws.map(answerOf)
      const answers = values.map((v) => (v === 'empty' ? NaN : v))
      cols.forEach((c, i) => {
        const value = values[i]!
        // A follow-up that was not asked (ASQ 5 after no yes to 1–4) may be left empty; asked, it must be answered.
        const item = inst.definition.items[c.itemNo - 1]!
        const asked = isAsked(item, answers)
        if (value === 'empty') {
          if (asked) fail(c.header, 'import_required')
          else answers[i] = notAskedValue(inst.definition)
        } else if (!allowed.has(value)) fail(c.header, 'import_bad_answer', { values: allowedText })
        else if (!asked && value !== notAskedValue(inst.definition)) fail(c.header, 'answer_not_asked')
      })
      rowResponses.push({ instrument: inst, answers })
    }
    if (rowResponses.length === 0) fail('—', 'import_no_answers')

    if (badRowNos.has(rowNo) || !student) continue
    for (const r of rowResponses) {
      responses.push({
        rowNo, studentId: student.id, instrument: r.instrument, answers: r.answers, screenedOn, score: scoreAnswers(r.instrument.definition, r.answers),
        consentOverride: !!(input.consentRequired && student.consent),
      })
    }
  }
  input.progress?.(checked)
  return { responses, errors, badRows: badRowNos.size, rows }
}
