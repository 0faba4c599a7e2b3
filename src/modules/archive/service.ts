import { eq } from 'drizzle-orm'
import type { Gateway } from '../../access/gateway.js'
import { schoolDay, textOf } from '../../lib/school-day.js'
import type { RequestContext } from '../../plugins/access.js'
import { timelineSources } from './sources.js'

/** School year of a date: 2026-09-01 … 2027-08-31 is 2026-2027. */
export function schoolYearOf(date: string): string {
  const y = Number(date.slice(0, 4))
  const m = Number(date.slice(5, 7))
  return m >= 9 ? `${y}-${y + 1}` : `${y - 1}-${y}`
}

const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/

/**
 * Where an item falls on the timeline: its calendar day in the schools' zone (TZ_SCHOOL) — a
 * date column is its own day, a timestamp is placed by the zone, not by UTC — and within the
 * day its instant, a day-only item counting as the day's midnight (first).
 */
export function placeOf(v: unknown, timeZone: string): { day: string; ms: number } {
  if (!(v instanceof Date) && DAY_ONLY.test(String(v))) return { day: String(v), ms: -Infinity }
  const at = v instanceof Date ? v : new Date(String(v))
  return { day: schoolDay(at, timeZone), ms: at.getTime() }
}

function isoOf(v: unknown): string {
  if (v instanceof Date) return v.toISOString()
  return String(v)
}

export function createArchiveService(gw: Gateway) {
  const tz = gw.config.TZ_SCHOOL
  return {
    /**
     * One timeline of everything about a student, each source read through the caller's own
     * policy for that resource: a source the role may not list is simply absent, and every
     * item carries only the fields the role reads. One audit row names every resource read.
     */
    async archive(ctx: RequestContext, studentId: string) {
      return gw.tx(ctx, async (tx) => {
        const student = await gw.read(tx, ctx.decision, studentId)
        const items: Array<{ kind: string; step: string; resource: string; id: string; at: string; schoolYear: string; data: Record<string, unknown>; place: { day: string; ms: number } }> = []
        const groups = new Set(ctx.decision.readGroups().map((g) => `students.${g}`))
        for (const source of timelineSources) {
          const decided = gw.policies.decide(ctx.actor, source.resource, 'list')
          const d = decided && source.refine ? source.refine(decided) : decided
          // Filtering on the student column is itself a read of it: a role that may not read
          // it everywhere in that resource gets nothing from this source.
          if (!d || !d.readableEverywhere().has(source.studentField)) continue
          const { items: rows } = await gw.list(tx, d, {
            where: eq(d.column(source.studentField), studentId),
            limit: 500,
            offset: 0,
          })
          rows.forEach((row) => {
            // An item is placed only by fields its reader may read; without them it is left out.
            const date = row[source.dateField]
            const id = row[d.policy.idColumn]
            if (date === undefined || date === null || id === undefined) return
            const place = placeOf(date, tz)
            items.push({
              kind: source.kind,
              step: source.step,
              resource: source.resource,
              id: textOf(id),
              at: isoOf(date),
              schoolYear: schoolYearOf(place.day),
              data: row,
              place,
            })
          })
          if (rows.length) for (const g of d.readGroups()) groups.add(`${source.resource}.${g}`)
        }
        items.sort((a, b) => (a.place.day < b.place.day ? -1 : a.place.day > b.place.day ? 1 : a.place.ms === b.place.ms ? 0 : a.place.ms < b.place.ms ? -1 : 1))
        await gw.audit(tx, ctx, { action: 'R', recordIds: [studentId], studentIds: [studentId], fieldGroups: [...groups].sort() })
        return { student, items: items.map(({ place: _place, ...item }) => item) }
      })
    },
  }
}
