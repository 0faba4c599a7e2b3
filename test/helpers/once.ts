import type { Test } from 'tap'

/**
 * CI runs the suite twice, on the embedded database and on a PostgreSQL server
 * (XINAN_RUN_ONCE_SKIP names, per run, the kinds of file the other run covers):
 * - 'no-database': files that never open a database give the same answer in both runs, and
 *   run in the embedded one;
 * - 'generated': the suites generated over every route × role × scope (authorization matrix,
 *   field-leak scan, mass assignment, fuzz) ask thousands of the same questions of the same
 *   policy code and SQL, and run in the server one, where they take a third of the time.
 * Anywhere else (`npm test` on a developer's machine, with or without a server) every file runs.
 */
export type RunOnceKind = 'no-database' | 'generated'

const reasons: Record<RunOnceKind, string> = {
  'no-database': 'no database involved: runs once per CI run, in the embedded run',
  generated: 'generated over every route: runs once per CI run, in the server run',
}

/** `t.test` when this run covers the file, or nothing (the file says why in its plan). */
export function testsOf(t: Test, kind: RunOnceKind): Test['test'] {
  const skipped = (process.env.XINAN_RUN_ONCE_SKIP ?? '').split(',').map((s) => s.trim())
  if (!skipped.includes(kind)) return t.test.bind(t) as Test['test']
  t.plan(0, reasons[kind])
  return (() => {}) as unknown as Test['test']
}
