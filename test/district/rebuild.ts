import type { Relation } from './attack.js'

/**
 * Rebuilds, from the district API's answers alone, the joint system a reader can write down:
 * every published count under a name of its own meaning (the enrolled of a school × grade is
 * one unknown whichever table shows it), and every relation the layout makes visible — row,
 * column, school and district totals, the identities inside a row, and subset bounds
 * (screened ≤ enrolled, with receipt ≤ sent …). Written against the published shape, not
 * against the server's cell ids.
 */

export interface CellOut { value: number | null; suppressed: boolean }
type Any = Record<string, unknown>

export interface System {
  published: Map<string, number | null>
  relations: Relation[]
  /** A count withheld in one table but shown in another, or shown twice with two values. */
  conflicts: string[]
  /** A share or median shown while a count it is made of is withheld. */
  derivedLeaks: string[]
  /** Every count cell seen, for the report. */
  counts: number
}

export function rebuild(tables: Record<string, Any>): System {
  const published = new Map<string, number | null>()
  const relations: Relation[] = []
  const conflicts: string[] = []
  const derivedLeaks: string[] = []
  let counts = 0

  const put = (id: string, c: CellOut) => {
    counts++
    const v = c.suppressed ? null : c.value
    if (!c.suppressed && typeof c.value !== 'number') throw new Error(`count ${id} shown without a number`)
    if (!published.has(id)) { published.set(id, v); return }
    const had = published.get(id)!
    if (had === null && v !== null) { conflicts.push(`${id}: withheld elsewhere, shown here`); published.set(id, v) }
    else if (had !== null && v === null) conflicts.push(`${id}: shown elsewhere, withheld here`)
    else if (had !== null && v !== null && had !== v) conflicts.push(`${id}: shown as ${had} and ${v}`)
  }
  const sum = (total: string, parts: string[], label: string) => relations.push({ kind: 'eq', label, terms: [[total, 1], ...parts.map((p) => [p, -1] as [string, number])] })
  const le = (parts: string[], wholes: string[], label: string) => relations.push({ kind: 'le', label, terms: [...parts.map((p) => [p, 1] as [string, number]), ...wholes.map((w) => [w, -1] as [string, number])] })
  const share = (label: string, s: CellOut, num: string, den: string) => {
    if (!s.suppressed && (published.get(num) === null || published.get(den) === null)) derivedLeaks.push(`${label}: share shown over a withheld count`)
  }

  const districtsOf = (name: string) => ((tables[name] as { districts: Any[] }).districts)

  // Risk tables: rows of school × grade with level columns and a total; school subtotal; district total.
  const riskTable = (d: Any, cellName: (s: string, g: string | number, col: string) => string, totalName: (s: string, g: string | number) => string, what: string) => {
    const cols = (d.columns as Array<{ key: string }>).map((c) => c.key)
    const schools = d.schools as Array<Any & { schoolId: string; rows: Array<{ level: number; cells: Record<string, CellOut>; total: CellOut }>; subtotal: { cells: Record<string, CellOut>; total: CellOut } }>
    const total = d.total as { cells: Record<string, CellOut>; total: CellOut }
    const row = (s: string, g: string | number, r: { cells: Record<string, CellOut>; total: CellOut }) => {
      for (const c of cols) put(cellName(s, g, c), r.cells[c]!)
      put(totalName(s, g), r.total)
      sum(totalName(s, g), cols.map((c) => cellName(s, g, c)), `${what} row ${s} ${g}`)
    }
    for (const s of schools) {
      for (const r of s.rows) row(s.schoolId, r.level, r)
      row(s.schoolId, '*', s.subtotal)
      for (const c of cols) sum(cellName(s.schoolId, '*', c), s.rows.map((r) => cellName(s.schoolId, r.level, c)), `${what} school column`)
      sum(totalName(s.schoolId, '*'), s.rows.map((r) => totalName(s.schoolId, r.level)), `${what} school total`)
    }
    row('*', '*', total)
    for (const c of cols) sum(cellName('*', '*', c), schools.map((s) => cellName(s.schoolId, '*', c)), `${what} district column`)
    sum(totalName('*', '*'), schools.map((s) => totalName(s.schoolId, '*')), `${what} district total`)
    return schools
  }

  for (const d of districtsOf('risk-current')) {
    const D = String(d.districtId)
    riskTable(d, (s, g, c) => `${D}:now:${s}:${g}:${c}`, (s, g) => `${D}:enrolled:${s}:${g}`, 'risk-current')
  }
  for (const d of districtsOf('risk-by-year')) {
    const D = String(d.districtId)
    for (const y of d.years as Any[]) {
      const Y = String(y.schoolYear)
      const schools = riskTable({ ...y, columns: d.columns }, (s, g, c) => `${D}:year:${Y}:${s}:${g}:${c}`, (s, g) => `${D}:screened:${Y}:${s}:${g}`, `risk ${Y}`)
      // Counted among pupils enrolled now: never more than the enrolled.
      for (const s of schools) {
        for (const r of s.rows) le([`${D}:screened:${Y}:${s.schoolId}:${r.level}`], [`${D}:enrolled:${s.schoolId}:${r.level}`], 'screened ≤ enrolled')
        le([`${D}:screened:${Y}:${s.schoolId}:*`], [`${D}:enrolled:${s.schoolId}:*`], 'screened ≤ enrolled')
      }
      le([`${D}:screened:${Y}:*:*`], [`${D}:enrolled:*:*`], 'screened ≤ enrolled')
    }
  }
  const current = String((tables['screening-coverage'] as Any).schoolYear)
  for (const d of districtsOf('screening-coverage')) {
    const D = String(d.districtId)
    const row = (s: string, g: string | number, r: { enrolled: CellOut; screened: CellOut; coverage: CellOut }) => {
      const e = `${D}:enrolled:${s}:${g}`
      const sc = `${D}:screened:${current}:${s}:${g}`
      put(e, r.enrolled)
      put(sc, r.screened)
      share(`coverage ${s} ${g}`, r.coverage, sc, e)
      // A screened pupil has a risk level, so is not unassessed.
      le([sc, `${D}:now:${s}:${g}:unassessed`], [e], 'screened + unassessed ≤ enrolled')
    }
    for (const s of d.schools as Array<Any & { schoolId: string; rows: Array<Any & { level: number }>; subtotal: Any }>) {
      for (const r of s.rows) row(s.schoolId, r.level, r as never)
      row(s.schoolId, '*', s.subtotal as never)
    }
    row('*', '*', d.total as never)
  }
  for (const d of districtsOf('talk-compliance')) {
    const D = String(d.districtId)
    const statuses = ['done', 'doneLate', 'overdue', 'open']
    const row = (s: string, r: Record<string, CellOut> & { kind: unknown; windowKey: unknown }) => {
      const base = `${D}:talk:${s}:${String(r.kind)}:${String(r.windowKey)}`
      put(`${base}:total`, r.total!)
      for (const k of statuses) put(`${base}:${k}`, r[k]!)
      sum(`${base}:total`, statuses.map((k) => `${base}:${k}`), 'talk identity')
      share(`talk ${base}`, r.onTimeRate!, `${base}:done`, `${base}:total`)
    }
    const schools = d.schools as Array<{ schoolId: string; rows: Array<Record<string, CellOut> & { kind: unknown; windowKey: unknown }> }>
    for (const s of schools) for (const r of s.rows) row(s.schoolId, r)
    for (const r of d.total as Array<Record<string, CellOut> & { kind: unknown; windowKey: unknown }>) {
      row('*', r)
      for (const k of ['total', ...statuses]) {
        sum(`${D}:talk:*:${String(r.kind)}:${String(r.windowKey)}:${k}`, schools.map((s) => `${D}:talk:${s.schoolId}:${String(r.kind)}:${String(r.windowKey)}:${k}`), 'talk district')
      }
    }
  }
  const flat = (name: string, keys: string[], perRow: (D: string, s: string, r: Record<string, CellOut>) => void) => {
    for (const d of districtsOf(name)) {
      const D = String(d.districtId)
      const schools = d.schools as Array<Record<string, CellOut> & { schoolId: string }>
      for (const s of schools) {
        for (const k of keys) put(`${D}:${name}:${s.schoolId}:${k}`, s[k] as CellOut)
        perRow(D, s.schoolId, s)
      }
      const total = d.total as Record<string, CellOut>
      for (const k of keys) {
        put(`${D}:${name}:*:${k}`, total[k]!)
        sum(`${D}:${name}:*:${k}`, schools.map((s) => `${D}:${name}:${s.schoolId}:${k}`), `${name} district ${k}`)
      }
      perRow(D, '*', total)
    }
  }
  const kinds = ['parentSchool', 'homeVisit', 'parentMeeting', 'other']
  flat('home-school-activities', [...kinds, 'total', 'attendance'], (D, s) => {
    sum(`${D}:home-school-activities:${s}:total`, kinds.map((k) => `${D}:home-school-activities:${s}:${k}`), 'activities identity')
  })
  flat('referrals', ['sent', 'withReceipt', 'closed'], (D, s, r) => {
    const n = (k: string) => `${D}:referrals:${s}:${k}`
    le([n('withReceipt')], [n('sent')], 'receipt ≤ sent')
    le([n('closed')], [n('sent')], 'closed ≤ sent')
    share(`receipt share ${s}`, r.receiptShare!, n('withReceipt'), n('sent'))
    share(`closed share ${s}`, r.closedShare!, n('closed'), n('sent'))
    if (!r.medianDaysToReceipt!.suppressed && r.medianDaysToReceipt!.value !== null && published.get(n('withReceipt')) === null) derivedLeaks.push(`median ${s}: shown over a withheld count`)
  })
  flat('crisis-response', ['due', 'acknowledgedOnTime'], (D, s, r) => {
    const n = (k: string) => `${D}:crisis-response:${s}:${k}`
    le([n('acknowledgedOnTime')], [n('due')], 'on time ≤ due')
    share(`crisis share ${s}`, r.onTimeShare!, n('acknowledgedOnTime'), n('due'))
  })
  return { published, relations, conflicts, derivedLeaks, counts }
}
