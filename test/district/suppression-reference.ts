/**
 * The suppression engine as it was before it ran its attacks part by part (kept for
 * suppression-equivalence.test.ts, which checks that the current engine withholds exactly the
 * same cells). Not used by the application; do not change it.
 */

/**
 * Statistical disclosure control for the district tables.
 *
 * Model: named cells (non-negative integer counts) and the linear relations the published
 * tables make visible — row, column and district totals, identities such as
 * total = done + done_late + overdue + open ("eq": Σ coef·cell = 0), and subset relations
 * such as with_receipt ≤ sent ("le": Σ coef·cell ≤ 0). One system per district covers every
 * table that district's staff can fetch, so a cell published in two tables is one cell.
 *
 * Primary suppression: every count from 1 to `threshold` (10). Complementary suppression,
 * repeated until nothing changes:
 *  (a) an identity with exactly one withheld term gives it away by subtraction → withhold the
 *      smallest non-zero published term of that identity (totals are terms too);
 *  (b) interval attack: every withheld cell is ≥ 1 (zeros are shown, partners are never zero),
 *      so bounds propagated through the identities and subset relations can pin a cell
 *      (x + y = 2 ⇒ x = y = 1) → withhold another term of the relation that pinned it;
 *  (c) exact linear attack: Gaussian elimination over the rationals on the identities,
 *      restricted to withheld cells; a cell whose unit vector lies in the row space is
 *      determined → withhold one more term of a relation it sits in; the reduced rows also
 *      go through the bound propagation of (b);
 *  (d) exact check with the bounds: a combination of relations can pin cells at 1 that no
 *      single relation and no elimination shows (two rows minus two columns: o7 + o9 + y9 = 3).
 *      A cell is determined iff no feasible direction moves it; one small LP per connected
 *      part of the cells at their bound decides which can move (see boundedAttack).
 * Zeros are never withheld: an attacker knows a withheld cell is at least 1, and (b) and (d)
 * use exactly that knowledge.
 */

import { maximise, type LpRow } from '../../src/modules/district/lp.js'

export const DEFAULT_THRESHOLD = 10

export interface Term { cell: string; coef: number }

export interface Constraint {
  kind: 'eq' | 'le'
  terms: Term[]
  /** For diagnostics only. */
  label?: string
}

export interface SuppressionResult {
  suppressed: ReadonlySet<string>
  primary: number
  complementary: number
  rounds: number
  /** Determined cells no further suppression could protect (always empty on valid input). */
  unprotected: string[]
}

/** A relation in index form: cells by position, coefficients beside them. */
export interface Con { kind: 'eq' | 'le'; idx: number[]; coef: number[]; /** Right-hand side (0 for the published relations). */ rhs?: number }

export function suppress(cells: ReadonlyMap<string, number>, constraints: readonly Constraint[], threshold = DEFAULT_THRESHOLD): SuppressionResult {
  const ids = [...cells.keys()]
  const index = new Map(ids.map((id, i) => [id, i]))
  const value = ids.map((id) => cells.get(id)!)
  for (let i = 0; i < ids.length; i++) {
    const v = value[i]!
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`suppression: cell ${ids[i]} is not a count (${v})`)
  }
  const n = ids.length
  const cons: Con[] = []
  const consOf: number[][] = ids.map(() => [])
  for (const c of constraints) {
    const merged = new Map<number, number>()
    for (const t of c.terms) {
      const i = index.get(t.cell)
      if (i === undefined) throw new Error(`suppression: constraint ${c.label ?? ''} names unknown cell ${t.cell}`)
      merged.set(i, (merged.get(i) ?? 0) + t.coef)
    }
    const idx: number[] = []
    const coef: number[] = []
    let sum = 0
    for (const [i, k] of merged) {
      if (k === 0) continue
      idx.push(i)
      coef.push(k)
      sum += k * value[i]!
    }
    if (c.kind === 'eq' ? sum !== 0 : sum > 0) throw new Error(`suppression: the data break relation ${c.label ?? idx.map((i) => ids[i]).join(',')}`)
    if (idx.length === 0) continue
    const ci = cons.length
    cons.push({ kind: c.kind, idx, coef })
    for (const i of idx) consOf[i]!.push(ci)
  }

  const hidden = new Uint8Array(n)
  let primary = 0
  for (let i = 0; i < n; i++) {
    if (value[i]! >= 1 && value[i]! <= threshold) { hidden[i] = 1; primary++ }
  }
  let complementary = 0
  const unprotected = new Set<number>()

  const hide = (i: number) => {
    if (hidden[i]) return false
    hidden[i] = 1
    complementary++
    return true
  }

  /** The smallest non-zero published term of a relation (ties by id, so the result is stable). */
  const partnerIn = (ci: number, except = -1): number => {
    let best = -1
    for (const i of cons[ci]!.idx) {
      if (i === except || hidden[i] || value[i] === 0) continue
      if (best === -1 || value[i]! < value[best]! || (value[i] === value[best] && ids[i]! < ids[best]!)) best = i
    }
    return best
  }
  const hiddenCount = (ci: number) => cons[ci]!.idx.reduce((a, i) => a + hidden[i]!, 0)

  /** (a) to a fixed point: no identity may have exactly one withheld term. */
  const singletons = (): boolean => {
    let changed = false
    const queue: number[] = []
    const queued = new Uint8Array(cons.length)
    for (let ci = 0; ci < cons.length; ci++) if (cons[ci]!.kind === 'eq') { queue.push(ci); queued[ci] = 1 }
    while (queue.length) {
      const ci = queue.pop()!
      queued[ci] = 0
      if (hiddenCount(ci) !== 1) continue
      const p = partnerIn(ci)
      if (p === -1 || !hide(p)) continue
      changed = true
      for (const cj of consOf[p]!) if (cons[cj]!.kind === 'eq' && !queued[cj]) { queue.push(cj); queued[cj] = 1 }
    }
    return changed
  }

  /** Withholds one more term near a determined cell: first the relations that pinned it. */
  const protect = (cell: number, hints: number[]): boolean => {
    const tried = new Set<number>()
    const order = [...hints, ...[...consOf[cell]!].sort((a, b) => hiddenCount(a) - hiddenCount(b))]
    for (const ci of order) {
      if (tried.has(ci)) continue
      tried.add(ci)
      const p = partnerIn(ci, cell)
      if (p !== -1) return hide(p)
    }
    // Every relation of the cell is withheld or zero: walk through withheld neighbours.
    const seen = new Set<number>([cell])
    const queue = [cell]
    while (queue.length) {
      const c = queue.shift()!
      for (const ci of consOf[c]!) {
        const p = partnerIn(ci)
        if (p !== -1) return hide(p)
        for (const j of cons[ci]!.idx) if (hidden[j] && !seen.has(j)) { seen.add(j); queue.push(j) }
      }
    }
    unprotected.add(cell)
    return false
  }

  /** Applies one batch of determined cells; skips a cell whose relations already changed this round. */
  const protectAll = (found: Array<{ cell: number; hints: number[] }>): boolean => {
    let changed = false
    const touched = new Set<number>()
    for (const { cell, hints } of found) {
      if (consOf[cell]!.some((ci) => touched.has(ci))) continue
      if (protect(cell, hints)) {
        changed = true
        for (const ci of consOf[cell]!) touched.add(ci)
      }
    }
    return changed
  }

  let rounds = 0
  for (;;) {
    rounds++
    singletons()
    const pinned = intervalAttack(cons, value, hidden)
    if (pinned.length && protectAll(pinned)) continue
    const linear = linearAttack(cons, hidden, value)
    const determined = linear.determined.map((cell) => ({ cell, hints: [] as number[] }))
    if (determined.length && protectAll(determined)) continue
    // Bounds through the reduced rows too: a combination of relations (x + y = 2) can pin
    // cells no single published relation does.
    const derived = intervalAttack([...cons, ...linear.rows], value, hidden)
      .map((p) => ({ cell: p.cell, hints: p.hints.filter((h) => h < cons.length) }))
    if (derived.length && protectAll(derived)) continue
    const bounded = boundedAttack(cons, hidden, value).map((cell) => ({ cell, hints: [] as number[] }))
    if (bounded.length && protectAll(bounded)) continue
    for (const p of [...pinned, ...determined, ...derived, ...bounded]) unprotected.add(p.cell)
    break
  }

  const suppressed = new Set<string>()
  for (let i = 0; i < n; i++) if (hidden[i]) suppressed.add(ids[i]!)
  return { suppressed, primary, complementary, rounds, unprotected: [...unprotected].map((i) => ids[i]!) }
}

/**
 * (b) Bound propagation: published cells are fixed, withheld cells start at [1, ∞). Returns
 * withheld cells whose bounds meet, with the relations that set their bounds.
 */
export function intervalAttack(cons: readonly Con[], value: readonly number[], hidden: Uint8Array): Array<{ cell: number; hints: number[] }> {
  const n = value.length
  const consOf: number[][] = Array.from({ length: n }, () => [])
  cons.forEach((c, ci) => { for (const i of c.idx) consOf[i]!.push(ci) })
  const lo = new Float64Array(n)
  const hi = new Float64Array(n)
  const loFrom = new Int32Array(n).fill(-1)
  const hiFrom = new Int32Array(n).fill(-1)
  for (let i = 0; i < n; i++) {
    if (hidden[i]) { lo[i] = 1; hi[i] = Infinity } else { lo[i] = hi[i] = value[i]! }
  }
  const active: number[] = []
  for (let ci = 0; ci < cons.length; ci++) if (cons[ci]!.idx.some((i) => hidden[i])) active.push(ci)

  const queue = [...active]
  let head = 0
  const queued = new Uint8Array(cons.length)
  for (const ci of active) queued[ci] = 1
  const maxSteps = 200 * Math.max(active.length, 1)
  while (head < queue.length && head < maxSteps) {
    const ci = queue[head++]!
    queued[ci] = 0
    const c = cons[ci]!
    // Range of Σ coef·x over all terms, with infinite parts counted apart.
    let minFin = 0, maxFin = 0, minInf = 0, maxInf = 0
    const tmin: number[] = []
    const tmax: number[] = []
    for (let k = 0; k < c.idx.length; k++) {
      const i = c.idx[k]!
      const a = c.coef[k]!
      const x = a > 0 ? a * lo[i]! : a * hi[i]!
      const y = a > 0 ? a * hi[i]! : a * lo[i]!
      tmin.push(x)
      tmax.push(y)
      if (Number.isFinite(x)) minFin += x; else minInf++
      if (Number.isFinite(y)) maxFin += y; else maxInf++
    }
    for (let k = 0; k < c.idx.length; k++) {
      const i = c.idx[k]!
      if (!hidden[i]) continue
      const a = c.coef[k]!
      const restMin = Number.isFinite(tmin[k]!) ? (minInf ? -Infinity : minFin - tmin[k]!) : (minInf > 1 ? -Infinity : minFin)
      const restMax = Number.isFinite(tmax[k]!) ? (maxInf ? Infinity : maxFin - tmax[k]!) : (maxInf > 1 ? Infinity : maxFin)
      // a·x = rhs − rest (eq) or a·x ≤ rhs − restMin (le).
      const rhs = c.rhs ?? 0
      let newLo = -Infinity
      let newHi = Infinity
      if (c.kind === 'eq') {
        const l = rhs - restMax
        const h = rhs - restMin
        if (a > 0) { newLo = l / a; newHi = h / a } else { newLo = h / a; newHi = l / a }
      } else {
        const h = rhs - restMin
        if (a > 0) newHi = h / a; else newLo = h / a
      }
      let changed = false
      if (Number.isFinite(newLo) && Math.ceil(newLo - 1e-9) > lo[i]!) { lo[i] = Math.ceil(newLo - 1e-9); loFrom[i] = ci; changed = true }
      if (Number.isFinite(newHi) && Math.floor(newHi + 1e-9) < hi[i]!) { hi[i] = Math.floor(newHi + 1e-9); hiFrom[i] = ci; changed = true }
      if (changed) {
        for (const cj of consOf[i]!) if (!queued[cj]) { queued[cj] = 1; queue.push(cj) }
      }
    }
  }
  const out: Array<{ cell: number; hints: number[] }> = []
  for (let i = 0; i < n; i++) {
    if (!hidden[i] || lo[i]! < hi[i]!) continue
    const hints = [hiFrom[i]!, loFrom[i]!].filter((h) => h >= 0)
    out.push({ cell: i, hints })
  }
  return out
}

type Row = Map<number, bigint>

const absB = (x: bigint) => (x < 0n ? -x : x)
function gcdB(a: bigint, b: bigint): bigint {
  a = absB(a); b = absB(b)
  while (b) [a, b] = [b, a % b]
  return a
}

/** Divides a row by the gcd of its entries, leading (pivot) entry positive. */
function normalise(r: Row, pivot: number): void {
  let g = 0n
  for (const v of r.values()) g = gcdB(g, v)
  if (g === 0n) return
  const sign = (r.get(pivot) ?? 1n) < 0n ? -1n : 1n
  const d = g * sign
  if (d === 1n) return
  for (const [k, v] of r) r.set(k, v / d)
}

/** Divides a row by the gcd of its entries (keeps the numbers small between steps). */
function reduce(r: Row): void {
  let g = 0n
  for (const v of r.values()) g = gcdB(g, v)
  if (g > 1n) for (const [k, v] of r) r.set(k, v / g)
}

/** p·v − a·r, integer-preserving (fraction-free) elimination step. */
function combine(v: Row, p: bigint, r: Row, a: bigint): Row {
  const out: Row = new Map()
  for (const [k, x] of v) out.set(k, x * p)
  for (const [k, y] of r) {
    const z = (out.get(k) ?? 0n) - a * y
    if (z === 0n) out.delete(k); else out.set(k, z)
  }
  return out
}

/**
 * Reduced row echelon form over the rationals, integer-preserving (fraction-free Gauss–Jordan
 * on BigInt, rows divided by their gcd). `pick` chooses each new row's pivot column; rows stay
 * fully reduced, so a new row needs one pass over the existing pivots.
 */
function rref(input: Iterable<Row>, pick: (r: Row) => number): { rows: Row[]; pivotOf: number[] } {
  const rows: Row[] = []
  const pivotOf: number[] = []
  const pivotRow = new Map<number, number>()
  const colRows = new Map<number, Set<number>>()
  const link = (ri: number, r: Row) => { for (const k of r.keys()) { let s = colRows.get(k); if (!s) colRows.set(k, s = new Set()); s.add(ri) } }
  const unlink = (ri: number, r: Row) => { for (const k of r.keys()) colRows.get(k)?.delete(ri) }
  for (let v of input) {
    if (v.size === 0) continue
    for (const col of [...v.keys()]) {
      const ri = pivotRow.get(col)
      if (ri === undefined) continue
      const a = v.get(col)
      if (a === undefined) continue
      const r = rows[ri]!
      v = combine(v, r.get(col)!, r, a)
      reduce(v)
    }
    if (v.size === 0) continue
    const pivot = pick(v)
    normalise(v, pivot)
    const p = v.get(pivot)!
    for (const ri of [...(colRows.get(pivot) ?? [])]) {
      const r = rows[ri]!
      const a = r.get(pivot)!
      unlink(ri, r)
      const nr = combine(r, p, v, a)
      normalise(nr, pivotOf[ri]!)
      rows[ri] = nr
      link(ri, nr)
    }
    const ri = rows.length
    rows.push(v)
    pivotOf.push(pivot)
    pivotRow.set(pivot, ri)
    link(ri, v)
  }
  return { rows, pivotOf }
}

/** A relation restricted to withheld cells, as a BigInt row. */
function hiddenRow(c: Con, hidden: Uint8Array): Row {
  const v: Row = new Map()
  for (let k = 0; k < c.idx.length; k++) {
    const i = c.idx[k]!
    if (!hidden[i]) continue
    const z = (v.get(i) ?? 0n) + BigInt(c.coef[k]!)
    if (z === 0n) v.delete(i); else v.set(i, z)
  }
  return v
}

/**
 * (c) Exact linear attack: reduced row echelon form of the identities restricted to withheld
 * cells. A withheld cell is determined iff its unit vector is in the row space, i.e. some
 * reduced row is exactly it. The other rows come back as equations (for the interval pass).
 */
export function linearAttack(cons: readonly Con[], hidden: Uint8Array, value: readonly number[]): { determined: number[]; rows: Con[] } {
  const input = (function* () { for (const c of cons) if (c.kind === 'eq') yield hiddenRow(c, hidden) })()
  // Pivot on the smallest coefficient, then the smallest index: keeps the numbers small.
  const { rows, pivotOf } = rref(input, (v) => {
    let pivot = -1
    for (const [k, x] of v) if (pivot === -1 || absB(x) < absB(v.get(pivot)!) || (absB(x) === absB(v.get(pivot)!) && k < pivot)) pivot = k
    return pivot
  })
  const determined: number[] = []
  const reduced: Con[] = []
  for (let ri = 0; ri < rows.length; ri++) {
    const r = rows[ri]!
    if (r.size === 1) { determined.push(pivotOf[ri]!); continue }
    // The row as an equation over withheld cells; its constant is what the published cells fix.
    const idx = [...r.keys()]
    const coef = idx.map((i) => Number(r.get(i)!))
    reduced.push({ kind: 'eq', idx, coef, rhs: idx.reduce((a, i, k) => a + coef[k]! * value[i]!, 0) })
  }
  return { determined, rows: reduced }
}

/**
 * (d) Exact check with the bounds. Withheld cells are ≥ 1 and the subset relations hold, so a
 * combination of relations can pin cells no single one does (two rows minus two columns:
 * x + y + z = 3 ⇒ all three are 1). The feasible set is convex, so a withheld cell is
 * determined iff no feasible direction moves it. Directions lie in the null space of the
 * identities; only cells at their bound (value 1) and subset relations that hold with
 * equality restrict them. Eliminating every other withheld cell leaves a cone over those
 * tight ones; one LP per connected part finds every tight cell that can move (maximum
 * support of the cone). The rest are frozen, and what they freeze in turn follows by linear
 * algebra with them added as equations.
 */
export function boundedAttack(cons: readonly Con[], hidden: Uint8Array, value: readonly number[]): number[] {
  const n = value.length
  const tight = (i: number) => i >= n || (hidden[i] === 1 && value[i] === 1)
  // Subset relations that hold with equality get a slack column (n + k) that must stay ≥ 0.
  const tightLe: Con[] = []
  const input: Row[] = []
  for (const c of cons) {
    const v = hiddenRow(c, hidden)
    if (v.size === 0) continue
    if (c.kind === 'eq') { input.push(v); continue }
    const slack = c.idx.reduce((a, i, k) => a + c.coef[k]! * value[i]!, 0) - (c.rhs ?? 0)
    if (slack !== 0) continue
    v.set(n + tightLe.length, 1n)
    tightLe.push(c)
    input.push(v)
  }
  const hasTight = [...Array(n).keys()].some((i) => hidden[i] && value[i] === 1) || tightLe.length > 0
  if (!hasTight) return []
  // Pivot on the first column in the order "loose withheld cells, then tight ones": a row led
  // by a tight column then holds tight columns only, i.e. it constrains the tight cells alone.
  const { rows, pivotOf } = rref(input, (v) => {
    let pivot = -1
    for (const k of v.keys()) {
      if (pivot === -1) { pivot = k; continue }
      const a = tight(k) ? 1 : 0
      const b = tight(pivot) ? 1 : 0
      if (a < b || (a === b && k < pivot)) pivot = k
    }
    return pivot
  })
  const tightRows: Array<{ pivot: number; row: Row }> = []
  const pivots = new Set<number>()
  for (let ri = 0; ri < rows.length; ri++) {
    if (!tight(pivotOf[ri]!)) continue
    tightRows.push({ pivot: pivotOf[ri]!, row: rows[ri]! })
    pivots.add(pivotOf[ri]!)
  }
  // Connected parts of the tight system, each its own small LP.
  const parent = new Map<number, number>()
  const find = (a: number): number => {
    let r = a
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!
    parent.set(a, r)
    return r
  }
  for (const { row } of tightRows) {
    const [first, ...rest] = [...row.keys()]
    if (!parent.has(first!)) parent.set(first!, first!)
    for (const k of rest) { if (!parent.has(k)) parent.set(k, k); parent.set(find(k), find(first!)) }
  }
  const parts = new Map<number, number[]>()
  for (const k of parent.keys()) {
    const r = find(k)
    const list = parts.get(r) ?? []
    list.push(k)
    parts.set(r, list)
  }
  const rowsOf = new Map<number, Array<{ pivot: number; row: Row }>>()
  for (const tr of tightRows) {
    const r = find(tr.pivot)
    const list = rowsOf.get(r) ?? []
    list.push(tr)
    rowsOf.set(r, list)
  }
  const frozen = new Set<number>()
  for (const [root, cols] of parts) {
    // Variables: z_f for free tight columns, u_t for every tight column; maximise Σ u,
    // u_t ≤ z_t (a pivot's z is minus its row over the free ones), u_t ≤ 1.
    const free = cols.filter((k) => !pivots.has(k))
    const zOf = new Map(free.map((k, i) => [k, i]))
    const uOf = new Map(cols.map((k, i) => [k, free.length + i]))
    const lp: LpRow[] = []
    for (const k of free) lp.push({ terms: [[uOf.get(k)!, 1], [zOf.get(k)!, -1]], rhs: 0 })
    for (const { pivot, row } of rowsOf.get(root) ?? []) {
      const p = Number(row.get(pivot)!)
      const terms: Array<[number, number]> = [[uOf.get(pivot)!, 1]]
      for (const [k, a] of row) if (k !== pivot) terms.push([zOf.get(k)!, Number(a) / p])
      lp.push({ terms, rhs: 0 })
    }
    for (const k of cols) lp.push({ terms: [[uOf.get(k)!, 1]], rhs: 1 })
    const { x } = maximise(free.length + cols.length, cols.map((k) => [uOf.get(k)!, 1] as [number, number]), lp)
    for (const k of cols) if (x[uOf.get(k)!]! < 0.5) frozen.add(k)
  }
  if (frozen.size === 0) return []
  // Frozen cells are known; frozen subset relations are equations. What else do they fix?
  const extra: Con[] = []
  for (const k of frozen) {
    if (k < n) extra.push({ kind: 'eq', idx: [k], coef: [1] })
    else extra.push({ ...tightLe[k - n]!, kind: 'eq' })
  }
  return linearAttack([...cons, ...extra], hidden, value).determined
}
