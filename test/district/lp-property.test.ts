import fc from 'fast-check'
import GLPK, { type LP } from 'glpk.js/node'
import t from '../helpers/tap.js'
import { maximise, type LpRow } from '../../src/modules/district/lp.js'
import { DEFAULT_THRESHOLD, suppress, type Constraint } from '../../src/modules/district/suppression.js'
import { testsOf } from '../helpers/once.js'

const test = testsOf(t, 'no-database')

/**
 * The suppression's linear programmes against an independent solver, by property-based tests.
 *
 * The independent solver is GLPK (the GNU Linear Programming Kit, compiled to WebAssembly by
 * the `glpk.js` package, a dev dependency only): a mature, widely used simplex code that
 * shares nothing with lp.ts — its own LU-factorised revised simplex, presolver off here so it
 * reports unboundedness instead of "undefined". A second hand-written solver would share its
 * author's blind spots; a JavaScript port such as javascript-lp-solver is smaller, floating
 * point like lp.ts, and less exercised.
 *
 * 1. lp.ts's `maximise` against GLPK on random small LPs of the form it accepts
 *    (A·x ≤ b, x ≥ 0, b ≥ 0): the same status (optimum or unbounded), the same optimal value,
 *    and a returned point that is feasible and attains it. Half the instances are of the
 *    engine's own shape — homogeneous rows (b = 0, heavily degenerate, where a careless
 *    pivoting rule cycles) with every variable boxed at 1.
 * 2. The protection guarantee end to end: random tables with margins (and a subset column,
 *    "s ≤ row total"), suppressed by the engine; then, for every withheld cell, GLPK minimises
 *    and maximises it over what a reader knows — published cells fixed, withheld cells ≥ 1
 *    (zeros are shown), every relation — and over the integers as well (counts are whole).
 *    A withheld cell is protected iff its minimum is below its maximum.
 *
 * Bounded for CI: fixed seeds and run counts; the whole file runs in a few seconds.
 */

const SEED = 20261205
const glpk = await GLPK()
const TOL = 1e-6

type Status = { status: 'optimal'; value: number } | { status: 'unbounded' }

/** GLPK on max c·x, A·x ≤ b, x ≥ 0. */
function glpkMaximise(nVars: number, objective: Array<[number, number]>, rows: readonly LpRow[]): Status {
  const name = (j: number) => `x${j}`
  const lp: LP = {
    name: 'lp',
    objective: { direction: glpk.GLP_MAX, name: 'obj', vars: Array.from({ length: nVars }, (_, j) => ({ name: name(j), coef: objective.filter(([k]) => k === j).reduce((a, [, c]) => a + c, 0) })) },
    subjectTo: rows.map((r, i) => ({ name: `r${i}`, vars: r.terms.map(([j, a]) => ({ name: name(j), coef: a })), bnds: { type: glpk.GLP_UP, ub: r.rhs, lb: 0 } })),
    bounds: Array.from({ length: nVars }, (_, j) => ({ name: name(j), type: glpk.GLP_LO, lb: 0, ub: 0 })),
  }
  const { result } = glpk.solve(lp, { msglev: glpk.GLP_MSG_OFF, presol: false })
  if (result.status === glpk.GLP_UNBND) return { status: 'unbounded' }
  if (result.status !== glpk.GLP_OPT) throw new Error(`glpk: status ${result.status}`)
  return { status: 'optimal', value: result.z }
}

function ourMaximise(nVars: number, objective: Array<[number, number]>, rows: readonly LpRow[]): Status & { x?: Float64Array } {
  try {
    const { value, x } = maximise(nVars, objective, rows)
    return { status: 'optimal', value, x }
  } catch (err) {
    if (/unbounded/.test((err as Error).message)) return { status: 'unbounded' }
    throw err
  }
}

interface Instance { nVars: number; objective: Array<[number, number]>; rows: LpRow[] }

/** Small integers and halves; zero often, so the rows are sparse like the engine's. */
const coef = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: -3, max: 3 }) }, { weight: 1, arbitrary: fc.integer({ min: -6, max: 6 }).map((k) => k / 2) })
const sparse = (a: number[]): Array<[number, number]> => a.flatMap((c, j) => (c === 0 ? [] : [[j, c] as [number, number]]))

/** max c·x, A·x ≤ b with b ≥ 0 (zero a third of the time: degenerate vertices). */
const generalLp: fc.Arbitrary<Instance> = fc.integer({ min: 1, max: 5 }).chain((n) => fc.record({
  nVars: fc.constant(n),
  objective: fc.array(fc.integer({ min: -2, max: 3 }), { minLength: n, maxLength: n }).map(sparse),
  rows: fc.array(fc.record({
    terms: fc.array(coef, { minLength: n, maxLength: n }).map(sparse),
    rhs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 12 }).map((k) => k / 4)),
  }), { minLength: 1, maxLength: 6 }),
}))

/**
 * The engine's shape (boundedAttack): rows Σ a·z ≤ 0 tying the variables together, every
 * variable boxed at 1, maximise the sum of some of them.
 */
const coneLp: fc.Arbitrary<Instance> = fc.integer({ min: 2, max: 7 }).chain((n) => fc.record({
  nVars: fc.constant(n),
  objective: fc.subarray([...Array(n).keys()], { minLength: 1 }).map((js) => js.map((j) => [j, 1] as [number, number])),
  rows: fc.array(fc.array(coef, { minLength: n, maxLength: n }).map((a) => ({ terms: sparse(a), rhs: 0 })), { minLength: 1, maxLength: 7 })
    .map((rows) => [...rows, ...Array.from({ length: n }, (_, j) => ({ terms: [[j, 1]] as Array<[number, number]>, rhs: 1 }))]),
}))

function agree(inst: Instance, solve = ourMaximise): void {
  const ours = solve(inst.nVars, inst.objective, inst.rows)
  const theirs = glpkMaximise(inst.nVars, inst.objective, inst.rows)
  if (ours.status !== theirs.status) throw new Error(`lp.ts says ${ours.status}, GLPK says ${theirs.status}`)
  if (ours.status !== 'optimal' || theirs.status !== 'optimal') return
  if (Math.abs(ours.value - theirs.value) > TOL) throw new Error(`optimum: lp.ts ${ours.value}, GLPK ${theirs.value}`)
  const x = ours.x!
  for (let j = 0; j < inst.nVars; j++) if (x[j]! < -TOL) throw new Error(`x${j} = ${x[j]} < 0`)
  inst.rows.forEach((r, i) => {
    const lhs = r.terms.reduce((a, [j, c]) => a + c * x[j]!, 0)
    if (lhs > r.rhs + TOL) throw new Error(`row ${i}: ${lhs} > ${r.rhs}`)
  })
  const value = inst.objective.reduce((a, [j, c]) => a + c * x[j]!, 0)
  if (Math.abs(value - ours.value) > TOL) throw new Error(`the returned point gives ${value}, not the reported ${ours.value}`)
}

test('lp.ts maximise agrees with GLPK on random small LPs', async (t) => {
  let optimal = 0
  let unbounded = 0
  const count = (inst: Instance) => { if (glpkMaximise(inst.nVars, inst.objective, inst.rows).status === 'optimal') optimal++; else unbounded++ }
  fc.assert(fc.property(generalLp, (inst) => { agree(inst); count(inst) }), { seed: SEED, numRuns: 1000 })
  fc.assert(fc.property(coneLp, (inst) => { agree(inst); count(inst) }), { seed: SEED + 1, numRuns: 1000 })
  // Both outcomes occur, so the status comparison is exercised both ways.
  t.ok(optimal > 100 && unbounded > 50, `${optimal} optimal, ${unbounded} unbounded`)
})

test('the comparison can fail: a solver that drops a row or stops early is caught', async (t) => {
  const inst: Instance = { nVars: 2, objective: [[0, 1], [1, 1]], rows: [{ terms: [[0, 1], [1, 2]], rhs: 4 }, { terms: [[0, 3], [1, 1]], rhs: 6 }] }
  t.doesNotThrow(() => agree(inst))
  t.equal((glpkMaximise(2, inst.objective, inst.rows) as { value: number }).value, 2.8, 'x = 8/5, y = 6/5')
  const dropsRow: typeof ourMaximise = (n, c, rows) => ourMaximise(n, c, rows.slice(1))
  t.throws(() => agree(inst, dropsRow), /optimum|row/)
  t.throws(() => fc.assert(fc.property(generalLp, (i) => agree(i, dropsRow)), { seed: SEED, numRuns: 300 }))
  const early: typeof ourMaximise = (n, c, rows) => {
    try { const { value, x } = maximise(n, c, rows, 1); return { status: 'optimal', value, x } } catch { return { status: 'optimal', value: 0, x: new Float64Array(n) } }
  }
  t.throws(() => fc.assert(fc.property(coneLp, (i) => agree(i, early)), { seed: SEED, numRuns: 300 }))
})

// ── The protection guarantee ────────────────────────────────────────────────────────────

interface Table { cells: Record<string, number>; cs: Constraint[] }

const sumOf = (total: string, parts: string[]): Constraint => ({ kind: 'eq', terms: [{ cell: total, coef: 1 }, ...parts.map((p) => ({ cell: p, coef: -1 }))] })

/** A count: zero, small (withheld by the primary rule) or large. */
const count = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: DEFAULT_THRESHOLD }) },
  { weight: 5, arbitrary: fc.integer({ min: DEFAULT_THRESHOLD + 1, max: DEFAULT_THRESHOLD + 50 }) },
)

/**
 * R×C cells, row totals, column totals, the grand total both ways; optionally a subset column
 * (s_i ≤ row total i, with its own total), as the district tables publish "with receipt ≤ sent".
 */
const table: fc.Arbitrary<Table> = fc.record({
  R: fc.integer({ min: 2, max: 4 }),
  C: fc.integer({ min: 2, max: 4 }),
  subset: fc.boolean(),
}).chain(({ R, C, subset }) => fc.record({
  inner: fc.array(fc.array(count, { minLength: C, maxLength: C }), { minLength: R, maxLength: R }),
  share: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: R, maxLength: R }),
}).map(({ inner, share }) => {
  const cells: Record<string, number> = {}
  const cs: Constraint[] = []
  const rows = inner.map((_, i) => `r${i}`)
  const cols = inner[0]!.map((_, j) => `k${j}`)
  inner.forEach((row, i) => row.forEach((v, j) => { cells[`c${i}_${j}`] = v }))
  inner.forEach((row, i) => {
    cells[`r${i}`] = row.reduce((a, b) => a + b, 0)
    cs.push(sumOf(`r${i}`, row.map((_, j) => `c${i}_${j}`)))
  })
  cols.forEach((k, j) => {
    cells[k] = inner.reduce((a, row) => a + row[j]!, 0)
    cs.push(sumOf(k, inner.map((_, i) => `c${i}_${j}`)))
  })
  cells.all = rows.reduce((a, r) => a + cells[r]!, 0)
  cs.push(sumOf('all', rows), sumOf('all', cols))
  if (subset) {
    rows.forEach((r, i) => {
      cells[`s${i}`] = Math.floor(share[i]! * cells[r]!)
      cs.push({ kind: 'le', terms: [{ cell: `s${i}`, coef: 1 }, { cell: r, coef: -1 }] })
    })
    cells.sAll = rows.reduce((a, _, i) => a + cells[`s${i}`]!, 0)
    cs.push(sumOf('sAll', rows.map((_, i) => `s${i}`)), { kind: 'le', terms: [{ cell: 'sAll', coef: 1 }, { cell: 'all', coef: -1 }] })
  }
  return { cells, cs }
}))

/** The range a reader can work out for one withheld cell: GLPK min and max, over the reals or the integers. */
function range(cells: Record<string, number>, hidden: ReadonlySet<string>, cs: readonly Constraint[], cell: string, integer: boolean): [number, number] {
  const vars = [...hidden]
  const subjectTo: LP['subjectTo'] = []
  cs.forEach((c, i) => {
    const vs = c.terms.filter((x) => hidden.has(x.cell)).map((x) => ({ name: x.cell, coef: x.coef }))
    if (vs.length === 0) return
    const rhs = -c.terms.filter((x) => !hidden.has(x.cell)).reduce((a, x) => a + x.coef * cells[x.cell]!, 0)
    subjectTo.push({ name: `c${i}`, vars: vs, bnds: c.kind === 'eq' ? { type: glpk.GLP_FX, lb: rhs, ub: rhs } : { type: glpk.GLP_UP, lb: 0, ub: rhs } })
  })
  const solve = (direction: number) => {
    const lp: LP = {
      name: 'reader',
      objective: { direction, name: 'obj', vars: [{ name: cell, coef: 1 }] },
      subjectTo,
      bounds: vars.map((v) => ({ name: v, type: glpk.GLP_LO, lb: 1, ub: 0 })),
      ...(integer ? { generals: vars } : {}),
    }
    const { result } = glpk.solve(lp, { msglev: glpk.GLP_MSG_OFF, presol: integer })
    if (result.status === glpk.GLP_UNBND || (integer && result.status === glpk.GLP_UNDEF)) return direction === glpk.GLP_MAX ? Infinity : -Infinity
    if (result.status !== glpk.GLP_OPT) throw new Error(`glpk: status ${result.status} for ${cell}`)
    return result.z
  }
  return [solve(glpk.GLP_MIN), solve(glpk.GLP_MAX)]
}

/** Everything wrong with one suppressed table, as a list of findings (empty when protected). */
function findings({ cells, cs }: Table): string[] {
  const r = suppress(new Map(Object.entries(cells)), cs)
  const out: string[] = r.unprotected.map((c) => `unprotected ${c}`)
  for (const [k, v] of Object.entries(cells)) {
    if (v === 0 && r.suppressed.has(k)) out.push(`zero ${k} withheld`)
    if (v >= 1 && v <= DEFAULT_THRESHOLD && !r.suppressed.has(k)) out.push(`small ${k}=${v} shown`)
  }
  for (const cell of r.suppressed) {
    const [lo, hi] = range(cells, r.suppressed, cs, cell, false)
    if (!(lo <= cells[cell]! + TOL && cells[cell]! <= hi + TOL)) out.push(`${cell}=${cells[cell]} outside the reader's range [${lo}, ${hi}]`)
    if (hi - lo < TOL) out.push(`${cell}=${cells[cell]} determined: the reader's range is [${lo}, ${hi}]`)
    const [ilo, ihi] = range(cells, r.suppressed, cs, cell, true)
    if (ihi - ilo < 0.5) out.push(`${cell}=${cells[cell]} determined over the integers: [${ilo}, ${ihi}]`)
  }
  return out
}

test('suppressed tables: no withheld cell is determined, over the reals or the integers (GLPK)', async (t) => {
  let withheld = 0
  fc.assert(fc.property(table, (tab) => {
    const f = findings(tab)
    withheld += suppress(new Map(Object.entries(tab.cells)), tab.cs).suppressed.size
    if (f.length) throw new Error(f.join('; '))
  }), { seed: SEED, numRuns: 200 })
  t.ok(withheld > 400, `${withheld} withheld cells, each minimised and maximised`)
})

test('the reader can fail: a cell left alone in its row is found determined', async (t) => {
  // Withhold only c0_0 of a 2×2 table: row 0 gives it away.
  const cells = { c0_0: 3, c0_1: 20, c1_0: 15, c1_1: 30, r0: 23, r1: 45, k0: 18, k1: 50, all: 68 }
  const cs = [sumOf('r0', ['c0_0', 'c0_1']), sumOf('r1', ['c1_0', 'c1_1']), sumOf('k0', ['c0_0', 'c1_0']), sumOf('k1', ['c0_1', 'c1_1']), sumOf('all', ['r0', 'r1'])]
  t.same(range(cells, new Set(['c0_0']), cs, 'c0_0', false), [3, 3])
  // x + y = 2 with both ≥ 1: each is pinned at 1 although neither is alone.
  const pair = { a: 1, b: 1, s: 2, big: 40, t: 42 }
  const pcs = [sumOf('s', ['a', 'b']), sumOf('t', ['s', 'big'])]
  t.same(range(pair, new Set(['a', 'b']), pcs, 'a', false), [1, 1])
  // The engine's answer for the same data leaves nothing determined.
  t.same(findings({ cells, cs }), [])
})
