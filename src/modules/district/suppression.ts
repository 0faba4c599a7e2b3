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

import { maximise, type LpRow } from './lp.js'

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
export interface Con { kind: 'eq' | 'le'; idx: readonly number[]; coef: readonly number[]; /** Right-hand side (0 for the published relations). */ rhs?: number }

/** A relation over cells by position, as suppressCells takes it (a cell named twice gets one term). */
export interface Relation { kind: 'eq' | 'le'; idx: readonly number[]; coef: readonly number[]; label?: string }

/** suppressCells' answer: `hidden[i]` is 1 for every withheld cell. */
export interface CellSuppression extends Omit<SuppressionResult, 'suppressed'> { hidden: Uint8Array; suppressed: number }

export function suppress(cells: ReadonlyMap<string, number>, constraints: readonly Constraint[], threshold = DEFAULT_THRESHOLD): SuppressionResult {
  const ids = [...cells.keys()]
  const index = new Map(ids.map((id, i) => [id, i]))
  const relations = constraints.map((c): Relation => ({
    kind: c.kind,
    label: c.label,
    coef: c.terms.map((t) => t.coef),
    idx: c.terms.map((t) => {
      const i = index.get(t.cell)
      if (i === undefined) throw new Error(`suppression: constraint ${c.label ?? ''} names unknown cell ${t.cell}`)
      return i
    }),
  }))
  const { hidden, suppressed: _count, ...rest } = suppressCells(ids, ids.map((id) => cells.get(id)!), relations, threshold)
  const suppressed = new Set<string>()
  for (let i = 0; i < ids.length; i++) if (hidden[i]) suppressed.add(ids[i]!)
  return { suppressed, ...rest }
}

/** suppress() on cells by position: `ids[i]` names cell i (for messages and tie-breaks), `value[i]` is its count. */
export function suppressCells(ids: readonly string[], value: readonly number[], relations: readonly Relation[], threshold = DEFAULT_THRESHOLD): CellSuppression {
  for (let i = 0; i < ids.length; i++) {
    const v = value[i]!
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`suppression: cell ${ids[i]} is not a count (${v})`)
  }
  const n = ids.length
  const cons: Con[] = []
  const consOf: number[][] = ids.map(() => [])
  // A cell named twice in a relation gets one term (coefficients added, in order of first
  // mention), and a term whose coefficient is 0 none; most relations have neither and are kept as given.
  const at = new Int32Array(ids.length).fill(-1)
  for (const c of relations) {
    let idx = c.idx
    let coef = c.coef
    let sum = 0
    let plain = true
    for (let t = 0; t < idx.length; t++) {
      const i = idx[t]!
      if (at[i] !== -1 || coef[t] === 0) plain = false
      at[i] = t
      sum += coef[t]! * value[i]!
    }
    for (const i of idx) at[i] = -1
    if (!plain) {
      const cells: number[] = []
      const sums: number[] = []
      for (let t = 0; t < c.idx.length; t++) {
        const i = c.idx[t]!
        if (at[i] === -1) { at[i] = cells.length; cells.push(i); sums.push(c.coef[t]!) } else sums[at[i]!] = sums[at[i]!]! + c.coef[t]!
      }
      const merged: number[] = []
      const mergedCoef: number[] = []
      for (let k = 0; k < cells.length; k++) {
        const i = cells[k]!
        at[i] = -1
        if (sums[k] === 0) continue
        merged.push(i)
        mergedCoef.push(sums[k]!)
      }
      idx = merged
      coef = mergedCoef
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
  // Withheld terms per relation, kept as cells are withheld (the singleton pass reads it often).
  const hiddenIn = new Int32Array(cons.length)
  for (let ci = 0; ci < cons.length; ci++) for (const i of cons[ci]!.idx) hiddenIn[ci] = hiddenIn[ci]! + hidden[i]!

  const hide = (i: number) => {
    if (hidden[i]) return false
    hidden[i] = 1
    for (const ci of consOf[i]!) hiddenIn[ci] = hiddenIn[ci]! + 1
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
  const hiddenCount = (ci: number) => hiddenIn[ci]!

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

  // The attacks run per connected part of the withheld cells (cells joined by a relation they
  // share), each part's answer kept by the exact set of its withheld cells: a round that withholds
  // one more cell recomputes only the part it lands in. The answers are those of the whole-system
  // attacks, in the same order (see Parts).
  const parts = new Parts(cons, value, hidden)
  let rounds = 0
  for (;;) {
    rounds++
    singletons()
    parts.refresh()
    const pinned = parts.interval()
    if (pinned.length && protectAll(pinned)) continue
    const determined = parts.linear().map((cell) => ({ cell, hints: [] as number[] }))
    if (determined.length && protectAll(determined)) continue
    // Bounds through the reduced rows too: a combination of relations (x + y = 2) can pin
    // cells no single published relation does.
    const derived = parts.derived()
    if (derived.length && protectAll(derived)) continue
    const bounded = parts.bounded().map((cell) => ({ cell, hints: [] as number[] }))
    if (bounded.length && protectAll(bounded)) continue
    for (const p of [...pinned, ...determined, ...derived, ...bounded]) unprotected.add(p.cell)
    break
  }

  let suppressed = 0
  for (let i = 0; i < n; i++) suppressed += hidden[i]!
  return { hidden, suppressed, primary, complementary, rounds, unprotected: [...unprotected].map((i) => ids[i]!) }
}


/**
 * Scratch arrays of the bound propagation (one per system, reused across its parts): per cell
 * its bounds, the relations that set them, and its place among the cells of the relations at
 * hand (−1 between calls).
 */
interface Bounds { lo: Float64Array; hi: Float64Array; loFrom: Int32Array; hiFrom: Int32Array; slot: Int32Array }
const newBounds = (n: number): Bounds => ({ lo: new Float64Array(n), hi: new Float64Array(n), loFrom: new Int32Array(n), hiFrom: new Int32Array(n), slot: new Int32Array(n).fill(-1) })

type Pinned = Array<{ cell: number; hints: number[] }>

/**
 * Bound propagation over `cons`: published cells are fixed, withheld cells start at [1, ∞).
 * Stops after `maxSteps` relation visits (default 200 per relation with a withheld cell).
 * Returns the pinned withheld cells (ascending), hints as indices into `cons`.
 */
function propagate(cons: readonly Con[], value: readonly number[], hidden: Uint8Array, b: Bounds, maxSteps?: number): { pinned: Pinned; steps: number; truncated: boolean } {
  const { lo, hi, loFrom, hiFrom, slot } = b
  // The cells of `cons` in order of first mention, and per cell the relations naming it, in
  // order (flat: those of cell slot s are at[start[s] … start[s + 1]]).
  const cells: number[] = []
  const named: number[] = []
  const active: number[] = []
  for (let ci = 0; ci < cons.length; ci++) {
    let withheld = false
    for (const i of cons[ci]!.idx) {
      let s = slot[i]!
      if (s === -1) {
        slot[i] = s = cells.length
        cells.push(i)
        named.push(0)
        if (hidden[i]) { lo[i] = 1; hi[i] = Infinity } else { lo[i] = hi[i] = value[i]! }
        loFrom[i] = -1
        hiFrom[i] = -1
      }
      named[s] = named[s]! + 1
      if (hidden[i]) withheld = true
    }
    if (withheld) active.push(ci)
  }
  const start = new Int32Array(cells.length + 1)
  for (let s = 0; s < cells.length; s++) start[s + 1] = start[s]! + named[s]!
  const next = start.slice(0, cells.length)
  const at = new Int32Array(start[cells.length]!)
  for (let ci = 0; ci < cons.length; ci++) for (const i of cons[ci]!.idx) { const s = slot[i]!; at[next[s]!] = ci; next[s] = next[s]! + 1 }

  const queue = active
  let head = 0
  const queued = new Uint8Array(cons.length)
  for (const ci of active) queued[ci] = 1
  const cap = maxSteps ?? 200 * Math.max(active.length, 1)
  const tmin: number[] = []
  const tmax: number[] = []
  while (head < queue.length && head < cap) {
    const ci = queue[head++]!
    queued[ci] = 0
    const c = cons[ci]!
    // Range of Σ coef·x over all terms, with infinite parts counted apart.
    let minFin = 0, maxFin = 0, minInf = 0, maxInf = 0
    for (let k = 0; k < c.idx.length; k++) {
      const i = c.idx[k]!
      const a = c.coef[k]!
      const x = a > 0 ? a * lo[i]! : a * hi[i]!
      const y = a > 0 ? a * hi[i]! : a * lo[i]!
      tmin[k] = x
      tmax[k] = y
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
        const s = slot[i]!
        for (let k = start[s]!; k < start[s + 1]!; k++) { const cj = at[k]!; if (!queued[cj]) { queued[cj] = 1; queue.push(cj) } }
      }
    }
  }
  for (const i of cells) slot[i] = -1
  const pinned: Pinned = []
  cells.sort((x, y) => x - y)
  for (const i of cells) {
    if (!hidden[i] || lo[i]! < hi[i]!) continue
    const hints = [hiFrom[i]!, loFrom[i]!].filter((h) => h >= 0)
    pinned.push({ cell: i, hints })
  }
  return { pinned, steps: head, truncated: head < queue.length }
}

/**
 * (b) Bound propagation: published cells are fixed, withheld cells start at [1, ∞). Returns
 * withheld cells whose bounds meet, with the relations that set their bounds.
 */
export function intervalAttack(cons: readonly Con[], value: readonly number[], hidden: Uint8Array): Pinned {
  return propagate(cons, value, hidden, newBounds(value.length)).pinned
}

/**
 * Exact integer arithmetic for the elimination: plain numbers while every operand stays below
 * 2²⁶ (so each product and difference is an exact integer below 2⁵³), BigInt otherwise — the
 * same values either way, so the same rows, pivots and answers.
 */
interface Ring<T extends number | bigint> {
  of(x: number): T
  add(a: T, b: T): T
  /** |a| compared with |b|: negative, zero or positive. */
  cmpAbs(a: T, b: T): number
  isZero(a: T): boolean
  /** Divides a row by the gcd of its entries; with `pivot`, the pivot's entry made positive. */
  divide(r: Map<number, T>, pivot?: number): void
  /** p·v − a·r (fraction-free elimination step). */
  combine(v: Map<number, T>, p: T, r: Map<number, T>, a: T): Map<number, T>
}

class Overflow extends Error {}
const LIMIT = 2 ** 26

function gcdN(a: number, b: number): number {
  a = Math.abs(a); b = Math.abs(b)
  while (b) [a, b] = [b, a % b]
  return a
}
const absB = (x: bigint) => (x < 0n ? -x : x)
function gcdB(a: bigint, b: bigint): bigint {
  a = absB(a); b = absB(b)
  while (b) [a, b] = [b, a % b]
  return a
}

const NUM: Ring<number> = {
  of: (x) => x,
  add: (a, b) => a + b,
  cmpAbs: (a, b) => Math.abs(a) - Math.abs(b),
  isZero: (a) => a === 0,
  divide(r, pivot) {
    let g = 0
    for (const v of r.values()) g = gcdN(g, v)
    if (pivot === undefined) {
      if (g > 1) for (const [k, v] of r) r.set(k, v / g)
      return
    }
    if (g === 0) return
    const d = (r.get(pivot) ?? 1) < 0 ? -g : g
    if (d === 1) return
    for (const [k, v] of r) r.set(k, v / d)
  },
  combine(v, p, r, a) {
    if (Math.abs(p) > LIMIT || Math.abs(a) > LIMIT) throw new Overflow()
    const out = new Map<number, number>()
    for (const [k, x] of v) {
      if (Math.abs(x) > LIMIT) throw new Overflow()
      out.set(k, x * p)
    }
    for (const [k, y] of r) {
      if (Math.abs(y) > LIMIT) throw new Overflow()
      const z = (out.get(k) ?? 0) - a * y
      if (z === 0) out.delete(k); else out.set(k, z)
    }
    return out
  },
}

const BIG: Ring<bigint> = {
  of: (x) => BigInt(x),
  add: (a, b) => a + b,
  cmpAbs: (a, b) => { const x = absB(a), y = absB(b); return x < y ? -1 : x > y ? 1 : 0 },
  isZero: (a) => a === 0n,
  divide(r, pivot) {
    let g = 0n
    for (const v of r.values()) g = gcdB(g, v)
    if (pivot === undefined) {
      if (g > 1n) for (const [k, v] of r) r.set(k, v / g)
      return
    }
    if (g === 0n) return
    const d = (r.get(pivot) ?? 1n) < 0n ? -g : g
    if (d === 1n) return
    for (const [k, v] of r) r.set(k, v / d)
  },
  combine(v, p, r, a) {
    const out = new Map<number, bigint>()
    for (const [k, x] of v) out.set(k, x * p)
    for (const [k, y] of r) {
      const z = (out.get(k) ?? 0n) - a * y
      if (z === 0n) out.delete(k); else out.set(k, z)
    }
    return out
  },
}

/** Runs `fn` in plain numbers, again in BigInt if an operand outgrew them. */
function exact<R>(fn: <T extends number | bigint>(ring: Ring<T>) => R): R {
  try {
    return fn(NUM)
  } catch (err) {
    if (err instanceof Overflow) return fn(BIG)
    throw err
  }
}

/**
 * Reduced row echelon form over the rationals, integer-preserving (fraction-free Gauss–Jordan,
 * rows divided by their gcd). `pick` chooses each new row's pivot column; rows stay fully
 * reduced, so a new row needs one pass over the existing pivots. `madeBy[ri]` is the position
 * in `input` of the row that created row ri.
 */
function rref<T extends number | bigint>(ring: Ring<T>, input: ReadonlyArray<Map<number, T>>, pick: (r: Map<number, T>) => number): { rows: Array<Map<number, T>>; pivotOf: number[]; madeBy: number[] } {
  const rows: Array<Map<number, T>> = []
  const pivotOf: number[] = []
  const madeBy: number[] = []
  const pivotRow = new Map<number, number>()
  const colRows = new Map<number, Set<number>>()
  const link = (ri: number, r: Map<number, T>) => { for (const k of r.keys()) { let s = colRows.get(k); if (!s) colRows.set(k, s = new Set()); s.add(ri) } }
  const unlink = (ri: number, r: Map<number, T>) => { for (const k of r.keys()) colRows.get(k)?.delete(ri) }
  for (let at = 0; at < input.length; at++) {
    let v = input[at]!
    if (v.size === 0) continue
    for (const col of [...v.keys()]) {
      const ri = pivotRow.get(col)
      if (ri === undefined) continue
      const a = v.get(col)
      if (a === undefined) continue
      const r = rows[ri]!
      v = ring.combine(v, r.get(col)!, r, a)
      ring.divide(v)
    }
    if (v.size === 0) continue
    const pivot = pick(v)
    ring.divide(v, pivot)
    const p = v.get(pivot)!
    for (const ri of [...(colRows.get(pivot) ?? [])]) {
      const r = rows[ri]!
      const a = r.get(pivot)!
      unlink(ri, r)
      const nr = ring.combine(r, p, v, a)
      ring.divide(nr, pivotOf[ri])
      rows[ri] = nr
      link(ri, nr)
    }
    const ri = rows.length
    rows.push(v)
    pivotOf.push(pivot)
    madeBy.push(at)
    pivotRow.set(pivot, ri)
    link(ri, v)
  }
  return { rows, pivotOf, madeBy }
}

/** A relation restricted to withheld cells. */
function hiddenRow<T extends number | bigint>(ring: Ring<T>, c: Con, hidden: Uint8Array): Map<number, T> {
  const v = new Map<number, T>()
  for (let k = 0; k < c.idx.length; k++) {
    const i = c.idx[k]!
    if (!hidden[i]) continue
    const z = ring.add(v.get(i) ?? ring.of(0), ring.of(c.coef[k]!))
    if (ring.isZero(z)) v.delete(i); else v.set(i, z)
  }
  return v
}

/** Pivot on the smallest coefficient, then the smallest index: keeps the numbers small. */
function smallestPivot<T extends number | bigint>(ring: Ring<T>) {
  return (v: Map<number, T>) => {
    let pivot = -1
    for (const [k, x] of v) {
      if (pivot === -1) { pivot = k; continue }
      const c = ring.cmpAbs(x, v.get(pivot)!)
      if (c < 0 || (c === 0 && k < pivot)) pivot = k
    }
    return pivot
  }
}

/** An equation fed to the elimination, with its place in the whole system's order. */
interface Tagged { con: Con; tag: number }

/**
 * Exact elimination over `eqs` (in order): determined cells (by the tag of the equation that
 * made their row) and the other reduced rows as equations over withheld cells.
 */
function eliminate(eqs: readonly Tagged[], hidden: Uint8Array, value: readonly number[]): { determined: Array<{ cell: number; tag: number }>; rows: Con[] } {
  return exact((ring) => {
    const { rows, pivotOf, madeBy } = rref(ring, eqs.map((e) => hiddenRow(ring, e.con, hidden)), smallestPivot(ring))
    const determined: Array<{ cell: number; tag: number }> = []
    const reduced: Con[] = []
    for (let ri = 0; ri < rows.length; ri++) {
      const r = rows[ri]!
      if (r.size === 1) { determined.push({ cell: pivotOf[ri]!, tag: eqs[madeBy[ri]!]!.tag }); continue }
      // The row as an equation over withheld cells; its constant is what the published cells fix.
      const idx = [...r.keys()]
      const coef = idx.map((i) => Number(r.get(i)!))
      reduced.push({ kind: 'eq', idx, coef, rhs: idx.reduce((a, i, k) => a + coef[k]! * value[i]!, 0) })
    }
    return { determined, rows: reduced }
  })
}

/**
 * (c) Exact linear attack: reduced row echelon form of the identities restricted to withheld
 * cells. A withheld cell is determined iff its unit vector is in the row space, i.e. some
 * reduced row is exactly it. The other rows come back as equations (for the interval pass).
 */
export function linearAttack(cons: readonly Con[], hidden: Uint8Array, value: readonly number[]): { determined: number[]; rows: Con[] } {
  const eqs: Tagged[] = []
  cons.forEach((con, tag) => { if (con.kind === 'eq') eqs.push({ con, tag }) })
  const { determined, rows } = eliminate(eqs, hidden, value)
  return { determined: determined.map((d) => d.cell), rows }
}

/** Where a cell found by the bounded check sits in the whole system's order: [phase, a, b]. */
type Order = [number, number, number]
const byOrder = (x: { order: Order }, y: { order: Order }) => (x.order[0] - y.order[0]) || (x.order[1] - y.order[1]) || (x.order[2] - y.order[2])

/**
 * The bounded check over `cons` (tags: their places in the whole system, increasing). Returns
 * whether any tight cell was frozen and, if so, the cells then determined, each with its order
 * in the whole system's final elimination: identities first by tag, then the frozen cells'
 * equations by their part (the tag of the part's first tight row) and place in it.
 */
function boundedCore(cons: readonly Con[], tags: readonly number[], hidden: Uint8Array, value: readonly number[]): { frozen: boolean; determined: Array<{ cell: number; order: Order }> } {
  const n = value.length
  const tight = (i: number) => i >= n || (hidden[i] === 1 && value[i] === 1)
  return exact((ring) => {
    // Subset relations that hold with equality get a slack column (n + k) that must stay ≥ 0.
    const tightLe: Con[] = []
    const input: Array<Map<number, typeof ring extends Ring<infer T> ? T : never>> = []
    const inputTag: number[] = []
    let hasTight = tightLe.length > 0
    for (let k = 0; k < cons.length; k++) {
      const c = cons[k]!
      const v = hiddenRow(ring, c, hidden)
      if (v.size === 0) continue
      for (const i of v.keys()) if (value[i] === 1) hasTight = true
      if (c.kind === 'eq') { input.push(v); inputTag.push(tags[k]!); continue }
      const slack = c.idx.reduce((a, i, j) => a + c.coef[j]! * value[i]!, 0) - (c.rhs ?? 0)
      if (slack !== 0) continue
      v.set(n + tightLe.length, ring.of(1))
      tightLe.push(c)
      input.push(v)
      inputTag.push(tags[k]!)
    }
    if (!hasTight && tightLe.length === 0) return { frozen: false, determined: [] }
    // Pivot on the first column in the order "loose withheld cells, then tight ones": a row led
    // by a tight column then holds tight columns only, i.e. it constrains the tight cells alone.
    const { rows, pivotOf, madeBy } = rref(ring, input, (v) => {
      let pivot = -1
      for (const k of v.keys()) {
        if (pivot === -1) { pivot = k; continue }
        const a = tight(k) ? 1 : 0
        const b = tight(pivot) ? 1 : 0
        if (a < b || (a === b && k < pivot)) pivot = k
      }
      return pivot
    })
    const tightRows: Array<{ pivot: number; row: Map<number, unknown>; tag: number }> = []
    const pivots = new Set<number>()
    for (let ri = 0; ri < rows.length; ri++) {
      if (!tight(pivotOf[ri]!)) continue
      tightRows.push({ pivot: pivotOf[ri]!, row: rows[ri]!, tag: inputTag[madeBy[ri]!]! })
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
    const rowsOf = new Map<number, Array<{ pivot: number; row: Map<number, unknown>; tag: number }>>()
    for (const tr of tightRows) {
      const r = find(tr.pivot)
      const list = rowsOf.get(r) ?? []
      list.push(tr)
      rowsOf.set(r, list)
    }
    // Frozen cells in the order the whole system lists them: by part, then place in the part.
    const frozen: Array<{ k: number; order: Order }> = []
    for (const [root, cols] of parts) {
      // Variables: z_f for free tight columns, u_t for every tight column; maximise Σ u,
      // u_t ≤ z_t (a pivot's z is minus its row over the free ones), u_t ≤ 1.
      const free = cols.filter((k) => !pivots.has(k))
      const zOf = new Map(free.map((k, i) => [k, i]))
      const uOf = new Map(cols.map((k, i) => [k, free.length + i]))
      const lp: LpRow[] = []
      for (const k of free) lp.push({ terms: [[uOf.get(k)!, 1], [zOf.get(k)!, -1]], rhs: 0 })
      const partRows = rowsOf.get(root) ?? []
      for (const { pivot, row } of partRows) {
        const p = Number(row.get(pivot)!)
        const terms: Array<[number, number]> = [[uOf.get(pivot)!, 1]]
        for (const [k, a] of row) if (k !== pivot) terms.push([zOf.get(k)!, Number(a) / p])
        lp.push({ terms, rhs: 0 })
      }
      for (const k of cols) lp.push({ terms: [[uOf.get(k)!, 1]], rhs: 1 })
      const { x } = maximise(free.length + cols.length, cols.map((k) => [uOf.get(k)!, 1] as [number, number]), lp)
      // The part's first tight row (rows are listed in the order they were made).
      const first = partRows[0]?.tag ?? Infinity
      cols.forEach((k, place) => { if (x[uOf.get(k)!]! < 0.5) frozen.push({ k, order: [1, first, place] }) })
    }
    if (frozen.length === 0) return { frozen: false, determined: [] }
    frozen.sort(byOrder)
    // Frozen cells are known; frozen subset relations are equations. What else do they fix?
    const eqs: Array<{ con: Con; order: Order }> = []
    cons.forEach((con, k) => { if (con.kind === 'eq') eqs.push({ con, order: [0, tags[k]!, 0] }) })
    for (const { k, order } of frozen) {
      eqs.push({ con: k < n ? { kind: 'eq', idx: [k], coef: [1] } : { ...tightLe[k - n]!, kind: 'eq' }, order })
    }
    const { determined } = eliminate(eqs.map((e, tag) => ({ con: e.con, tag })), hidden, value)
    return { frozen: true, determined: determined.map((d) => ({ cell: d.cell, order: eqs[d.tag]!.order })) }
  })
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
  const { determined } = boundedCore(cons, cons.map((_, k) => k), hidden, value)
  return determined.sort(byOrder).map((d) => d.cell)
}

/** One connected part of the withheld cells: its cells and every relation holding one of them. */
interface Part { key: string; cons: number[] }

/**
 * The attacks (b)–(d) part by part (cells must only ever be added to the withheld ones). Relations meet only through withheld cells, so each attack
 * on the whole system is the union of the attacks on its parts: bound propagation never moves
 * a published cell, and elimination never mixes rows without a common withheld cell. Each
 * part's answer is kept by the exact set of its withheld cells (a part whose set did not change
 * gets the same answer), and the parts' answers are merged in the order the whole-system attack
 * lists them, so protection, which depends on that order, withholds the same cells.
 */
class Parts {
  private parts: Part[] = []
  private consActive = 0
  private readonly scratch: Bounds
  private intervalOf = new Map<string, { pinned: Pinned; steps: number; truncated: boolean }>()
  private linearOf = new Map<string, { determined: Array<{ cell: number; tag: number }>; rows: Con[] }>()
  private derivedOf = new Map<string, { pinned: Pinned; steps: number; truncated: boolean }>()
  private boundedOf = new Map<string, { frozen: boolean; determined: Array<{ cell: number; order: Order }> }>()

  constructor(private readonly cons: readonly Con[], private readonly value: readonly number[], private readonly hidden: Uint8Array) {
    this.scratch = newBounds(value.length)
  }

  /** Recomputes the parts for the current withheld cells; answers of parts that are gone are dropped. */
  refresh(): void {
    const n = this.value.length
    const hidden = this.hidden
    const up = new Int32Array(n).fill(-1)
    const root = (a: number): number => {
      while (up[a]! >= 0) {
        const b = up[a]!
        if (up[b]! >= 0) up[a] = up[b]!
        a = b
      }
      return a
    }
    const firstHidden = new Int32Array(this.cons.length).fill(-1)
    for (let ci = 0; ci < this.cons.length; ci++) {
      for (const i of this.cons[ci]!.idx) {
        if (!hidden[i]) continue
        if (firstHidden[ci] === -1) { firstHidden[ci] = i; continue }
        const a = root(i), b = root(firstHidden[ci]!)
        if (a !== b) up[a] = b
      }
    }
    // Per part (by its root): its smallest withheld cell and how many it has.
    const first = new Int32Array(n).fill(-1)
    const size = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      if (!hidden[i]) continue
      const r = root(i)
      if (first[r] === -1) first[r] = i
      size[r] = size[r]! + 1
    }
    const consBy = new Map<number, number[]>()
    this.consActive = 0
    for (let ci = 0; ci < this.cons.length; ci++) {
      if (firstHidden[ci] === -1) continue
      this.consActive++
      const r = root(firstHidden[ci]!)
      const list = consBy.get(r)
      if (list) list.push(ci); else consBy.set(r, [ci])
    }
    // A part's cells only ever grow (cells are withheld, never shown again), so the part of its
    // smallest cell with as many cells as before is the same set of cells.
    this.parts = [...consBy].map(([r, cons]) => ({ key: `${first[r]!}:${size[r]!}`, cons }))
    const keep = new Set(this.parts.map((p) => p.key))
    for (const cache of [this.intervalOf, this.linearOf, this.derivedOf, this.boundedOf] as Array<Map<string, unknown>>) {
      for (const k of cache.keys()) if (!keep.has(k)) cache.delete(k)
    }
  }

  private consIn(p: Part): Con[] { return p.cons.map((ci) => this.cons[ci]!) }

  /** (b) on the published relations. */
  interval(): Pinned {
    const cap = 200 * Math.max(this.consActive, 1)
    let steps = 0
    const out: Pinned = []
    for (const p of this.parts) {
      let r = this.intervalOf.get(p.key)
      if (!r || r.truncated) {
        const got = propagate(this.consIn(p), this.value, this.hidden, this.scratch, cap)
        r = { ...got, pinned: got.pinned.map((x) => ({ cell: x.cell, hints: x.hints.map((h) => p.cons[h]!) })) }
        this.intervalOf.set(p.key, r)
      }
      steps += r.steps
      if (r.truncated || steps > cap) return intervalAttack(this.cons, this.value, this.hidden)
      out.push(...r.pinned)
    }
    return out.sort((a, b) => a.cell - b.cell)
  }

  private linearIn(p: Part) {
    let r = this.linearOf.get(p.key)
    if (!r) {
      const eqs: Tagged[] = []
      for (const ci of p.cons) if (this.cons[ci]!.kind === 'eq') eqs.push({ con: this.cons[ci]!, tag: ci })
      r = eliminate(eqs, this.hidden, this.value)
      this.linearOf.set(p.key, r)
    }
    return r
  }

  /** (c): the determined cells, in the order of the relations that made their rows. */
  linear(): number[] {
    const all = this.parts.flatMap((p) => this.linearIn(p).determined)
    return all.sort((a, b) => a.tag - b.tag).map((d) => d.cell)
  }

  /** (b) through the published relations and the reduced rows of (c). */
  derived(): Pinned {
    const rowsTotal = this.parts.reduce((a, p) => a + this.linearIn(p).rows.length, 0)
    const cap = 200 * Math.max(this.consActive + rowsTotal, 1)
    let steps = 0
    const out: Pinned = []
    for (const p of this.parts) {
      let r = this.derivedOf.get(p.key)
      if (!r || r.truncated) {
        const own = this.consIn(p)
        const got = propagate([...own, ...this.linearIn(p).rows], this.value, this.hidden, this.scratch, cap)
        // Hints name published relations only (a reduced row is no relation to draw a partner from).
        r = { ...got, pinned: got.pinned.map((x) => ({ cell: x.cell, hints: x.hints.filter((h) => h < own.length).map((h) => p.cons[h]!) })) }
        this.derivedOf.set(p.key, r)
      }
      steps += r.steps
      if (r.truncated || steps > cap) {
        const linear = linearAttack(this.cons, this.hidden, this.value)
        return intervalAttack([...this.cons, ...linear.rows], this.value, this.hidden)
          .map((x) => ({ cell: x.cell, hints: x.hints.filter((h) => h < this.cons.length) }))
      }
      out.push(...r.pinned)
    }
    return out.sort((a, b) => a.cell - b.cell)
  }

  /** (d): nothing unless some part has frozen cells; then every part's determined cells. */
  bounded(): number[] {
    const got = this.parts.map((p) => {
      let r = this.boundedOf.get(p.key)
      if (!r) {
        r = boundedCore(this.consIn(p), p.cons, this.hidden, this.value)
        this.boundedOf.set(p.key, r)
      }
      return { p, r }
    })
    if (!got.some(({ r }) => r.frozen)) return []
    const all = got.flatMap(({ p, r }) => (r.frozen ? r.determined : this.linearIn(p).determined.map((d) => ({ cell: d.cell, order: [0, d.tag, 0] as Order }))))
    return all.sort(byOrder).map((d) => d.cell)
  }
}
