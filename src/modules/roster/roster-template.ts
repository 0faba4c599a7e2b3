import { excel } from '../../lib/spreadsheet/excel.js'
import type { Locale } from '../../lib/i18n.js'
import { ROSTER_COLUMNS, type ColumnKey } from './import.js'

/**
 * 学生名册导入模板: the import's own Chinese headers and one example row, so a school starts
 * from a file the importer reads as it is. The example row is valid on purpose (the file
 * imports as downloaded); the notes sheet says to replace it.
 */

/** Each column's name in the caller's language (the file's headers stay Chinese). */
export const COLUMN_LABEL: Record<ColumnKey, Record<Locale, string>> = {
  name: { 'zh-CN': '姓名', en: 'Name' },
  studentNo: { 'zh-CN': '学号', en: 'Student number' },
  nationalId: { 'zh-CN': '学籍号', en: 'National student number' },
  gender: { 'zh-CN': '性别', en: 'Gender' },
  birthDate: { 'zh-CN': '出生日期', en: 'Date of birth' },
  grade: { 'zh-CN': '年级', en: 'Grade' },
  class: { 'zh-CN': '班级', en: 'Class' },
  guardian: { 'zh-CN': '监护人', en: 'Guardian' },
  phone: { 'zh-CN': '联系电话', en: 'Phone' },
  relation: { 'zh-CN': '关系', en: 'Relation' },
  status: { 'zh-CN': '状态', en: 'Status' },
}

/** A row error's column (the Chinese header the importer reports) in the caller's language. */
export function columnLabel(header: string, locale: Locale): string {
  const col = ROSTER_COLUMNS.find((c) => c.header === header)
  return col ? COLUMN_LABEL[col.key][locale] : header
}

const EXAMPLE: Record<ColumnKey, string> = {
  name: '张小明', studentNo: '2026070101', nationalId: 'G110101201309010012', gender: '男', birthDate: '2013-09-01', grade: '七年级', class: '1班',
  guardian: '张建国', phone: '13800138000', relation: '父亲', status: '在读',
}

const NOTES: Record<ColumnKey, Record<Locale, string>> = {
  name: { 'zh-CN': '必填，最多 50 字', en: 'Required, at most 50 characters' },
  studentNo: { 'zh-CN': '必填，字母、数字、“-”或“_”，最多 32 位。名册中已有的学号会更新该学生', en: 'Required: letters, digits, - or _, at most 32. A number already on the roster updates that student' },
  nationalId: { 'zh-CN': '选填，全国学籍号（字母和数字，6–32 位）。导入时先按学籍号匹配已有学生；同一学籍号不能属于本校两名在读学生', en: 'Optional: the national student number (letters and digits, 6–32). The import matches an existing student by it first; two current students of the school cannot share one' },
  gender: { 'zh-CN': '必填，男 或 女', en: 'Required: 男 (male) or 女 (female)' },
  birthDate: { 'zh-CN': '可留空，如 2013-09-01 或 2013/9/1', en: 'May be empty; e.g. 2013-09-01 or 2013/9/1' },
  grade: { 'zh-CN': '必填，如 七年级、初一、7、高一', en: 'Required: e.g. 七年级, 初一, 7, 高一' },
  class: { 'zh-CN': '必填，如 1班、(1)班、七年级(1)班。名册中没有的年级和班级会自动创建', en: 'Required: e.g. 1班, (1)班, 七年级(1)班. Grades and classes not yet on the roster are created' },
  guardian: { 'zh-CN': '可留空；填写了联系电话时必填', en: 'May be empty; required when a phone number is given' },
  phone: { 'zh-CN': '可留空，手机或座机号码', en: 'May be empty; a mobile or landline number' },
  relation: { 'zh-CN': '选填，如 父亲、母亲；留空记为“监护人”', en: 'Optional: e.g. 父亲 (father), 母亲 (mother); empty means 监护人 (guardian)' },
  status: { 'zh-CN': '选填，在读、离校 或 毕业；留空时新学生为在读，已有学生不变', en: 'Optional: 在读 (enrolled), 离校 (left) or 毕业 (graduated); empty keeps an existing student’s status, new students are enrolled' },
}

const WIDTH: Record<ColumnKey, number> = {
  name: 12, studentNo: 16, nationalId: 22, gender: 6, birthDate: 12, grade: 10, class: 14, guardian: 12, phone: 16, relation: 8, status: 8,
}

/** Rows of the sheet that get the 性别 / 状态 drop-downs (far more than a school's roster). */
const LIST_ROWS = 2000

export async function templateXlsx(locale: Locale): Promise<Buffer> {
  const wb = new (await excel()).Workbook()
  wb.creator = 'XinAn'
  // The roster sheet comes first: the importer reads the first sheet that has content.
  const ws = wb.addWorksheet('学生名册')
  // Text format keeps 学号 and phone numbers from turning into numbers (and losing leading zeros).
  ws.columns = ROSTER_COLUMNS.map((c) => ({ header: c.header, key: c.key, width: WIDTH[c.key], style: { numFmt: '@' } }))
  ws.getRow(1).font = { bold: true }
  ws.addRow(EXAMPLE)
  ws.views = [{ state: 'frozen', ySplit: 1 }]
  // Cell by cell (what exceljs types); the writer merges them into one range per column.
  const lists: Array<[ColumnKey, string]> = [['gender', '"男,女"'], ['status', '"在读,离校,毕业"']]
  for (const [key, formula] of lists) {
    const col = ws.getColumn(key).number
    for (let r = 2; r <= LIST_ROWS; r++) ws.getCell(r, col).dataValidation = { type: 'list', allowBlank: true, formulae: [formula] }
  }

  const zh = locale !== 'en'
  const notes = wb.addWorksheet(zh ? '填写说明' : 'How to fill in')
  notes.columns = [{ width: 12 }, { width: 18 }, { width: 90 }]
  notes.addRow(zh ? ['列名', '含义', '填写要求'] : ['Column', 'Meaning', 'How to fill in']).font = { bold: true }
  for (const c of ROSTER_COLUMNS) notes.addRow([c.header, COLUMN_LABEL[c.key][locale], NOTES[c.key][locale]])
  notes.addRow([])
  notes.addRow([zh
    ? '第 2 行是示例，导入前请改写或删除。上传后系统先列出每一行的问题（行号和原因），确认无误后才会导入。'
    : 'Row 2 is an example: replace or delete it before importing. After upload every problem is listed by row number and reason before anything is imported.'])
  return Buffer.from(await wb.xlsx.writeBuffer())
}

/** The same as CSV (UTF-8 with a BOM, so Excel opens the Chinese headers correctly). */
export function templateCsv(): Buffer {
  const line = (cells: string[]) => cells.join(',')
  const text = '\uFEFF' + [line(ROSTER_COLUMNS.map((c) => c.header)), line(ROSTER_COLUMNS.map((c) => EXAMPLE[c.key]))].join('\r\n') + '\r\n'
  return Buffer.from(text, 'utf8')
}
