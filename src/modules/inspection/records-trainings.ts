import { excel } from '../../lib/spreadsheet/excel.js'
import { and, eq } from 'drizzle-orm'
import { staffTrainings, users } from '../../../db/schema/index.js'
import type { Gateway, Row } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { AppError } from '../../lib/errors.js'
import { translate, type Locale } from '../../lib/i18n.js'
import { isCalendarDate } from '../../lib/schemas.js'
import { readSpreadsheet, sheetLimitsOf } from '../../lib/spreadsheet/reader.js'
import type { Cell, FileKind, Sheet } from '../../lib/spreadsheet/types.js'
import type { RequestContext } from '../../plugins/access.js'
import { normaliseCell } from '../roster/grade-names.js'

/**
 * 教师培训 in and out of Excel: the template, the import (every row checked first; any bad row
 * rejects the file, each problem named by row and column) and the export in the same columns,
 * so an exported file imported again changes nothing.
 */

type Key = 'name' | 'username' | 'course' | 'provider' | 'hours' | 'completedOn' | 'certificate'

export const TRAINING_COLUMNS: ReadonlyArray<{ key: Key; header: string; aliases: readonly string[]; required: boolean; width: number }> = [
  { key: 'name', header: '姓名', aliases: ['教师姓名', '教师'], required: true, width: 12 },
  { key: 'username', header: '账号', aliases: ['用户名', '登录账号'], required: false, width: 16 },
  { key: 'course', header: '培训名称', aliases: ['课程', '培训课程', '培训内容'], required: true, width: 30 },
  { key: 'provider', header: '主办单位', aliases: ['培训机构', '举办单位'], required: false, width: 24 },
  { key: 'hours', header: '学时', aliases: ['培训学时', '课时'], required: true, width: 8 },
  { key: 'completedOn', header: '完成日期', aliases: ['培训日期', '结业日期', '日期'], required: true, width: 12 },
  { key: 'certificate', header: '证书编号', aliases: ['证书', '结业证书'], required: false, width: 20 },
]
const HEADER_OF = Object.fromEntries(TRAINING_COLUMNS.map((c) => [c.key, c.header])) as Record<Key, string>

const NOTES: Record<Key, Record<Locale, string>> = {
  name: { 'zh-CN': '填写了账号时可留空，否则必填。与本校账号的姓名相同时记到该账号；同名多人时请填写账号', en: 'Required unless the account is given. Matched to the school account of that name; fill in the account when two share a name' },
  username: { 'zh-CN': '选填，本校教师的登录账号', en: 'Optional: the teacher’s sign-in account at this school' },
  course: { 'zh-CN': '必填，最多 200 字', en: 'Required, at most 200 characters' },
  provider: { 'zh-CN': '选填，如 区教师发展中心', en: 'Optional, e.g. the district teacher development centre' },
  hours: { 'zh-CN': '必填，大于 0、最多 1000，最多一位小数', en: 'Required: more than 0, at most 1000, one decimal at most' },
  completedOn: { 'zh-CN': '必填，如 2026-10-15 或 2026/10/15', en: 'Required, e.g. 2026-10-15 or 2026/10/15' },
  certificate: { 'zh-CN': '选填，证书编号', en: 'Optional: the certificate number' },
}

export const TRAINING_LABEL: Record<Key, Record<Locale, string>> = {
  name: { 'zh-CN': '姓名', en: 'Name' },
  username: { 'zh-CN': '账号', en: 'Account' },
  course: { 'zh-CN': '培训名称', en: 'Course' },
  provider: { 'zh-CN': '主办单位', en: 'Provider' },
  hours: { 'zh-CN': '学时', en: 'Hours' },
  completedOn: { 'zh-CN': '完成日期', en: 'Completed on' },
  certificate: { 'zh-CN': '证书编号', en: 'Certificate' },
}

export interface TrainingRowError { row: number; field: string; reason: string }
interface TrainingRow { rowNo: number; userId: string | null; name: string | null; course: string; provider: string | null; hours: string; completedOn: string; certificate: string | null }

const MAX_LISTED_ERRORS = 500
const EXCEL_EPOCH = Date.UTC(1899, 11, 30)

function cellText(v: Cell): string {
  if (v === null) return ''
  if (v instanceof Date) return isoOf(v)
  return normaliseCell(String(v).trim())
}

function isoOf(d: Date): string {
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`
}

/** 'YYYY-MM-DD' or null. */
function parseDate(v: Cell): string | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : isoOf(v)
  if (typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 2_958_466) return isoOf(new Date(EXCEL_EPOCH + v * 86_400_000))
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(cellText(v))
  if (!m) return null
  const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`
  return isCalendarDate(iso) ? iso : null
}

function mapHeaders(header: Cell[]): Partial<Record<Key, number>> {
  const index: Partial<Record<Key, number>> = {}
  header.forEach((h, i) => {
    const text = cellText(h).replace(/[*＊]/g, '')
    const col = TRAINING_COLUMNS.find((c) => c.header === text || c.aliases.includes(text))
    if (col && index[col.key] === undefined) index[col.key] = i
  })
  const missing = TRAINING_COLUMNS.filter((c) => c.required && index[c.key] === undefined).map((c) => c.header)
  if (missing.length) throw new AppError(422, 'import_bad_headers', { headers: missing.join('、') }, { missing })
  return index
}

interface Staff { id: string; username: string; displayName: string }

/** Every row checked against the school's accounts; reasons never repeat a cell's content. */
export function validateTrainings(sheet: Sheet, staff: Staff[], locale: Locale): { rows: TrainingRow[]; errors: TrainingRowError[]; badRows: number } {
  const index = mapHeaders(sheet.header)
  const byUsername = new Map(staff.map((s) => [s.username.toLowerCase(), s]))
  const rows: TrainingRow[] = []
  const errors: TrainingRowError[] = []
  const bad = new Set<number>()
  for (const { rowNo, cells } of sheet.rows) {
    const raw = (k: Key): Cell => { const i = index[k]; return i === undefined ? null : (cells[i] ?? null) }
    const text = (k: Key) => cellText(raw(k))
    if (cells.every((c) => cellText(c) === '')) continue
    const fail = (k: Key, code: string, params: Record<string, string | number> = {}) => {
      bad.add(rowNo)
      if (errors.length < MAX_LISTED_ERRORS) errors.push({ row: rowNo, field: HEADER_OF[k], reason: translate(code, locale, params) })
      return null
    }
    const textOf = (k: Key, max: number, required: boolean): string | null => {
      const s = text(k)
      if (!s) return required ? fail(k, 'import_required') : null
      if ([...s].length > max) return fail(k, 'import_too_long', { max })
      return s
    }
    // With an account the name may stay empty; without one it says who it was.
    const username = textOf('username', 64, false)
    const name = textOf('name', 50, !username)
    const course = textOf('course', 200, true)
    const provider = textOf('provider', 200, false)
    const certificate = textOf('certificate', 100, false)

    let hours: string | null = null
    const h = raw('hours')
    const n = typeof h === 'number' ? h : Number(cellText(h))
    if (cellText(h) === '') fail('hours', 'import_required')
    else if (!Number.isFinite(n) || n <= 0 || n > 1000 || Math.abs(Math.round(n * 10) - n * 10) > 1e-6) fail('hours', 'import_bad_hours')
    else hours = n.toFixed(1)

    let completedOn: string | null = null
    if (text('completedOn') === '') fail('completedOn', 'import_required')
    else if ((completedOn = parseDate(raw('completedOn'))) === null) fail('completedOn', 'import_bad_date')

    let userId: string | null = null
    let freeName: string | null = null
    if (username) {
      const account = byUsername.get(username.toLowerCase())
      if (!account) fail('username', 'import_training_unknown_account')
      else userId = account.id
    } else if (name) {
      const same = staff.filter((s) => normaliseCell(s.displayName) === name)
      if (same.length > 1) fail('name', 'import_training_ambiguous_name')
      else if (same.length === 1) userId = same[0]!.id
      else freeName = name
    }
    if (bad.has(rowNo)) continue
    rows.push({ rowNo, userId, name: freeName, course: course!, provider, hours: hours!, completedOn: completedOn!, certificate })
  }
  return { rows, errors, badRows: bad.size }
}

/** The same training twice (same person, course and day) is kept once. */
const keyOf = (r: { userId: unknown; name: unknown; course: unknown; completedOn: unknown }) =>
  JSON.stringify([r.userId ?? null, r.userId ? null : (r.name ?? null), r.course, r.completedOn])

export function createTrainingFileService(gw: Gateway) {
  /** The school's accounts, as the caller's users decision reaches them (names for matching and the export). */
  async function staffOf(tx: Tx, ctx: RequestContext): Promise<Staff[]> {
    const d = gw.policies.decide(ctx.actor, 'users', 'list')
    if (!d) return []
    const rows = await tx.select({ id: users.id, username: users.username, displayName: users.displayName }).from(users)
      .where(and(eq(users.schoolId, ctx.actor.schoolId!), d.where()))
    return rows
  }

  return {
    async importTrainings(ctx: RequestContext, file: Buffer, kind: FileKind, locale: Locale): Promise<{ created: number; skipped: number }> {
      const sheet = await readSpreadsheet(file, kind, sheetLimitsOf(gw.config))
      return gw.tx(ctx, async (tx) => {
        const { rows, errors, badRows } = validateTrainings(sheet, await staffOf(tx, ctx), locale)
        if (badRows > 0) throw new AppError(422, 'import_rejected', { count: badRows }, { errors, truncated: errors.length < badRows ? true : undefined })
        if (rows.length === 0) throw new AppError(422, 'import_empty')
        const existing = await tx.select({ userId: staffTrainings.userId, name: staffTrainings.name, course: staffTrainings.course, completedOn: staffTrainings.completedOn })
          .from(staffTrainings).where(ctx.decision.where())
        const seen = new Set(existing.map(keyOf))
        const fresh: TrainingRow[] = []
        for (const r of rows) {
          const k = keyOf(r)
          if (seen.has(k)) continue
          seen.add(k)
          fresh.push(r)
        }
        await gw.createMany(tx, ctx, ctx.decision, fresh.map((r) => ({
          input: { userId: r.userId, name: r.name, course: r.course, provider: r.provider, hours: r.hours, completedOn: r.completedOn, certificate: r.certificate },
          values: { schoolId: ctx.actor.schoolId!, createdBy: ctx.actor.userId },
        })), { action: 'C' })
        return { created: fresh.length, skipped: rows.length - fresh.length }
      })
    },

    async exportTrainings(ctx: RequestContext): Promise<Buffer> {
      const { items, staff } = await gw.tx(ctx, async (tx) => {
        const d = ctx.decision
        const r = await gw.list(tx, d, { sort: [{ field: 'completedOn', dir: 'desc' }, { field: 'id', dir: 'asc' }], limit: 50_000, offset: 0 })
        await gw.audit(tx, ctx, { action: 'E', recordIds: [], studentIds: [], fieldGroups: d.readGroups() })
        return { items: r.items, staff: await staffOf(tx, ctx) }
      })
      const byId = new Map(staff.map((s) => [s.id, s]))
      const wb = new (await excel()).Workbook()
      wb.creator = 'XinAn'
      const ws = wb.addWorksheet('教师培训')
      ws.columns = TRAINING_COLUMNS.map((c) => ({ header: c.header, key: c.key, width: c.width, style: c.key === 'hours' ? {} : { numFmt: '@' } }))
      ws.getRow(1).font = { bold: true }
      for (const t of items as Row[]) {
        const who = typeof t.userId === 'string' ? byId.get(t.userId) : undefined
        ws.addRow({
          name: who?.displayName ?? t.name ?? '', username: who?.username ?? '', course: t.course, provider: t.provider ?? '',
          hours: Number(t.hours), completedOn: t.completedOn, certificate: t.certificate ?? '',
        })
      }
      ws.views = [{ state: 'frozen', ySplit: 1 }]
      return Buffer.from(await wb.xlsx.writeBuffer())
    },
  }
}

/** 教师培训导入模板: the import's own headers, one valid example row and a sheet of notes. */
export async function trainingTemplateXlsx(locale: Locale): Promise<Buffer> {
  const wb = new (await excel()).Workbook()
  wb.creator = 'XinAn'
  const ws = wb.addWorksheet('教师培训')
  ws.columns = TRAINING_COLUMNS.map((c) => ({ header: c.header, key: c.key, width: c.width, style: c.key === 'hours' ? {} : { numFmt: '@' } }))
  ws.getRow(1).font = { bold: true }
  ws.addRow({ name: '李老师', username: '', course: '中小学心理危机识别与干预', provider: '区教师发展中心', hours: 8, completedOn: '2026-10-15', certificate: '' })
  ws.views = [{ state: 'frozen', ySplit: 1 }]
  const zh = locale !== 'en'
  const notes = wb.addWorksheet(zh ? '填写说明' : 'How to fill in')
  notes.columns = [{ width: 12 }, { width: 16 }, { width: 90 }]
  notes.addRow(zh ? ['列名', '含义', '填写要求'] : ['Column', 'Meaning', 'How to fill in']).font = { bold: true }
  for (const c of TRAINING_COLUMNS) notes.addRow([c.header, TRAINING_LABEL[c.key][locale], NOTES[c.key][locale]])
  notes.addRow([])
  notes.addRow([zh
    ? '第 2 行是示例，导入前请改写或删除。任何一行有误时整个文件不导入，并列出每个问题的行号和列名。同一人、同一培训、同一日期的记录只保存一次。'
    : 'Row 2 is an example: replace or delete it before importing. If any row has an error nothing is imported, and each problem is listed by row and column. The same person, course and date is kept once.'])
  return Buffer.from(await wb.xlsx.writeBuffer())
}
