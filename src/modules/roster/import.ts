import { AppError } from '../../lib/errors.js'
import { translate, type Locale } from '../../lib/i18n.js'
import { precheckSpreadsheet, readSpreadsheet, workerSession } from '../../lib/spreadsheet/reader.js'
import { DEFAULT_LIMITS, type Cell, type FileKind, type Sheet, type SheetLimits } from '../../lib/spreadsheet/types.js'
import { normaliseCell, parseClassCell, parseGradeLevel } from './grade-names.js'
import { isCalendarDate } from './schemas.js'

/**
 * Reading and checking a roster file (学生名册导入). Everything here is pure: the file is
 * parsed and every row validated before the service writes anything, so one bad row
 * rejects the whole file and nothing is half-imported.
 */

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
export type { Cell, FileKind, Sheet }

/** More rows than any school has; the export writes at most this many (the import's default limit). */
export const MAX_IMPORT_ROWS = DEFAULT_LIMITS.maxRows
/** Errors listed in the answer; the count in the message covers them all. */
const MAX_LISTED_ERRORS = 500

export type ColumnKey = 'name' | 'studentNo' | 'nationalId' | 'gender' | 'birthDate' | 'grade' | 'class' | 'guardian' | 'phone' | 'relation' | 'status'

/** The file's columns, by their Chinese headers. Export writes the same headers in this order. */
export const ROSTER_COLUMNS: ReadonlyArray<{ key: ColumnKey; header: string; aliases: readonly string[]; required: boolean }> = [
  { key: 'name', header: '姓名', aliases: ['学生姓名'], required: true },
  { key: 'studentNo', header: '学号', aliases: [], required: true },
  // 学籍号: the national student number, one per pupil for life; optional until the school has it.
  { key: 'nationalId', header: '学籍号', aliases: ['全国学籍号', '国家学籍号'], required: false },
  { key: 'gender', header: '性别', aliases: [], required: true },
  { key: 'birthDate', header: '出生日期', aliases: ['出生年月日', '生日'], required: true },
  { key: 'grade', header: '年级', aliases: [], required: true },
  { key: 'class', header: '班级', aliases: ['班别'], required: true },
  { key: 'guardian', header: '监护人', aliases: ['监护人姓名', '家长姓名', '家长'], required: true },
  { key: 'phone', header: '联系电话', aliases: ['监护人电话', '家长电话', '联系方式', '电话', '手机'], required: true },
  { key: 'relation', header: '关系', aliases: ['与学生关系', '监护人关系'], required: false },
  { key: 'status', header: '状态', aliases: ['学籍状态', '在读状态'], required: false },
]

const HEADER_OF = Object.fromEntries(ROSTER_COLUMNS.map((c) => [c.key, c.header])) as Record<ColumnKey, string>

export interface RosterRow {
  rowNo: number
  name: string
  studentNo: string
  /** null: the cell was empty (an existing student keeps theirs). */
  nationalId: string | null
  gender: 'M' | 'F'
  /** null: the cell was empty (a new student gets none, an existing one keeps theirs). */
  birthDate: string | null
  gradeLevel: number
  classSeq: number
  guardianName: string | null
  phone: string | null
  relation: string | null
  status: 'enrolled' | 'left' | 'graduated' | null
}

export interface RowError { row: number; field: string; reason: string }

const unprocessable = (code: string, params: Record<string, string | number> = {}, details?: unknown) => new AppError(422, code, params, details)

// ── reading ───────────────────────────────────────────────────────────────────────────

/** The shared reader (src/lib/spreadsheet): limits checked, parsed off the main thread. */
export function readSheet(file: Buffer, kind: FileKind, limits: SheetLimits = DEFAULT_LIMITS): Promise<Sheet> {
  return readSpreadsheet(file, kind, limits)
}

// Under tsx the modules are TypeScript; a compiled build has the .js beside this file.
const WORKER_MODULE = new URL(`./import-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href

/**
 * readSheet and validateSheet together, both in the parsing thread (import-worker.ts): the
 * sheet never crosses to the main thread, and checking every row does not hold the event loop.
 */
export async function checkRosterFile(file: Buffer, kind: FileKind, limits: SheetLimits, locale: Locale): Promise<{ rows: RosterRow[]; errors: RowError[]; badRows: number }> {
  precheckSpreadsheet(file, kind, limits)
  const session = workerSession(WORKER_MODULE, limits)
  const rows: RosterRow[] = []
  try {
    const checked = await session.run<{ errors: RowError[]; badRows: number }>('check', { file, kind, limits, locale }, (part) => {
      for (const r of part as RosterRow[]) rows.push(r)
    })
    return { rows, ...checked }
  } finally {
    session.close()
  }
}

// ── validating ────────────────────────────────────────────────────────────────────────

function normaliseHeader(h: Cell): string {
  return normaliseCell(cellText(h)).replace(/[*＊]/g, '').replace(/\((必填|选填|可选)\)$/, '')
}

/** Column index per key; missing required headers → 422 import_bad_headers. */
export function mapHeaders(header: Cell[]): Partial<Record<ColumnKey, number>> {
  const index: Partial<Record<ColumnKey, number>> = {}
  header.forEach((h, i) => {
    const text = normaliseHeader(h)
    const col = ROSTER_COLUMNS.find((c) => c.header === text || c.aliases.includes(text))
    if (col && index[col.key] === undefined) index[col.key] = i
  })
  const missing = ROSTER_COLUMNS.filter((c) => c.required && index[c.key] === undefined).map((c) => c.header)
  if (missing.length) throw unprocessable('import_bad_headers', { headers: missing.join('、') }, { missing })
  return index
}

function cellText(v: Cell): string {
  if (v === null) return ''
  if (v instanceof Date) return isoOfDate(v)
  return String(v).trim()
}

function isoOfDate(d: Date): string {
  // Excel dates have no time zone; exceljs hands them over as midnight UTC.
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`
}

const EXCEL_EPOCH = Date.UTC(1899, 11, 30)

/** The day as 'YYYY-MM-DD', or the word 'bad'. */
function parseBirthDate(v: Cell, kind: FileKind): string {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'bad' : isoOfDate(v)
  if (typeof v === 'number') {
    // An xlsx date cell without a date format arrives as its serial number.
    if (kind === 'xlsx' && Number.isInteger(v) && v > 0 && v < 2_958_466) return isoOfDate(new Date(EXCEL_EPOCH + v * 86_400_000))
    if (/^\d{8}$/.test(String(v))) return compactDate(String(v))
    return 'bad'
  }
  const s = normaliseCell(cellText(v))
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s)
  if (m) {
    const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`
    return isCalendarDate(iso) ? iso : 'bad'
  }
  if (/^\d{8}$/.test(s)) return compactDate(s)
  return 'bad'
}

/** 'YYYYMMDD' as 'YYYY-MM-DD', or the word 'bad'. */
function compactDate(s: string): string {
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`
  return isCalendarDate(iso) ? iso : 'bad'
}

/** 学籍号: letters and digits (G + the 18-character ID number, or a school-issued L/J number). */
export const NATIONAL_ID = /^[A-Z0-9]{6,32}$/

const GENDERS: Record<string, 'M' | 'F'> = { 男: 'M', 男性: 'M', m: 'M', male: 'M', 女: 'F', 女性: 'F', f: 'F', female: 'F' }
const STATUSES: Record<string, RosterRow['status']> = {
  在读: 'enrolled', 在校: 'enrolled', 在籍: 'enrolled', 正常: 'enrolled', enrolled: 'enrolled',
  离校: 'left', 转出: 'left', 转学: 'left', 退学: 'left', 休学: 'left', left: 'left',
  毕业: 'graduated', 已毕业: 'graduated', graduated: 'graduated',
}
/** A lookup that a cell reading "constructor" cannot fool. */
function own<V>(map: Record<string, V>, key: string): V | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined
}

/** How the export writes a status, so a file exported and imported again changes nothing. */
export const STATUS_LABEL: Record<string, string> = { enrolled: '在读', left: '离校', graduated: '毕业' }
export const GENDER_LABEL: Record<string, string> = { M: '男', F: '女' }

/**
 * Every row checked; the answer lists each problem by row number, column and reason in the
 * caller's language. Reasons never repeat the cell's content (a name or a phone number).
 */
export function validateSheet(sheet: Sheet, locale: Locale): { rows: RosterRow[]; errors: RowError[]; badRows: number } {
  const index = mapHeaders(sheet.header)
  const rows: RosterRow[] = []
  const errors: RowError[] = []
  const badRowNos = new Set<number>()
  const firstRowOfNo = new Map<string, number>()
  const firstRowOfNationalId = new Map<string, number>()

  for (const { rowNo, cells } of sheet.rows) {
    const raw = (key: ColumnKey): Cell => {
      const i = index[key]
      return i === undefined ? null : (cells[i] ?? null)
    }
    const text = (key: ColumnKey) => cellText(raw(key))
    if (cells.every((c) => cellText(c) === '')) continue

    const fail = (key: ColumnKey, code: string, params: Record<string, string | number> = {}) => {
      badRowNos.add(rowNo)
      if (errors.length < MAX_LISTED_ERRORS) errors.push({ row: rowNo, field: HEADER_OF[key], reason: translate(code, locale, params) })
      return null
    }
    const required = (key: ColumnKey, max: number): string | null => {
      const s = text(key)
      if (!s) return fail(key, 'import_required')
      if ([...s].length > max) return fail(key, 'import_too_long', { max })
      return s
    }

    const name = required('name', 50)

    let studentNo: string | null = null
    const noCell = raw('studentNo')
    if (typeof noCell === 'number' && !Number.isSafeInteger(noCell)) {
      fail('studentNo', 'import_number_precision')
    } else if ((studentNo = required('studentNo', 32)) !== null) {
      if (!/^[A-Za-z0-9_-]+$/.test(studentNo)) studentNo = fail('studentNo', 'import_bad_student_no')
      else {
        const first = firstRowOfNo.get(studentNo)
        if (first !== undefined) studentNo = fail('studentNo', 'import_duplicate_in_file', { row: first })
        else firstRowOfNo.set(studentNo, rowNo)
      }
    }

    let nationalId: string | null = null
    const nationalCell = raw('nationalId')
    if (typeof nationalCell === 'number' && !Number.isSafeInteger(nationalCell)) {
      fail('nationalId', 'import_number_precision_national_id')
    } else if ((nationalId = text('nationalId').toUpperCase() || null) !== null) {
      if (!NATIONAL_ID.test(nationalId)) nationalId = fail('nationalId', 'import_bad_national_id')
      else {
        const first = firstRowOfNationalId.get(nationalId)
        if (first !== undefined) nationalId = fail('nationalId', 'import_national_id_in_file', { row: first })
        else firstRowOfNationalId.set(nationalId, rowNo)
      }
    }

    const genderText = text('gender')
    const gender = genderText ? own(GENDERS, genderText.toLowerCase()) ?? fail('gender', 'import_bad_gender') : fail('gender', 'import_required')

    let birthDate: string | null = null
    const birthCell = raw('birthDate')
    if (cellText(birthCell) !== '') {
      const d = parseBirthDate(birthCell, sheet.kind)
      if (d === 'bad') fail('birthDate', 'import_bad_date')
      else if (d < '1950-01-01' || d > new Date().toISOString().slice(0, 10)) fail('birthDate', 'import_date_out_of_range')
      else birthDate = d
    }

    const gradeText = text('grade')
    const gradeLevel = gradeText ? parseGradeLevel(gradeText) ?? fail('grade', 'import_bad_grade') : fail('grade', 'import_required')

    let classSeq: number | null = null
    const classText = text('class')
    if (!classText) fail('class', 'import_required')
    else {
      const parsed = parseClassCell(classText)
      if (!parsed) fail('class', 'import_bad_class')
      else if (parsed.gradeLevel !== null && gradeLevel !== null && parsed.gradeLevel !== gradeLevel) fail('class', 'import_class_grade_mismatch')
      else classSeq = parsed.seq
    }

    let guardianName: string | null = text('guardian') || null
    if (guardianName && [...guardianName].length > 50) guardianName = fail('guardian', 'import_too_long', { max: 50 })
    let phone: string | null = text('phone').replace(/[\s\u3000]/g, '') || null
    if (phone && !/^\+?[0-9][0-9-]{5,22}[0-9]$/.test(phone)) phone = fail('phone', 'import_bad_phone')
    else if (phone && !text('guardian')) fail('guardian', 'import_phone_without_guardian')
    let relation: string | null = text('relation') || null
    if (relation && [...relation].length > 20) relation = fail('relation', 'import_too_long', { max: 20 })

    const statusText = text('status')
    const status = statusText ? own(STATUSES, statusText.toLowerCase()) ?? fail('status', 'import_bad_status') : null

    if (badRowNos.has(rowNo)) continue
    rows.push({
      rowNo, name: name!, studentNo: studentNo!, nationalId, gender: gender!, birthDate, gradeLevel: gradeLevel!, classSeq: classSeq!,
      guardianName, phone, relation, status,
    })
  }
  return { rows, errors, badRows: badRowNos.size }
}
