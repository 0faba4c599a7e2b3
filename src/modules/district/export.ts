import type ExcelJS from 'exceljs'
import { excel } from '../../lib/spreadsheet/excel.js'
import { DEFAULT_THRESHOLD } from './suppression.js'
import { ACTIVITY_KINDS, RISK_COLUMNS, TALK_STATUSES, UNASSESSED, type Cell, type DistrictTables } from './tables.js'
import { schoolDateTime } from '../../lib/school-time.js'
import type { StaffingDistrict } from './staffing-table.js'

/**
 * The district tables as one .xlsx: the very cells the API serves, after the same
 * joint suppression — nothing is recomputed here, so the file cannot disclose more than the
 * screens do.
 */

interface SchoolPart { code: string; name: string }
interface RiskRow { cells: Record<string, Cell>; total: Cell }
interface RiskSchool extends SchoolPart { rows: Array<RiskRow & { grade: string }>; subtotal: RiskRow }
interface RiskTable { schools: RiskSchool[]; total: RiskRow }
interface CoverageRow { enrolled: Cell; screened: Cell; coverage: Cell }
interface CoverageTable { schools: Array<SchoolPart & { rows: Array<CoverageRow & { grade: string }>; subtotal: CoverageRow }>; total: CoverageRow }
type TalkRow = Record<string, Cell> & { kind: string; windowKey: string }
interface TalkTable { windows: Array<{ kind: string; windowKey: string; label: string }>; schools: Array<SchoolPart & { rows: TalkRow[] }>; total: TalkRow[] }
type FlatTable = { schools: Array<SchoolPart & Record<string, Cell>>; total: Record<string, Cell> }

export interface StaffingAnswer {
  table: 'staffing'
  year: number
  generatedAt: string
  releaseId: string | null
  releasedOn: string | null
  /** Staff counts of this many people or fewer (but not zero) are withheld. */
  threshold: number
  largeSchoolEnrolment: number
  fullTimeNeeded: number
  districts: Array<StaffingDistrict & { releaseId: string; releasedOn: string }>
}

export const SUPPRESSED_MARK = '*'

function out(c: Cell | undefined): string | number {
  if (!c) return ''
  if (c.suppressed) return SUPPRESSED_MARK
  return c.value === null ? '—' : c.value
}

function sheet(wb: ExcelJS.Workbook, name: string, header: string[]): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name)
  ws.addRow(header)
  ws.getRow(1).font = { bold: true }
  header.forEach((_, i) => { ws.getColumn(i + 1).width = i < 2 ? 18 : 12 })
  ws.views = [{ state: 'frozen', ySplit: 1 }]
  return ws
}

export async function districtWorkbook(results: DistrictTables[], staffing?: StaffingAnswer, releasedOn: string[] = [], timeZone = 'Asia/Shanghai'): Promise<Buffer> {
  const wb = new (await excel()).Workbook()
  wb.creator = 'XinAn'
  const first = results[0]
  const notes = wb.addWorksheet('说明 Notes')
  notes.columns = [{ width: 110 }]
  for (const line of [
    '心安 XinAn — 区级汇总表 District aggregate tables',
    `学年 School year: ${first?.schoolYear ?? ''}（上一学年 previous: ${first?.previousSchoolYear ?? ''}）  生成时间 Generated: ${schoolDateTime(first?.generatedAt, timeZone)}（${timeZone}）`,
    '',
    `隐去规则：1 至 ${DEFAULT_THRESHOLD} 的计数不公布（显示为 ${SUPPRESSED_MARK}），0 照常显示；为防止通过行、列、全区合计或其他表格相减推算，另有部分单元格一并隐去（补充隐去）。比例在其分子或分母被隐去时不公布；中位数在其人数被隐去时不公布。`,
    `Suppression: counts from 1 to ${DEFAULT_THRESHOLD} are withheld (shown as ${SUPPRESSED_MARK}); 0 is shown. Further cells are withheld (complementary suppression) so that no withheld count can be worked out from row, column or district totals or from another table. A share is withheld when its numerator or denominator is; a median when its count is.`,
    '本文件不含任何学生个人信息。This file holds no information about any individual student.',
  ]) notes.addRow([line])

  const riskHeader = (cols: ReadonlyArray<{ colour: string; labelZh: string }>, total: string) =>
    ['学校 School', '年级 Grade', ...cols.map((c) => `${c.colour} ${c.labelZh}`), total]
  const riskRows = (ws: ExcelJS.Worksheet, t: RiskTable, cols: ReadonlyArray<{ key: string }>, prefix: string[] = []) => {
    for (const s of t.schools) {
      for (const r of s.rows) ws.addRow([...prefix, `${s.code} ${s.name}`, r.grade, ...cols.map((c) => out(r.cells[c.key])), out(r.total)])
      ws.addRow([...prefix, `${s.code} ${s.name}`, '小计 Subtotal', ...cols.map((c) => out(s.subtotal.cells[c.key])), out(s.subtotal.total)])
    }
    ws.addRow([...prefix, '全区合计 District', '', ...cols.map((c) => out(t.total.cells[c.key])), out(t.total.total)]).font = { bold: true }
  }

  const cur = [...RISK_COLUMNS, UNASSESSED]
  const ws1 = sheet(wb, '当前风险 Risk now', riskHeader(cur, '在籍 Enrolled'))
  for (const r of results) riskRows(ws1, r.tables['risk-current'] as RiskTable, cur)

  const ws2 = sheet(wb, '学年风险 Risk by year', ['学年 Year', ...riskHeader(RISK_COLUMNS, '已测评 Screened')])
  for (const r of results) {
    for (const y of (r.tables['risk-by-year'] as { years: Array<RiskTable & { schoolYear: string }> }).years) riskRows(ws2, y, RISK_COLUMNS, [y.schoolYear])
  }

  const ws3 = sheet(wb, '测评覆盖 Coverage', ['学校 School', '年级 Grade', '在籍 Enrolled', '已测评 Screened', '覆盖率 % Coverage'])
  for (const r of results) {
    const t = r.tables['screening-coverage'] as CoverageTable
    const row = (a: string, b: string, c: CoverageRow) => ws3.addRow([a, b, out(c.enrolled), out(c.screened), out(c.coverage)])
    for (const s of t.schools) {
      for (const g of s.rows) row(`${s.code} ${s.name}`, g.grade, g)
      row(`${s.code} ${s.name}`, '小计 Subtotal', s.subtotal)
    }
    row('全区合计 District', '', t.total).font = { bold: true }
  }

  const ws4 = sheet(wb, '三个必谈 Talks', ['学校 School', '时段 Window', '应谈 Due', ...TALK_STATUSES.map((s) => `${s.labelZh} ${s.labelEn}`), '按时率 % On time'])
  for (const r of results) {
    const t = r.tables['talk-compliance'] as TalkTable
    const label = new Map(t.windows.map((w) => [`${w.kind}|${w.windowKey}`, w.label]))
    const row = (who: string, x: TalkRow) => ws4.addRow([who, label.get(`${x.kind}|${x.windowKey}`) ?? x.windowKey, out(x.total), ...TALK_STATUSES.map((s) => out(x[s.key])), out(x.onTimeRate)])
    for (const s of t.schools) for (const x of s.rows) row(`${s.code} ${s.name}`, x)
    for (const x of t.total) row('全区合计 District', x).font = { bold: true }
  }

  const flat = (name: string, header: string[], keys: string[], table: (r: DistrictTables) => FlatTable) => {
    const ws = sheet(wb, name, ['学校 School', ...header])
    for (const r of results) {
      const t = table(r)
      for (const s of t.schools) ws.addRow([`${s.code} ${s.name}`, ...keys.map((k) => out(s[k]))])
      ws.addRow(['全区合计 District', ...keys.map((k) => out(t.total[k]))]).font = { bold: true }
    }
  }
  flat('家校协同 Home-school', [...ACTIVITY_KINDS.map((k) => `${k.labelZh} ${k.labelEn}`), '合计 Total', '参与人次 Attendance'],
    [...ACTIVITY_KINDS.map((k) => k.key), 'total', 'attendance'], (r) => r.tables['home-school-activities'] as FlatTable)
  flat('转介 Referrals', ['已转出 Sent', '有回执 With receipt', '回执率 % Receipt', '已结案 Closed', '结案率 % Closed', '回执天数中位数 Median days'],
    ['sent', 'withReceipt', 'receiptShare', 'closed', 'closedShare', 'medianDaysToReceipt'], (r) => r.tables.referrals as FlatTable)
  flat('危机响应 Crisis', ['应确认 Due', '按时确认 On time', '按时率 % On time'],
    ['due', 'acknowledgedOnTime', 'onTimeShare'], (r) => r.tables['crisis-response'] as FlatTable)

  if (staffing) {
    const ws = sheet(wb, '心理教师配备 Staffing', ['学校 School', '专职 Full-time', '兼职 Part-time', '持证 Certified',
      `培训学时 Training hours ${staffing.year}`, `大校（在籍≥${staffing.largeSchoolEnrolment}）Large school`, '配备达标 Rule holds'])
    const yes = (b: boolean) => (b ? '是 yes' : '否 no')
    for (const d of staffing.districts) {
      for (const s of d.schools) ws.addRow([`${s.code} ${s.name}`, out(s.fullTime), out(s.partTime), out(s.certified), out(s.trainingHours), yes(s.largeSchool), yes(s.ruleHolds)])
      ws.addRow(['全区合计 District', out(d.total.fullTime), out(d.total.partTime), out(d.total.certified), out(d.total.trainingHours), '',
        `${d.total.ruleHolds}/${d.total.schools}`]).font = { bold: true }
    }
  }

  if (releasedOn.length) {
    const ws = sheet(wb, '发布 Release', ['数据发布日期 Released on', '说明 Note'])
    for (const day of releasedOn) ws.addRow([day, '各数已加有界扰动（单元键法），1–10 已隐去 Counts carry bounded cell-key noise; 1–10 withheld'])
  }

  return Buffer.from(await wb.xlsx.writeBuffer())
}
