import { and, gte, lte, sql, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { holidays } from '../../../db/schema/index.js'
import { sentKeys, type Gateway, type Row } from '../../access/gateway.js'
import { queryRows, type Executor } from '../../db/database.js'
import { Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import type { HolidayCreate, HolidayListQuery, HolidayPatch, TermCreate, TermPatch } from './schemas.js'

/** ISO dates compare as strings. */
function assertRange(start: unknown, end: unknown): void {
  if (typeof start === 'string' && typeof end === 'string' && start > end) {
    throw new Validation('date_range_invalid', {}, { fields: ['startDate', 'endDate'] })
  }
}

/** 校历: terms and holidays of the actor's school; the 三个必谈 duties are generated from them. */
export function createCalendarService(gw: Gateway) {
  /** A term or a holiday: `values` adds what the service fills in (a term's default name). */
  function create<B extends { startDate: string; endDate: string }>(valuesOf: (body: B) => Record<string, unknown> = () => ({})) {
    return async (ctx: RequestContext, body: B): Promise<Row> => {
      ctx.decision.assertWritable(sentKeys(body))
      assertRange(body.startDate, body.endDate)
      return gw.tx(ctx, (tx) => gw.create(tx, ctx, ctx.decision, { input: body, values: { ...valuesOf(body), schoolId: ctx.actor.schoolId! } }))
    }
  }

  function update<B extends { startDate?: string | undefined; endDate?: string | undefined }>() {
    return async (ctx: RequestContext, id: string, body: B): Promise<Row> => {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        const before = await gw.read(tx, ctx.decision, id)
        assertRange(body.startDate ?? before.startDate, body.endDate ?? before.endDate)
        return gw.update(tx, ctx, ctx.decision, id, { input: body })
      })
    }
  }

  async function remove(ctx: RequestContext, id: string): Promise<void> {
    await gw.tx(ctx, (tx) => gw.remove(tx, ctx, ctx.decision, id))
  }

  return {
    async listTerms(ctx: RequestContext, q: { limit: number; offset: number }) {
      return gw.tx(ctx, async (tx) => {
        const r = await gw.list(tx, ctx.decision, { sort: [{ field: 'startDate', dir: 'desc' }], limit: q.limit, offset: q.offset })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },
    createTerm: create<z.infer<typeof TermCreate>>((b) => ({ name: b.name ?? `${b.schoolYear}学年${b.semester === 1 ? '上' : '下'}学期` })),
    updateTerm: update<z.infer<typeof TermPatch>>(),
    deleteTerm: remove,

    async listHolidays(ctx: RequestContext, q: z.infer<typeof HolidayListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds: SQL[] = []
        const filterFields: string[] = []
        if (q.from) { conds.push(gte(holidays.endDate, q.from)); filterFields.push('endDate') }
        if (q.to) { conds.push(lte(holidays.startDate, q.to)); filterFields.push('startDate') }
        const r = await gw.list(tx, ctx.decision, {
          where: and(...conds), filterFields, sort: [{ field: 'startDate', dir: 'asc' }], limit: q.limit, offset: q.offset,
        })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },
    createHoliday: create<z.infer<typeof HolidayCreate>>(),
    updateHoliday: update<z.infer<typeof HolidayPatch>>(),
    deleteHoliday: remove,
  }
}

export type CalendarService = ReturnType<typeof createCalendarService>

/** What the school calendar says about one day of a school. */
export interface CalendarDay {
  /** Inside one of the school's holidays (寒暑假, 国庆 …). */
  holiday: boolean
  /** Inside one of its terms. */
  inTerm: boolean
  /** Whether the school has entered any term at all (without one, the weekdays alone count). */
  hasTerms: boolean
}

/**
 * The calendar facts of `day` for each school, read in the caller's transaction (a job as the
 * owner, or a request whose school wall limits it to its own school). A school is open on a
 * day that is no holiday and inside a term — the same school day the talk duties count.
 */
export async function calendarDayOf(ex: Executor, schoolIds: readonly string[], day: string): Promise<Map<string, CalendarDay>> {
  const out = new Map<string, CalendarDay>()
  if (schoolIds.length === 0) return out
  const rows = await queryRows<{ school_id: string; holiday: boolean; in_term: boolean; has_terms: boolean }>(ex, sql`
    select s.id as school_id,
      exists (select 1 from holidays h where h.school_id = s.id and ${day}::date between h.start_date and h.end_date) as holiday,
      exists (select 1 from terms t where t.school_id = s.id and ${day}::date between t.start_date and t.end_date) as in_term,
      exists (select 1 from terms t where t.school_id = s.id) as has_terms
    from unnest(${'{' + schoolIds.join(',') + '}'}::uuid[]) as s(id)`)
  for (const r of rows) out.set(r.school_id, { holiday: r.holiday, inTerm: r.in_term, hasTerms: r.has_terms })
  return out
}
