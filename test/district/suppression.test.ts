import t from '../helpers/tap.js'
import { boundedAttack, intervalAttack, linearAttack, suppress, type Con, type Constraint } from '../../src/modules/district/suppression.js'
import { attack, type Relation } from './attack.js'
import { testsOf } from '../helpers/once.js'

const test = testsOf(t, 'no-database')

/** total = Σ parts */
const sum = (total: string, parts: string[]): Constraint => ({ kind: 'eq', terms: [{ cell: total, coef: 1 }, ...parts.map((p) => ({ cell: p, coef: -1 }))] })

/** What a reader sees after suppression, and the relations they know. */
function published(cells: Record<string, number>, hidden: ReadonlySet<string>): Map<string, number | null> {
  return new Map(Object.entries(cells).map(([k, v]) => [k, hidden.has(k) ? null : v]))
}
const relationsOf = (cs: Constraint[]): Relation[] => cs.map((c) => ({ kind: c.kind, terms: c.terms.map((x) => [x.cell, x.coef] as [string, number]) }))

/** Suppresses, then attacks the result; every problem found is listed. */
function check(cells: Record<string, number>, cs: Constraint[]) {
  const r = suppress(new Map(Object.entries(cells)), cs)
  const a = attack(published(cells, r.suppressed), relationsOf(cs), { floor: 1 })
  const problems = [
    ...a.recovered.map((x) => `recovered ${x.cell}=${x.value} (${x.method})`),
    ...r.unprotected.map((c) => `unprotected ${c}`),
    ...Object.entries(cells).filter(([k, v]) => v === 0 && r.suppressed.has(k)).map(([k]) => `zero ${k} withheld`),
    ...Object.entries(cells).filter(([k, v]) => v >= 1 && v <= 10 && !r.suppressed.has(k)).map(([k]) => `small ${k} shown`),
  ]
  return { r, problems }
}

test('a single withheld cell in a row gets the smallest non-zero partner', async (t) => {
  const cells = { a: 5, b: 20, c: 30, z: 0, total: 55 }
  const cs = [sum('total', ['a', 'b', 'c', 'z'])]
  // Without the partner, a = 55 − 20 − 30 − 0.
  t.same(attack(published(cells, new Set(['a'])), relationsOf(cs)).recovered, [{ cell: 'a', value: 5, method: 'single' }], 'the attack works on a lone gap')
  const { r, problems } = check(cells, cs)
  t.same(problems, [], 'nothing recoverable, small counts withheld, zeros shown')
  t.same([...r.suppressed].sort(), ['a', 'b'])
  t.equal(r.primary, 1)
  t.equal(r.complementary, 1)
})

test('a 2×2 block: one small cell withholds its row, its column and the opposite corner', async (t) => {
  const cells = {
    r1c1: 3, r1c2: 20, r1c3: 30, r1: 53,
    r2c1: 25, r2c2: 40, r2c3: 50, r2: 115,
    c1: 28, c2: 60, c3: 80, all: 168,
  }
  const cs = [
    sum('r1', ['r1c1', 'r1c2', 'r1c3']), sum('r2', ['r2c1', 'r2c2', 'r2c3']),
    sum('c1', ['r1c1', 'r2c1']), sum('c2', ['r1c2', 'r2c2']), sum('c3', ['r1c3', 'r2c3']),
    sum('all', ['r1', 'r2']), sum('all', ['c1', 'c2', 'c3']),
  ]
  const { r, problems } = check(cells, cs)
  t.same(problems, [], 'nothing recoverable, small counts withheld, zeros shown')
  t.same([...r.suppressed].sort(), ['r1c1', 'r1c2', 'r2c1', 'r2c2'])
})

test('the interval case: two withheld cells that must both be 1 draw a third', async (t) => {
  // x + y = 22 − 20 = 2 and both are at least 1 (zeros are shown), so x = y = 1.
  const cells = { x: 1, y: 1, z: 20, total: 22 }
  const cs = [sum('total', ['x', 'y', 'z'])]
  t.same(attack(published(cells, new Set(['x', 'y'])), relationsOf(cs), { floor: 1 }).recovered.map((r) => r.method), ['interval', 'interval'])
  const { r, problems } = check(cells, cs)
  t.same(problems, [], 'nothing recoverable, small counts withheld, zeros shown')
  t.ok(r.suppressed.has('z') || r.suppressed.has('total'), 'a third term is withheld')
  t.equal(r.suppressed.size, 3)
})

test('a subset relation can pin a cell: screened + unassessed ≤ enrolled', async (t) => {
  // enrolled 40, screened 39 ⇒ unassessed ≤ 1; withheld means ≥ 1; so it is 1.
  const cells = { enrolled: 40, screened: 39, unassessed: 1, red: 2, rest: 37 }
  const cs: Constraint[] = [
    sum('enrolled', ['red', 'rest', 'unassessed']),
    { kind: 'le', terms: [{ cell: 'screened', coef: 1 }, { cell: 'unassessed', coef: 1 }, { cell: 'enrolled', coef: -1 }] },
  ]
  const { r, problems } = check(cells, cs)
  t.same(problems, [], 'nothing recoverable, small counts withheld, zeros shown')
  t.ok(r.suppressed.has('screened') || r.suppressed.has('enrolled'), 'the bound that pinned it is withheld too')
})

test('a cross-table margin: a cell published in two tables is one cell', async (t) => {
  // Table 1: district enrolled = school A + school B. Table 2: each school's enrolled = screened + not yet.
  const cells = { eA: 4, eB: 50, eD: 54, sA: 2, nA: 2, sB: 30, nB: 20 }
  const cs = [sum('eD', ['eA', 'eB']), sum('eA', ['sA', 'nA']), sum('eB', ['sB', 'nB'])]
  const { r, problems } = check(cells, cs)
  t.same(problems, [], 'nothing recoverable, small counts withheld, zeros shown')
  t.ok(r.suppressed.has('eB'), 'school B is withheld in table 1 to protect school A')
  t.ok(r.suppressed.has('nB') || r.suppressed.has('sB'), 'and table 2 no longer gives school B away')
  // Computed table by table, table 2 would publish what table 1 withheld.
  const alone = suppress(new Map(Object.entries({ eB: 50, sB: 30, nB: 20 })), [sum('eB', ['sB', 'nB'])])
  t.equal(alone.suppressed.size, 0, 'separately, table 2 withholds nothing')
  t.equal(attack(published(cells, new Set(['eA', 'eB', 'sA', 'nA'])), relationsOf(cs)).recovered.length > 0, true, 'so separate suppression leaks')
})

test('the exact linear check finds what no single relation shows', async (t) => {
  // x + y = 10, y + z = 10, x + z = 10 ⇒ x = y = z = 5, though each relation has two unknowns.
  const cells = { x: 5, y: 5, z: 5, p: 20, q: 20, r: 20, A: 30, B: 30, C: 30 }
  const cs = [sum('A', ['x', 'y', 'p']), sum('B', ['y', 'z', 'q']), sum('C', ['x', 'z', 'r'])]
  const naive = attack(published(cells, new Set(['x', 'y', 'z'])), relationsOf(cs), { floor: 1 })
  t.same(naive.recovered.map((r) => r.method), ['linear', 'linear', 'linear'], 'primary suppression alone leaks by elimination')
  const { r, problems } = check(cells, cs)
  t.same(problems, [], 'nothing recoverable, small counts withheld, zeros shown')
  t.ok(r.suppressed.size > 3)
})

test('the data must satisfy the relations they are published with', async (t) => {
  t.throws(() => suppress(new Map([['a', 1], ['b', 2], ['t', 4]]), [sum('t', ['a', 'b'])]), /break relation/)
  t.throws(() => suppress(new Map([['a', -1]]), []), /not a count/)
})

test('random tables with margins: nothing recoverable, every small count withheld', async (t) => {
  let seed = 7
  const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
  let attacked = 0
  for (let trial = 0; trial < 40; trial++) {
    const R = 2 + Math.floor(rand() * 4)
    const C = 2 + Math.floor(rand() * 4)
    const cells: Record<string, number> = {}
    const cs: Constraint[] = []
    for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) {
      const u = rand()
      cells[`c${i}_${j}`] = u < 0.15 ? 0 : u < 0.5 ? 1 + Math.floor(rand() * 10) : 11 + Math.floor(rand() * 60)
    }
    for (let i = 0; i < R; i++) {
      cells[`r${i}`] = Array.from({ length: C }, (_, j) => cells[`c${i}_${j}`]!).reduce((a, b) => a + b, 0)
      cs.push(sum(`r${i}`, Array.from({ length: C }, (_, j) => `c${i}_${j}`)))
    }
    for (let j = 0; j < C; j++) {
      cells[`k${j}`] = Array.from({ length: R }, (_, i) => cells[`c${i}_${j}`]!).reduce((a, b) => a + b, 0)
      cs.push(sum(`k${j}`, Array.from({ length: R }, (_, i) => `c${i}_${j}`)))
    }
    cells.all = Array.from({ length: R }, (_, i) => cells[`r${i}`]!).reduce((a, b) => a + b, 0)
    cs.push(sum('all', Array.from({ length: R }, (_, i) => `r${i}`)))
    cs.push(sum('all', Array.from({ length: C }, (_, j) => `k${j}`)))
    const r = suppress(new Map(Object.entries(cells)), cs)
    const a = attack(published(cells, r.suppressed), relationsOf(cs), { floor: 1 })
    attacked += a.attacked
    if (a.recovered.length) t.fail(`trial ${trial}: recovered ${JSON.stringify(a.recovered)}`)
    for (const [k, v] of Object.entries(cells)) if (v >= 1 && v <= 10 && !r.suppressed.has(k)) t.fail(`trial ${trial}: ${k}=${v} shown`)
  }
  t.ok(attacked > 0)
  t.comment(`random tables: ${attacked} withheld cells attacked, none recovered`)
})

test('the bounded check: two rows minus two columns pin three cells at 1', async (t) => {
  // A school's block of a risk table as it was once published (· = withheld):
  //        red orange yellow green | total
  //   7     0    ·      0      ·   |   ·
  //   8     0    ·      ·     34   |  53
  //   9     0    ·      ·      ·   |   ·
  //   sub   0    ·      ·     44   |  66
  // green: g7 + g9 = 10; totals: t7 + t9 = 13; rows 7 and 9 then give o7 + o9 + y9 = 3, and
  // each is at least 1, so all three are 1 — though no single relation, and no elimination,
  // shows it.
  const names = ['o7', 'g7', 't7', 'o8', 'y8', 'g8', 't8', 'o9', 'y9', 'g9', 't9', 'os', 'ys', 'gs', 'ts'] as const
  const v: Record<(typeof names)[number], number> = { o7: 1, g7: 4, t7: 5, o8: 12, y8: 7, g8: 34, t8: 53, o9: 1, y9: 1, g9: 6, t9: 8, os: 14, ys: 8, gs: 44, ts: 66 }
  const ix = (k: (typeof names)[number]) => names.indexOf(k)
  const eq = (total: (typeof names)[number], parts: Array<(typeof names)[number]>): Con => ({ kind: 'eq', idx: [ix(total), ...parts.map(ix)], coef: [1, ...parts.map(() => -1)] })
  const cons: Con[] = [
    eq('t7', ['o7', 'g7']), eq('t8', ['o8', 'y8', 'g8']), eq('t9', ['o9', 'y9', 'g9']), eq('ts', ['os', 'ys', 'gs']),
    eq('os', ['o7', 'o8', 'o9']), eq('ys', ['y8', 'y9']), eq('gs', ['g7', 'g8', 'g9']), eq('ts', ['t7', 't8', 't9']),
  ]
  const hidden = new Uint8Array(names.length)
  for (const k of ['o7', 'g7', 't7', 'o8', 'y8', 'o9', 'y9', 'g9', 't9', 'os', 'ys'] as const) hidden[ix(k)] = 1
  const value = names.map((k) => v[k])
  t.same(linearAttack(cons, hidden, value).determined, [], 'elimination alone finds nothing')
  t.same(intervalAttack(cons, value, hidden), [], 'nor do bounds through the published relations')
  t.same(boundedAttack(cons, hidden, value).map((i) => names[i]).sort(), ['o7', 'o9', 'y9'], 'the bounded check does')
  // The same block with o7 = 2 (so t7 = 6, os = 15, ts = 67): the three sum to 4, nothing is pinned.
  const v2 = { ...v, o7: 2, t7: 6, os: 15, ts: 67 }
  t.same(boundedAttack(cons, hidden, names.map((k) => v2[k])), [], 'with room to move, nothing is pinned')
})

test('a cell named twice in a relation is one term; terms that cancel drop out', async (t) => {
  // z is the smallest published count, but it is no term of the relation (its coefficient is 0).
  const cells = { a: 5, b: 20, c: 30, z: 12, total: 55 }
  const plain = suppress(new Map(Object.entries(cells)), [sum('total', ['a', 'b', 'c'])])
  // total − 2a + a − b − c + 0·z = 0 is the same relation as total = a + b + c.
  const written = suppress(new Map(Object.entries(cells)), [{ kind: 'eq', terms: [
    { cell: 'total', coef: 1 }, { cell: 'a', coef: -2 }, { cell: 'z', coef: 0 }, { cell: 'a', coef: 1 }, { cell: 'b', coef: -1 }, { cell: 'c', coef: -1 },
  ] }])
  t.same([...plain.suppressed].sort(), ['a', 'b'], 'a and its partner')
  t.same([...written.suppressed].sort(), ['a', 'b'], 'the same cells withheld: z is no partner')
  // a − a = 0 says nothing: a is withheld as small, and no partner is needed for it.
  const none = suppress(new Map(Object.entries(cells)), [{ kind: 'eq', terms: [{ cell: 'a', coef: 1 }, { cell: 'a', coef: -1 }] }])
  t.same([...none.suppressed], ['a'])
  t.equal(none.complementary, 0)
  // The check of the data is on the merged relation: 2a ≤ b holds (10 ≤ 20), 5a ≤ b does not (25).
  t.doesNotThrow(() => suppress(new Map(Object.entries(cells)), [{ kind: 'le', terms: [{ cell: 'a', coef: 1 }, { cell: 'a', coef: 1 }, { cell: 'b', coef: -1 }] }]))
  t.throws(() => suppress(new Map(Object.entries(cells)), [{ kind: 'le', label: 'three a', terms: [{ cell: 'a', coef: 3 }, { cell: 'a', coef: 2 }, { cell: 'b', coef: -1 }] }]), /the data break relation three a/)
})
