/**
 * An attacker's toolbox, written apart from the suppression engine so the tests do not
 * check the engine against itself: given the published cells (null = withheld) and the
 * relations a reader can see (totals, identities, subset inequalities), try to recover each
 * withheld cell by
 *  1. single-unknown solving (a relation with one withheld term), cascading;
 *  2. exact linear elimination over the rationals (Gauss–Jordan with fractions);
 *  3. interval reasoning: withheld cells ≥ `floor` (0, or 1 for an attacker who knows zeros
 *     are shown), bounds propagated until nothing moves through every relation and through
 *     every reduced row of step 2 (a combination such as x + y = 2 pins both).
 * Whatever one method recovers becomes known to the others, until nothing changes.
 */

/** Σ coef·cell = rhs (eq) or ≤ rhs (le); rhs is 0 for published totals and identities. */
export interface Relation { kind: 'eq' | 'le'; terms: Array<[string, number]>; rhs?: number; label?: string }

export interface Recovery { cell: string; value: number; method: 'single' | 'linear' | 'interval' }

export interface AttackResult { attacked: number; recovered: Recovery[] }

interface Frac { n: bigint; d: bigint }
const babs = (x: bigint) => (x < 0n ? -x : x)
function bgcd(a: bigint, b: bigint): bigint { a = babs(a); b = babs(b); while (b) [a, b] = [b, a % b]; return a }
function frac(n: bigint, d = 1n): Frac {
  if (d < 0n) { n = -n; d = -d }
  const g = bgcd(n, d) || 1n
  return { n: n / g, d: d / g }
}
const fsub = (a: Frac, b: Frac) => frac(a.n * b.d - b.n * a.d, a.d * b.d)
const fmul = (a: Frac, b: Frac) => frac(a.n * b.n, a.d * b.d)
const fdiv = (a: Frac, b: Frac) => frac(a.n * b.d, a.d * b.n)

export function attack(published: ReadonlyMap<string, number | null>, relations: readonly Relation[], opts: { floor?: number } = {}): AttackResult {
  const floor = opts.floor ?? 0
  const known = new Map<string, number>()
  const withheld: string[] = []
  for (const [k, v] of published) {
    if (v === null) withheld.push(k); else known.set(k, v)
  }
  for (const r of relations) for (const [c] of r.terms) if (!published.has(c)) throw new Error(`relation ${r.label ?? ''} names unpublished cell ${c}`)
  const recovered: Recovery[] = []
  const learn = (cell: string, value: number, method: Recovery['method']) => {
    if (known.has(cell)) return false
    known.set(cell, value)
    recovered.push({ cell, value, method })
    return true
  }

  for (let changed = true; changed;) {
    changed = false
    // 1. single unknown
    for (let again = true; again;) {
      again = false
      for (const r of relations) {
        if (r.kind !== 'eq') continue
        const unknown = r.terms.filter(([c]) => !known.has(c))
        if (unknown.length !== 1) continue
        const [cell, coef] = unknown[0]!
        const rest = r.terms.reduce((a, [c, k]) => (c === cell ? a : a + k * known.get(c)!), 0)
        if (learn(cell, ((r.rhs ?? 0) - rest) / coef, 'single')) { again = true; changed = true }
      }
    }
    // 2. exact linear elimination on the unknowns
    const unknowns = withheld.filter((c) => !known.has(c))
    const col = new Map(unknowns.map((c, i) => [c, i]))
    const eqs = relations.filter((r) => r.kind === 'eq').map((r) => {
      const a = new Map<number, Frac>()
      let b = frac(BigInt(r.rhs ?? 0))
      for (const [c, k] of r.terms) {
        const i = col.get(c)
        if (i === undefined) b = fsub(b, frac(BigInt(k * known.get(c)!)))
        else {
          const prev = a.get(i) ?? frac(0n)
          const s = frac(prev.n + BigInt(k) * prev.d, prev.d)
          if (s.n === 0n) a.delete(i); else a.set(i, s)
        }
      }
      return { a, b }
    })
    const rows = reduceAll(eqs, (i) => i)
    for (const row of rows) {
      if (row.a.size !== 1) continue
      const [i] = [...row.a.keys()]
      if (row.b.d !== 1n) throw new Error('a determined cell came out fractional: the relations are inconsistent')
      if (learn(unknowns[i!]!, Number(row.b.n), 'linear')) changed = true
    }
    if (changed) continue
    // 3. intervals, over the published relations and the reduced rows — of several
    // eliminations, since which combinations appear depends on the pivot order.
    const bases = [rows]
    let seed = 17
    for (let k = 0; k < 4; k++) {
      const order = unknowns.map((_, i) => i)
      for (let i = order.length - 1; i > 0; i--) {
        seed = (seed * 1103515245 + 12345) % 2147483648
        const j = seed % (i + 1)
        ;[order[i], order[j]] = [order[j]!, order[i]!]
      }
      const rank = new Map(order.map((c, r) => [c, r]))
      bases.push(reduceAll(eqs.map((e) => ({ a: new Map(e.a), b: e.b })), (i) => rank.get(i)!))
    }
    const derived: Relation[] = bases.flat().filter((r) => r.a.size > 1).map((r) => ({
      kind: 'eq' as const,
      terms: [...r.a].map(([i, f]) => [unknowns[i]!, Number(f.n) / Number(f.d)] as [string, number]),
      rhs: Number(r.b.n) / Number(r.b.d),
      label: 'reduced row',
    }))
    const lo = new Map<string, number>()
    const hi = new Map<string, number>()
    for (const c of withheld) if (!known.has(c)) { lo.set(c, floor); hi.set(c, Infinity) }
    const L = (c: string) => known.get(c) ?? lo.get(c)!
    const H = (c: string) => known.get(c) ?? hi.get(c)!
    for (let pass = 0, moved = true; moved && pass < 200; pass++) {
      moved = false
      for (const r of [...relations, ...derived]) {
        const rhs = r.rhs ?? 0
        for (const [cell, coef] of r.terms) {
          if (known.has(cell)) continue
          // coef·x  (=|≤)  −Σ others
          let oMin = 0, oMax = 0
          for (const [c, k] of r.terms) {
            if (c === cell) continue
            oMin += k > 0 ? k * L(c) : k * H(c)
            oMax += k > 0 ? k * H(c) : k * L(c)
          }
          const up = rhs - oMin // coef·x ≤ up
          const down = r.kind === 'eq' ? rhs - oMax : -Infinity // coef·x ≥ down
          const nl = coef > 0 ? down / coef : up / coef
          const nh = coef > 0 ? up / coef : down / coef
          if (Number.isFinite(nl) && Math.ceil(nl - 1e-9) > lo.get(cell)!) { lo.set(cell, Math.ceil(nl - 1e-9)); moved = true }
          if (Number.isFinite(nh) && Math.floor(nh + 1e-9) < hi.get(cell)!) { hi.set(cell, Math.floor(nh + 1e-9)); moved = true }
        }
      }
    }
    for (const [c, l] of lo) if (hi.get(c) === l && learn(c, l, 'interval')) changed = true
  }
  return { attacked: withheld.length, recovered }
}

/** Gauss–Jordan with fractions; each row pivots on its column of lowest `rank`. */
function reduceAll(eqs: Array<{ a: Map<number, Frac>; b: Frac }>, rank: (col: number) => number): Array<{ a: Map<number, Frac>; b: Frac }> {
  const rows: Array<{ a: Map<number, Frac>; b: Frac }> = []
  const pivots = new Map<number, number>()
  for (const e of eqs) {
    let a = new Map(e.a)
    let b = e.b
    for (const [p, ri] of pivots) {
      const f = a.get(p)
      if (!f) continue
      const row = rows[ri]!
      const na = new Map(a)
      for (const [j, v] of row.a) {
        const s = fsub(na.get(j) ?? frac(0n), fmul(f, v))
        if (s.n === 0n) na.delete(j); else na.set(j, s)
      }
      a = na
      b = fsub(b, fmul(f, row.b))
    }
    if (a.size === 0) {
      if (b.n !== 0n) throw new Error('the published relations are inconsistent')
      continue
    }
    let p = -1
    for (const j of a.keys()) if (p === -1 || rank(j) < rank(p)) p = j
    const pv = a.get(p)!
    for (const [j, v] of a) a.set(j, fdiv(v, pv))
    b = fdiv(b, pv)
    for (const row of rows) {
      const f = row.a.get(p)
      if (!f) continue
      for (const [j, v] of a) {
        const s = fsub(row.a.get(j) ?? frac(0n), fmul(f, v))
        if (s.n === 0n) row.a.delete(j); else row.a.set(j, s)
      }
      row.b = fsub(row.b, fmul(f, b))
    }
    pivots.set(p, rows.length)
    rows.push({ a, b })
  }
  return rows
}
