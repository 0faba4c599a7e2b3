import type { Aggregates, SchoolYearWindow } from './repository.js'
import { DEFAULT_THRESHOLD, suppressCells, type Relation } from './suppression.js'
import { KEY_SPACE, perturb } from './cell-key.js'

/**
 * The fixed district tables, built as one joint system: every published count is a
 * cell with a semantic id (`enrolled|<school>|<grade>` …) and every total or identity the
 * tables show is a relation between cells, so suppression is decided once for all of them.
 */

export interface Cell { value: number | null; suppressed: boolean }

export const TableNames = [
  'risk-current', 'risk-by-year', 'screening-coverage', 'talk-compliance', 'home-school-activities', 'referrals', 'crisis-response',
] as const
export type TableName = (typeof TableNames)[number]

export interface SchoolInfo { schoolId: string; code: string; name: string; stage: string }

/** 红/橙/黄/绿 with their text (高危 / 较高 / 关注 / 一般); the colour never travels alone. */
export const RISK_COLUMNS = [
  { key: 'red', rank: 4, colour: '红', labelZh: '高危', labelEn: 'High risk' },
  { key: 'orange', rank: 3, colour: '橙', labelZh: '较高', labelEn: 'Elevated' },
  { key: 'yellow', rank: 2, colour: '黄', labelZh: '关注', labelEn: 'Watch' },
  { key: 'green', rank: 1, colour: '绿', labelZh: '一般', labelEn: 'General' },
] as const
export const UNASSESSED = { key: 'unassessed', rank: 0, colour: '—', labelZh: '未评估', labelEn: 'Unassessed' } as const
const CURRENT_COLUMNS = [...RISK_COLUMNS, UNASSESSED]

export const TALK_STATUSES = [
  { key: 'done', status: 'done', labelZh: '按时完成', labelEn: 'Done on time' },
  { key: 'doneLate', status: 'done_late', labelZh: '逾期完成', labelEn: 'Done late' },
  { key: 'overdue', status: 'overdue', labelZh: '逾期未谈', labelEn: 'Overdue' },
  { key: 'open', status: 'open', labelZh: '未到期', labelEn: 'Open' },
] as const
export const TALK_KINDS: Record<string, { zh: string; en: string }> = {
  semester: { zh: '每学期必谈', en: 'Every semester' },
  monthly: { zh: '每月必谈', en: 'Monthly (care list)' },
  holiday_return: { zh: '重大节假日返校必谈', en: 'After major holidays' },
}
export const ACTIVITY_KINDS = [
  { key: 'parentSchool', kind: 'parent_school', labelZh: '家长学校', labelEn: 'Parent school' },
  { key: 'homeVisit', kind: 'home_visit', labelZh: '家访', labelEn: 'Home visits' },
  { key: 'parentMeeting', kind: 'parent_meeting', labelZh: '家长会', labelEn: 'Parent meetings' },
  { key: 'other', kind: null, labelZh: '其他', labelEn: 'Other' },
] as const

const GRADE_NAMES = ['', '一年级', '二年级', '三年级', '四年级', '五年级', '六年级', '七年级', '八年级', '九年级', '高一', '高二', '高三']
export const gradeLabel = (level: number) => GRADE_NAMES[level] ?? `${level}年级`

export function windowLabel(kind: string, key: string): string {
  const k = TALK_KINDS[kind]?.zh ?? kind
  const sem = /^(\d{4}-\d{4})-([12])$/.exec(key)
  if (sem) return `${sem[1]}学年第${sem[2]}学期 ${k}`
  const month = /^(\d{4})-(\d{2})$/.exec(key)
  if (month) return `${month[1]}年${Number(month[2])}月 ${k}`
  const holiday = /^holiday:(\d{4}-\d{2}-\d{2})$/.exec(key)
  if (holiday) return `${holiday[1]}返校 ${k}`
  return `${key} ${k}`
}

// Placeholders in the table skeletons, filled once the joint suppression is known.
type Ph = { $c: string } | { $pct: [string, string] } | { $med: [number | null, string] }

/**
 * The cells and relations of one district's tables, by position: a cell's id is looked up once
 * when it is named, and the suppression engine takes the positions as they are.
 */
class Ledger {
  readonly ids: string[] = []
  readonly values: number[] = []
  readonly relations: Relation[] = []
  private readonly index = new Map<string, number>()

  cell(id: string, value: number): void {
    const at = this.index.get(id)
    if (at === undefined) {
      this.index.set(id, this.ids.length)
      this.ids.push(id)
      this.values.push(value)
    } else if (this.values[at] !== value) {
      throw new Error(`district tables: cell ${id} published with two values`)
    }
  }

  /** A cell's position: a cell is published (cell) before a relation or the renderer names it. */
  at(id: string): number {
    const at = this.index.get(id)
    if (at === undefined) throw new Error(`district tables: no cell ${id}`)
    return at
  }

  value(id: string): number { return this.values[this.at(id)]! }

  /** total = Σ parts */
  sum(total: string, parts: string[], label: string): void {
    const idx = [this.at(total)]
    const coef = [1]
    for (const p of parts) { idx.push(this.at(p)); coef.push(-1) }
    this.relations.push({ kind: 'eq', idx, coef, label })
  }

  /** A new cell `total` with the value Σ parts, and the relation that says so. */
  total(total: string, parts: string[], label: string): void {
    let v = 0
    for (const p of parts) v += this.value(p)
    this.cell(total, v)
    this.sum(total, parts, label)
  }

  /** Σ parts ≤ Σ wholes */
  le(parts: string[], wholes: string[], label: string): void {
    const idx: number[] = []
    const coef: number[] = []
    for (const p of parts) { idx.push(this.at(p)); coef.push(1) }
    for (const w of wholes) { idx.push(this.at(w)); coef.push(-1) }
    this.relations.push({ kind: 'le', idx, coef, label })
  }
}

export interface DistrictTables {
  districtId: string
  schoolYear: string
  previousSchoolYear: string
  generatedAt: string
  tables: Record<TableName, unknown>
  stats: { cells: number; relations: number; suppressed: number; primary: number; complementary: number; rounds: number; unprotected: number }
}

const pct = (num: string, den: string): Ph => ({ $pct: [num, den] })
const END = Symbol('id')
type IdNode = Map<string | number | symbol, IdNode | string>

/**
 * Cell ids, each built once per computation and handed out again as the same string: the
 * ledger, the suppression engine and the renderer look every id up in maps, and a string seen
 * before hashes and compares at once (tens of thousands of lookups per district).
 */
function idMaker(): (...parts: Array<string | number>) => string {
  const root: IdNode = new Map()
  return (...parts) => {
    let node = root
    for (const p of parts) {
      let next = node.get(p) as IdNode | undefined
      if (!next) node.set(p, next = new Map())
      node = next
    }
    let made = node.get(END) as string | undefined
    if (made === undefined) node.set(END, made = parts.join('|'))
    return made
  }
}

/**
 * Builds, perturbs, suppresses and renders every table of one district. With `cellKey` (the
 * default) every innermost count is published as perturb(count, cell key) and every total as
 * the sum of the published cells it adds up, so the tables add up exactly and suppression
 * (1–10 withheld, complementary) runs on the published values. Subset relations (screened ≤
 * enrolled, receipt ≤ sent, on time ≤ due) are kept by lowering the part when noise would
 * push it over its whole. `cellKey: false` gives the exact counts (tests of the counting).
 */
export function buildDistrictTables(districtId: string, schools: SchoolInfo[], agg: Aggregates, y: SchoolYearWindow, threshold = DEFAULT_THRESHOLD, opts: { cellKey?: boolean } = {}): DistrictTables {
  const noisy = opts.cellKey ?? true
  const id = idMaker()
  const P = (n: number, key: number) => (noisy ? perturb(n, key) : n)
  const addKey = (a: number, b: number) => (a + b) % KEY_SPACE
  const L = new Ledger()
  const levelsOf = new Map<string, number[]>(schools.map((s) => [s.schoolId, []]))
  for (const g of agg.grades) levelsOf.get(g.schoolId)?.push(g.level)
  for (const [k, v] of levelsOf) levelsOf.set(k, [...new Set(v)].sort((a, b) => a - b))

  // ---- risk-current: enrolled students by current risk; row total = enrolled.
  const cur = new Map<string, { n: number; key: number }>()
  for (const r of agg.riskCurrent) {
    const k = id(r.schoolId, r.level, r.rank)
    const had = cur.get(k) ?? { n: 0, key: 0 }
    cur.set(k, { n: had.n + r.n, key: addKey(had.key, r.key) })
    // A student in a grade the grades table lacks cannot happen (foreign key); keep the level anyway.
    const lv = levelsOf.get(r.schoolId)
    if (lv && !lv.includes(r.level)) { lv.push(r.level); lv.sort((a, b) => a - b) }
  }
  const riskCells = (prefix: string, cols: readonly { key: string }[], school: string, grade: string | number) =>
    Object.fromEntries(cols.map((c) => [c.key, { $c: id(prefix, school, grade, c.key) }]))

  const riskCurrentSchools = schools.map((s) => {
    const levels = levelsOf.get(s.schoolId) ?? []
    const rows = levels.map((level) => {
      let total = 0
      for (const c of CURRENT_COLUMNS) {
        const x = cur.get(id(s.schoolId, level, c.rank))
        const n = x ? P(x.n, x.key) : 0
        total += n
        L.cell(id('riskc', s.schoolId, level, c.key), n)
      }
      L.cell(id('enrolled', s.schoolId, level), total)
      L.sum(id('enrolled', s.schoolId, level), CURRENT_COLUMNS.map((c) => id('riskc', s.schoolId, level, c.key)), `risk-current row ${s.code} ${level}`)
      return { level, grade: gradeLabel(level), cells: riskCells('riskc', CURRENT_COLUMNS, s.schoolId, level), total: { $c: id('enrolled', s.schoolId, level) } }
    })
    for (const c of CURRENT_COLUMNS) {
      const parts = levels.map((lv) => id('riskc', s.schoolId, lv, c.key))
      L.total(id('riskc', s.schoolId, '*', c.key), parts, `risk-current school column ${s.code} ${c.key}`)
    }
    const enrolledParts = levels.map((lv) => id('enrolled', s.schoolId, lv))
    L.total(id('enrolled', s.schoolId, '*'), enrolledParts, `enrolled school ${s.code}`)
    L.sum(id('enrolled', s.schoolId, '*'), CURRENT_COLUMNS.map((c) => id('riskc', s.schoolId, '*', c.key)), `risk-current school row ${s.code}`)
    return { ...s, rows, subtotal: { cells: riskCells('riskc', CURRENT_COLUMNS, s.schoolId, '*'), total: { $c: id('enrolled', s.schoolId, '*') } } }
  })
  for (const c of CURRENT_COLUMNS) {
    const parts = schools.map((s) => id('riskc', s.schoolId, '*', c.key))
    L.total(id('riskc', '*', '*', c.key), parts, `risk-current district ${c.key}`)
  }
  {
    const parts = schools.map((s) => id('enrolled', s.schoolId, '*'))
    L.total(id('enrolled', '*', '*'), parts, 'enrolled district')
    L.sum(id('enrolled', '*', '*'), CURRENT_COLUMNS.map((c) => id('riskc', '*', '*', c.key)), 'risk-current district row')
  }
  const riskCurrent = {
    columns: CURRENT_COLUMNS.map(({ key, colour, labelZh, labelEn }) => ({ key, colour, labelZh, labelEn })),
    schools: riskCurrentSchools,
    total: { cells: riskCells('riskc', CURRENT_COLUMNS, '*', '*'), total: { $c: id('enrolled', '*', '*') } },
  }

  // ---- risk-by-year: enrolled students screened in the school year, by their highest risk.
  const byYear = new Map<string, { n: number; key: number }>()
  for (const r of agg.riskByYear) {
    const k = id(r.schoolYear, r.schoolId, r.level, r.rank)
    const had = byYear.get(k) ?? { n: 0, key: 0 }
    byYear.set(k, { n: had.n + r.n, key: addKey(had.key, r.key) })
  }
  const years = [y.current, y.previous].map((year) => {
    const pre = `risky:${year}`
    const scr = `screened:${year}`
    const yearSchools = schools.map((s) => {
      const levels = levelsOf.get(s.schoolId) ?? []
      const rows = levels.map((level) => {
        const vals = RISK_COLUMNS.map((c) => {
          const x = byYear.get(id(year, s.schoolId, level, c.rank))
          return x ? P(x.n, x.key) : 0
        })
        // The screened of a row are at most the enrolled (this year: those with a current risk).
        const bound = year === y.current
          ? RISK_COLUMNS.reduce((a, c) => a + L.value(id('riskc', s.schoolId, level, c.key)), 0)
          : L.value(id('enrolled', s.schoolId, level))
        lowerTo(vals, bound)
        let total = 0
        for (const [i, c] of RISK_COLUMNS.entries()) {
          total += vals[i]!
          L.cell(id(pre, s.schoolId, level, c.key), vals[i]!)
        }
        L.cell(id(scr, s.schoolId, level), total)
        L.sum(id(scr, s.schoolId, level), RISK_COLUMNS.map((c) => id(pre, s.schoolId, level, c.key)), `risk-by-year row ${year} ${s.code} ${level}`)
        // Only students enrolled now are counted, so the screened never exceed the enrolled.
        L.le([id(scr, s.schoolId, level)], [id('enrolled', s.schoolId, level)], `screened ≤ enrolled ${year} ${s.code} ${level}`)
        return { level, grade: gradeLabel(level), cells: riskCells(pre, RISK_COLUMNS, s.schoolId, level), total: { $c: id(scr, s.schoolId, level) } }
      })
      for (const c of RISK_COLUMNS) {
        const parts = levels.map((lv) => id(pre, s.schoolId, lv, c.key))
        L.total(id(pre, s.schoolId, '*', c.key), parts, `risk-by-year school column ${year} ${s.code} ${c.key}`)
      }
      const parts = levels.map((lv) => id(scr, s.schoolId, lv))
      L.total(id(scr, s.schoolId, '*'), parts, `screened school ${year} ${s.code}`)
      L.sum(id(scr, s.schoolId, '*'), RISK_COLUMNS.map((c) => id(pre, s.schoolId, '*', c.key)), `risk-by-year school row ${year} ${s.code}`)
      L.le([id(scr, s.schoolId, '*')], [id('enrolled', s.schoolId, '*')], `screened ≤ enrolled ${year} ${s.code}`)
      return { ...s, rows, subtotal: { cells: riskCells(pre, RISK_COLUMNS, s.schoolId, '*'), total: { $c: id(scr, s.schoolId, '*') } } }
    })
    for (const c of RISK_COLUMNS) {
      const parts = schools.map((s) => id(pre, s.schoolId, '*', c.key))
      L.total(id(pre, '*', '*', c.key), parts, `risk-by-year district ${year} ${c.key}`)
    }
    const parts = schools.map((s) => id(scr, s.schoolId, '*'))
    L.total(id(scr, '*', '*'), parts, `screened district ${year}`)
    L.sum(id(scr, '*', '*'), RISK_COLUMNS.map((c) => id(pre, '*', '*', c.key)), `risk-by-year district row ${year}`)
    L.le([id(scr, '*', '*')], [id('enrolled', '*', '*')], `screened ≤ enrolled ${year} district`)
    return {
      schoolYear: year,
      schools: yearSchools,
      total: { cells: riskCells(pre, RISK_COLUMNS, '*', '*'), total: { $c: id(scr, '*', '*') } },
    }
  })
  const riskByYear = {
    columns: RISK_COLUMNS.map(({ key, colour, labelZh, labelEn }) => ({ key, colour, labelZh, labelEn })),
    years,
  }

  // ---- screening-coverage: screened / enrolled this school year (the same cells as above).
  const scrCur = `screened:${y.current}`
  const coverageRow = (school: string, grade: string | number) => {
    // A screened student has a risk, so is never unassessed: screened + unassessed ≤ enrolled.
    L.le([id(scrCur, school, grade), id('riskc', school, grade, UNASSESSED.key)], [id('enrolled', school, grade)], `screened + unassessed ≤ enrolled ${school} ${grade}`)
    return {
      enrolled: { $c: id('enrolled', school, grade) } as Ph,
      screened: { $c: id(scrCur, school, grade) } as Ph,
      coverage: pct(id(scrCur, school, grade), id('enrolled', school, grade)),
    }
  }
  const coverage = {
    schools: schools.map((s) => ({
      ...s,
      rows: (levelsOf.get(s.schoolId) ?? []).map((level) => ({ level, grade: gradeLabel(level), ...coverageRow(s.schoolId, level) })),
      subtotal: coverageRow(s.schoolId, '*'),
    })),
    total: coverageRow('*', '*'),
  }

  // ---- talk-compliance: 三个必谈 duties per school and window, by status.
  const talkCount = new Map<string, { n: number; key: number }>()
  const windowSet = new Map<string, { kind: string; windowKey: string }>()
  for (const r of agg.talks) {
    if (!TALK_STATUSES.some((t) => t.status === r.status)) continue
    const w = id(r.kind, r.windowKey)
    windowSet.set(w, { kind: r.kind, windowKey: r.windowKey })
    const k = id(r.schoolId, w, r.status)
    const had = talkCount.get(k) ?? { n: 0, key: 0 }
    talkCount.set(k, { n: had.n + r.n, key: addKey(had.key, r.key) })
  }
  const kindOrder = Object.keys(TALK_KINDS)
  const windows = [...windowSet.values()].sort((a, b) =>
    (kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind)) || a.windowKey.localeCompare(b.windowKey))
  const talkRow = (school: string, w: { kind: string; windowKey: string }) => {
    const base = id('talk', school, w.kind, w.windowKey)
    return {
      kind: w.kind,
      windowKey: w.windowKey,
      total: { $c: id(base, 'total') } as Ph,
      ...Object.fromEntries(TALK_STATUSES.map((t) => [t.key, { $c: id(base, t.status) }])),
      onTimeRate: pct(id(base, 'done'), id(base, 'total')),
    }
  }
  for (const w of windows) {
    for (const s of schools) {
      const base = id('talk', s.schoolId, w.kind, w.windowKey)
      let total = 0
      for (const t of TALK_STATUSES) {
        const x = talkCount.get(id(s.schoolId, id(w.kind, w.windowKey), t.status))
        const n = x ? P(x.n, x.key) : 0
        total += n
        L.cell(id(base, t.status), n)
      }
      L.cell(id(base, 'total'), total)
      L.sum(id(base, 'total'), TALK_STATUSES.map((t) => id(base, t.status)), `talk identity ${s.code} ${w.windowKey}`)
    }
    const dbase = id('talk', '*', w.kind, w.windowKey)
    for (const key of ['total', ...TALK_STATUSES.map((t) => t.status)]) {
      const parts = schools.map((s) => id('talk', s.schoolId, w.kind, w.windowKey, key))
      L.total(id(dbase, key), parts, `talk district ${w.windowKey} ${key}`)
    }
    L.sum(id(dbase, 'total'), TALK_STATUSES.map((t) => id(dbase, t.status)), `talk district identity ${w.windowKey}`)
  }
  const talkCompliance = {
    statuses: TALK_STATUSES.map(({ key, labelZh, labelEn }) => ({ key, labelZh, labelEn })),
    windows: windows.map((w) => ({ ...w, label: windowLabel(w.kind, w.windowKey) })),
    schools: schools.map((s) => ({ ...s, rows: windows.map((w) => talkRow(s.schoolId, w)) })),
    total: windows.map((w) => talkRow('*', w)),
  }

  // ---- home-school-activities: 家校协同 activities this school year, by kind, with attendance.
  const act = new Map<string, { n: number; attendance: number; key: number }>()
  for (const r of agg.activities) {
    const kind = ACTIVITY_KINDS.find((k) => k.kind === r.kind)?.key ?? 'other'
    const k = id(r.schoolId, kind)
    const had = act.get(k) ?? { n: 0, attendance: 0, key: 0 }
    act.set(k, { n: had.n + r.n, attendance: had.attendance + r.attendance, key: addKey(had.key, r.key) })
  }
  for (const s of schools) {
    let total = 0
    let attendance = 0
    let key = 0
    for (const k of ACTIVITY_KINDS) {
      const v = act.get(id(s.schoolId, k.key)) ?? { n: 0, attendance: 0, key: 0 }
      const n = P(v.n, v.key)
      total += n
      attendance += v.attendance
      key = addKey(key, v.key)
      L.cell(id('hsa', s.schoolId, k.key), n)
    }
    L.cell(id('hsa', s.schoolId, 'total'), total)
    L.sum(id('hsa', s.schoolId, 'total'), ACTIVITY_KINDS.map((k) => id('hsa', s.schoolId, k.key)), `activities ${s.code}`)
    // Attendance is a sum, not a count of records: it takes the noise of its activities' key.
    L.cell(id('hsa', s.schoolId, 'attendance'), P(attendance, key))
  }
  for (const key of [...ACTIVITY_KINDS.map((k) => k.key), 'total', 'attendance']) {
    const parts = schools.map((s) => id('hsa', s.schoolId, key))
    L.total(id('hsa', '*', key), parts, `activities district ${key}`)
  }
  L.sum(id('hsa', '*', 'total'), ACTIVITY_KINDS.map((k) => id('hsa', '*', k.key)), 'activities district identity')
  const hsaRow = (school: string) => ({
    ...Object.fromEntries(ACTIVITY_KINDS.map((k) => [k.key, { $c: id('hsa', school, k.key) }])),
    total: { $c: id('hsa', school, 'total') } as Ph,
    attendance: { $c: id('hsa', school, 'attendance') } as Ph,
  })
  const homeSchool = {
    kinds: ACTIVITY_KINDS.map(({ key, labelZh, labelEn }) => ({ key, labelZh, labelEn })),
    schools: schools.map((s) => ({ ...s, ...hsaRow(s.schoolId) })),
    total: hsaRow('*'),
  }

  // ---- referrals: 转介 sent this school year; receipt, closure, median days to receipt.
  const refBy = new Map(agg.referrals.map((r) => [r.schoolId ?? '*', r]))
  for (const s of schools) {
    const r = refBy.get(s.schoolId)
    const sent = P(r?.sent ?? 0, r?.keys?.sent ?? 0)
    L.cell(id('ref', s.schoolId, 'sent'), sent)
    L.cell(id('ref', s.schoolId, 'received'), Math.min(sent, P(r?.received ?? 0, r?.keys?.received ?? 0)))
    L.cell(id('ref', s.schoolId, 'closed'), Math.min(sent, P(r?.closed ?? 0, r?.keys?.closed ?? 0)))
    L.le([id('ref', s.schoolId, 'received')], [id('ref', s.schoolId, 'sent')], `receipt ≤ sent ${s.code}`)
    L.le([id('ref', s.schoolId, 'closed')], [id('ref', s.schoolId, 'sent')], `closed ≤ sent ${s.code}`)
  }
  for (const key of ['sent', 'received', 'closed']) {
    const parts = schools.map((s) => id('ref', s.schoolId, key))
    L.total(id('ref', '*', key), parts, `referrals district ${key}`)
  }
  L.le([id('ref', '*', 'received')], [id('ref', '*', 'sent')], 'receipt ≤ sent district')
  L.le([id('ref', '*', 'closed')], [id('ref', '*', 'sent')], 'closed ≤ sent district')
  const refRow = (school: string) => ({
    sent: { $c: id('ref', school, 'sent') } as Ph,
    withReceipt: { $c: id('ref', school, 'received') } as Ph,
    receiptShare: pct(id('ref', school, 'received'), id('ref', school, 'sent')),
    closed: { $c: id('ref', school, 'closed') } as Ph,
    closedShare: pct(id('ref', school, 'closed'), id('ref', school, 'sent')),
    medianDaysToReceipt: { $med: [refBy.get(school)?.medianDays ?? null, id('ref', school, 'received')] } as Ph,
  })
  const referrals = { schools: schools.map((s) => ({ ...s, ...refRow(s.schoolId) })), total: refRow('*') }

  // ---- crisis-response: 危机事件 acknowledged within their deadline.
  const crBy = new Map(agg.crisis.map((r) => [r.schoolId, r]))
  for (const s of schools) {
    const c = crBy.get(s.schoolId)
    const due = P(c?.due ?? 0, c?.keys?.due ?? 0)
    L.cell(id('crisis', s.schoolId, 'due'), due)
    L.cell(id('crisis', s.schoolId, 'onTime'), Math.min(due, P(c?.onTime ?? 0, c?.keys?.onTime ?? 0)))
    L.le([id('crisis', s.schoolId, 'onTime')], [id('crisis', s.schoolId, 'due')], `on time ≤ due ${s.code}`)
  }
  for (const key of ['due', 'onTime']) {
    const parts = schools.map((s) => id('crisis', s.schoolId, key))
    L.total(id('crisis', '*', key), parts, `crisis district ${key}`)
  }
  L.le([id('crisis', '*', 'onTime')], [id('crisis', '*', 'due')], 'on time ≤ due district')
  const crRow = (school: string) => ({
    due: { $c: id('crisis', school, 'due') } as Ph,
    acknowledgedOnTime: { $c: id('crisis', school, 'onTime') } as Ph,
    onTimeShare: pct(id('crisis', school, 'onTime'), id('crisis', school, 'due')),
  })
  const crisis = { schools: schools.map((s) => ({ ...s, ...crRow(s.schoolId) })), total: crRow('*') }

  const result = suppressCells(L.ids, L.values, L.relations, threshold)
  const render = renderer(L, result.hidden)
  const tables = {
    'risk-current': render(riskCurrent),
    'risk-by-year': render(riskByYear),
    'screening-coverage': render(coverage),
    'talk-compliance': render(talkCompliance),
    'home-school-activities': render(homeSchool),
    'referrals': render(referrals),
    'crisis-response': render(crisis),
  } as Record<TableName, unknown>
  return {
    districtId,
    schoolYear: y.current,
    previousSchoolYear: y.previous,
    generatedAt: new Date().toISOString(),
    tables,
    stats: {
      cells: L.ids.length, relations: L.relations.length, suppressed: result.suppressed,
      primary: result.primary, complementary: result.complementary, rounds: result.rounds, unprotected: result.unprotected.length,
    },
  }
}

/** Lowers the largest values (first of equals first) until their sum is at most `bound`. */
function lowerTo(vals: number[], bound: number): void {
  let over = vals.reduce((a, v) => a + v, 0) - Math.max(0, bound)
  while (over > 0) {
    let i = 0
    for (let j = 1; j < vals.length; j++) if (vals[j]! > vals[i]!) i = j
    vals[i] = vals[i]! - 1
    over--
  }
}

/** Replaces placeholders by cells; shares and medians follow the counts they are made of. */
function renderer(L: Ledger, withheld: Uint8Array) {
  const hidden = (cid: string) => withheld[L.at(cid)] === 1
  const count = (cid: string): Cell => (hidden(cid) ? { value: null, suppressed: true } : { value: L.value(cid), suppressed: false })
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) {
      const out = new Array<unknown>(x.length)
      for (let i = 0; i < x.length; i++) out[i] = walk(x[i])
      return out
    }
    if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>
      if ('$c' in o) return count(o.$c as string)
      if ('$pct' in o) {
        const [num, den] = o.$pct as [string, string]
        // A share is withheld whenever its numerator or denominator is: share × total = count.
        if (hidden(num) || hidden(den)) return { value: null, suppressed: true }
        const d = L.value(den)
        return { value: d === 0 ? null : Math.round((1000 * L.value(num)) / d) / 10, suppressed: false }
      }
      if ('$med' in o) {
        const [median, of] = o.$med as [number | null, string]
        if (hidden(of)) return { value: null, suppressed: true }
        return { value: median === null ? null : Math.round(median * 10) / 10, suppressed: false }
      }
      // Own keys in their order (as Object.entries gives them), without the pairs.
      const out: Record<string, unknown> = {}
      for (const k of Object.keys(o)) out[k] = walk(o[k])
      return out
    }
    return x
  }
  return walk
}
