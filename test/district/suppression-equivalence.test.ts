import fc from 'fast-check'
import t from '../helpers/tap.js'
import { suppress, type Constraint, type SuppressionResult } from '../../src/modules/district/suppression.js'
import { suppress as reference } from './suppression-reference.js'
import { testsOf } from '../helpers/once.js'

const test = testsOf(t, 'no-database')

/**
 * The suppression engine runs its attacks part by part and keeps each part's answer while its
 * withheld cells stay the same (for speed). Privacy must not change with that: on random
 * district-shaped systems it must withhold exactly the cells the previous engine
 * (suppression-reference.ts, a frozen copy) withholds, in as many rounds, with the same
 * primary and complementary counts and the same unprotected cells.
 */

const SEED = 20261206

const sumOf = (total: string, parts: string[]): Constraint => ({ kind: 'eq', terms: [{ cell: total, coef: 1 }, ...parts.map((p) => ({ cell: p, coef: -1 }))] })
const le = (part: string, whole: string): Constraint => ({ kind: 'le', terms: [{ cell: part, coef: 1 }, { cell: whole, coef: -1 }] })

/** Mostly small counts (withheld, many of them 1: the bounded check's case), some zeros and large ones. */
const count = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.constant(1) },
  { weight: 4, arbitrary: fc.integer({ min: 2, max: 10 }) },
  { weight: 4, arbitrary: fc.integer({ min: 11, max: 60 }) },
)

interface System { cells: Map<string, number>; cs: Constraint[] }

/**
 * A district as the tables publish it: per school, grades × columns with row totals, column
 * subtotals and the school total; district column totals and total; optionally a second table
 * of a subset of each row (screened ≤ enrolled) with its own totals and subset relations.
 */
const district: fc.Arbitrary<System> = fc.record({
  S: fc.integer({ min: 1, max: 8 }),
  G: fc.integer({ min: 1, max: 4 }),
  C: fc.integer({ min: 2, max: 4 }),
  subset: fc.boolean(),
}).chain(({ S, G, C, subset }) => fc.record({
  x: fc.array(fc.array(fc.array(count, { minLength: C, maxLength: C }), { minLength: G, maxLength: G }), { minLength: S, maxLength: S }),
  share: fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: G, maxLength: G }), { minLength: S, maxLength: S }),
}).map(({ x, share }) => {
  const cells = new Map<string, number>()
  const cs: Constraint[] = []
  const put = (id: string, v: number) => { cells.set(id, v); return id }
  const schoolTotals: string[] = []
  const schoolCols: string[][] = Array.from({ length: C }, () => [])
  const subsetTotals: string[] = []
  x.forEach((school, s) => {
    const rowTotals: string[] = []
    const subs: string[] = []
    school.forEach((row, g) => {
      const ids = row.map((v, c) => put(`x|${s}|${g}|${c}`, v))
      const total = put(`t|${s}|${g}`, row.reduce((a, b) => a + b, 0))
      cs.push(sumOf(total, ids))
      rowTotals.push(total)
      if (subset) {
        const sub = put(`y|${s}|${g}`, Math.floor(share[s]![g]! * cells.get(total)!))
        cs.push(le(sub, total))
        subs.push(sub)
      }
    })
    for (let c = 0; c < C; c++) {
      const parts = school.map((_, g) => `x|${s}|${g}|${c}`)
      const col = put(`x|${s}|*|${c}`, parts.reduce((a, p) => a + cells.get(p)!, 0))
      cs.push(sumOf(col, parts))
      schoolCols[c]!.push(col)
    }
    const total = put(`t|${s}|*`, rowTotals.reduce((a, p) => a + cells.get(p)!, 0))
    cs.push(sumOf(total, rowTotals), sumOf(total, Array.from({ length: C }, (_, c) => `x|${s}|*|${c}`)))
    schoolTotals.push(total)
    if (subset) {
      const sub = put(`y|${s}|*`, subs.reduce((a, p) => a + cells.get(p)!, 0))
      cs.push(sumOf(sub, subs), le(sub, total))
      subsetTotals.push(sub)
    }
  })
  for (let c = 0; c < C; c++) {
    const col = put(`x|*|*|${c}`, schoolCols[c]!.reduce((a, p) => a + cells.get(p)!, 0))
    cs.push(sumOf(col, schoolCols[c]!))
  }
  const all = put('t|*|*', schoolTotals.reduce((a, p) => a + cells.get(p)!, 0))
  cs.push(sumOf(all, schoolTotals), sumOf(all, Array.from({ length: C }, (_, c) => `x|*|*|${c}`)))
  if (subset) {
    const sub = put('y|*|*', subsetTotals.reduce((a, p) => a + cells.get(p)!, 0))
    cs.push(sumOf(sub, subsetTotals), le(sub, all))
  }
  return { cells, cs }
}))

const summary = (r: SuppressionResult) => ({
  suppressed: [...r.suppressed].sort(), primary: r.primary, complementary: r.complementary, rounds: r.rounds, unprotected: [...r.unprotected].sort(),
})

test('the engine withholds exactly what the previous engine withheld, on random districts', async (t) => {
  let complementary = 0
  let longRuns = 0
  let runs = 0
  // fast-check shrinks a disagreement to a small district and reports it.
  t.doesNotThrow(() => fc.assert(fc.property(district, ({ cells, cs }) => {
    const now = summary(suppress(cells, cs))
    const before = summary(reference(cells, cs))
    if (JSON.stringify(now) !== JSON.stringify(before)) throw new Error(`the engines disagree: now ${JSON.stringify(now)}, before ${JSON.stringify(before)}`)
    runs++
    complementary += now.complementary
    if (now.rounds >= 3) longRuns++
  }), { seed: SEED, numRuns: 400 }))
  t.equal(runs, 400, 'every district compared')
  // The systems exercise the later attacks, not only the primary rule and single gaps.
  t.ok(complementary > 500, `${complementary} complementary cells`)
  t.ok(longRuns > 20, `${longRuns} systems needed three rounds or more`)
})
