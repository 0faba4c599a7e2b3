import type { Tx } from '../db/database.js'

/** What the base demo seed made, for modules that add their own demo records. */
export interface DemoContext {
  districtId: string
  schoolId: string
  /** Demo account ids by username (admin.demo, psych.demo, homeroom.demo, mentor.demo, monitor.demo, district.demo). */
  userIds: Record<string, string>
  /** The class homeroom.demo leads and monitor.demo belongs to. */
  demoClassId: string
  classes: Array<{ id: string; level: number; seq: number; name: string }>
  students: Array<{ id: string; classId: string; level: number }>
  /** Seeded random numbers in [0, 1): demo data is the same on every machine. */
  rand: () => number
  /** "Today" for the demo (Asia/Shanghai calendar day). */
  today: string
}

export type DemoExtension = (tx: Tx, ctx: DemoContext) => Promise<void>

/**
 * Each module adds its demo records here (screening results, cases, pairings, talks …);
 * they run in order inside the seed's transaction, after the roster exists.
 */
export const demoExtensions: DemoExtension[] = []
