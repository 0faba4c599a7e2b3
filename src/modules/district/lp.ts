/**
 * A small dense simplex for the suppression engine's exact bound check: maximise c·x subject
 * to A·x ≤ b, x ≥ 0, with b ≥ 0 (so the slack basis is feasible and no phase 1 is needed).
 * Bland's rule (lowest index enters and leaves) rules out cycling on the degenerate problems
 * the engine poses; the tolerance is far below the rationals involved (small integers).
 */

export interface LpRow { terms: Array<[number, number]>; rhs: number }

const EPS = 1e-9

export function maximise(nVars: number, objective: Array<[number, number]>, rows: readonly LpRow[], maxPivots = 50_000): { value: number; x: Float64Array } {
  const m = rows.length
  const width = nVars + m + 1
  const t = new Float64Array((m + 1) * width)
  const rhsCol = width - 1
  for (let i = 0; i < m; i++) {
    const r = rows[i]!
    if (r.rhs < -EPS) throw new Error('lp: negative right-hand side')
    for (const [j, a] of r.terms) t[i * width + j] = t[i * width + j]! + a
    t[i * width + nVars + i] = 1
    t[i * width + rhsCol] = r.rhs
  }
  // Objective row holds −c (reduced costs); optimal when none is negative.
  const obj = m * width
  for (const [j, c] of objective) t[obj + j] = t[obj + j]! - c
  const basis = Array.from({ length: m }, (_, i) => nVars + i)

  for (let pivots = 0; ; pivots++) {
    if (pivots > maxPivots) throw new Error('lp: pivot limit')
    let enter = -1
    for (let j = 0; j < width - 1; j++) if (t[obj + j]! < -EPS) { enter = j; break }
    if (enter === -1) break
    let leave = -1
    let best = Infinity
    for (let i = 0; i < m; i++) {
      const a = t[i * width + enter]!
      if (a <= EPS) continue
      const ratio = t[i * width + rhsCol]! / a
      if (ratio < best - EPS || (Math.abs(ratio - best) <= EPS && leave !== -1 && basis[i]! < basis[leave]!)) { best = ratio; leave = i }
    }
    if (leave === -1) throw new Error('lp: unbounded')
    const p = t[leave * width + enter]!
    const lr = leave * width
    for (let j = 0; j < width; j++) t[lr + j] = t[lr + j]! / p
    for (let i = 0; i <= m; i++) {
      if (i === leave) continue
      const f = t[i * width + enter]!
      if (Math.abs(f) <= 1e-15) continue
      const ir = i * width
      for (let j = 0; j < width; j++) {
        const v = t[lr + j]!
        if (v !== 0) t[ir + j] = t[ir + j]! - f * v
      }
    }
    basis[leave] = enter
  }
  const x = new Float64Array(nVars)
  for (let i = 0; i < m; i++) if (basis[i]! < nVars) x[basis[i]!] = t[i * width + rhsCol]!
  return { value: t[obj + rhsCol]!, x }
}
