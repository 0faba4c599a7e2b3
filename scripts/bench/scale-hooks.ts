/**
 * Measurements that run inside the scale run (`npm run bench -- --scale`,
 * scripts/bench/duties-scale.ts) on its seeded district — 1,000,000 students in 1,000 schools
 * by default, their classes, care list, calendar and 三个必谈 duties (generated, re-run, marked
 * overdue) — after its own figures. A hook returns metrics whose names end in _embedded or
 * _server (the mode: `opts.url` set means the server), like every section's.
 *
 * To time something else at this size (e.g. the district tables computed uncached), add an
 * entry that imports its module lazily, so the scale run loads nothing it does not use:
 *
 *   { name: 'district tables', run: async (database, world, opts) => (await import('./district.js')).atScale(database, world, opts) }
 */
import type { Database } from '../../src/db/database.js'
import type { Metric, SectionOptions } from './common.js'

/** The seeded district of the scale run. */
export interface ScaleWorld {
  districtId: string
  students: number
  schools: number
}

export interface ScaleHook {
  name: string
  run(database: Database, world: ScaleWorld, opts: SectionOptions): Promise<Metric[]>
}

export const scaleHooks: ScaleHook[] = [
  { name: 'district tables', run: async (database, world, opts) => (await import('./district-scale.js')).districtAtScale(database, world, opts) },
]
