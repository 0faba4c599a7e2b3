import { eq } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { withActorTx } from '../../access/transaction.js'
import { audit, readMany, readOne } from '../../access/query.js'
import { NotFound } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { timelineSources } from './sources.js'

/** School year of a date: 2026-09-01 … 2027-08-31 is 2026-2027. */
export function schoolYearOf(date: string): string {
  const y = Number(date.slice(0, 4))
  const m = Number(date.slice(5, 7))
  return m >= 9 ? `${y}-${y + 1}` : `${y - 1}-${y}`
}

const SHANGHAI_MS = 8 * 3_600_000

/**
 * When an item happened, as an instant: a calendar day (date column) is taken as midnight in
 * Asia/Shanghai, so day-only items and timestamps sort together, and the school year comes
 * from the Shanghai calendar day, not the UTC one.
 */
export function instantOf(v: unknown): number {
  if (v instanceof Date) return v.getTime()
  const s = String(v)
  return /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00+08:00`) : Date.parse(s)
}

function shanghaiDay(instant: number): string {
  return new Date(instant + SHANGHAI_MS).toISOString().slice(0, 10)
}

function isoOf(v: unknown): string {
  if (v instanceof Date) return v.toISOString()
  return String(v)
}

export function createArchiveService(app: FastifyInstance) {
  const { db } = app.database
  return {
    /**
     * One timeline of everything about a student, each source read through the caller's own
     * policy for that resource: a source the role may not list is simply absent, and every
     * item carries only the fields the role reads. One audit row names every resource read.
     */
    async archive(ctx: RequestContext, studentId: string) {
      return withActorTx(db, ctx.actor, async (tx) => {
        const student = await readOne(tx, ctx.decision, studentId)
        if (!student) throw new NotFound()
        const items: Array<{ kind: string; step: string; resource: string; id: string; at: string; schoolYear: string; data: Record<string, unknown> }> = []
        const groups = new Set(ctx.decision.readGroups().map((g) => `students.${g}`))
        for (const source of timelineSources) {
          const decided = app.policies.decide(ctx.actor, source.resource, 'list')
          const d = decided && source.refine ? source.refine(decided) : decided
          // Filtering on the student column is itself a read of it: a role that may not read
          // it everywhere in that resource gets nothing from this source.
          if (!d || !d.readableEverywhere().has(source.studentField)) continue
          const { items: rows } = await readMany(tx, d, {
            where: eq(d.column(source.studentField), studentId),
            limit: 500,
            offset: 0,
          })
          rows.forEach((row) => {
            // An item is placed only by fields its reader may read; without them it is left out.
            const date = row[source.dateField]
            const id = row[d.policy.idColumn]
            if (date === undefined || date === null || id === undefined) return
            const when = isoOf(date)
            items.push({
              kind: source.kind,
              step: source.step,
              resource: source.resource,
              id: String(id),
              at: when,
              schoolYear: schoolYearOf(shanghaiDay(instantOf(date))),
              data: row,
            })
          })
          if (rows.length) for (const g of d.readGroups()) groups.add(`${source.resource}.${g}`)
        }
        items.sort((a, b) => instantOf(a.at) - instantOf(b.at))
        await audit(tx, ctx, { action: 'R', recordIds: [studentId], studentIds: [studentId], fieldGroups: [...groups].sort() })
        return { student, items }
      })
    },
  }
}
