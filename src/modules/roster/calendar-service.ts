import { and, gte, lte, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { holidays } from '../../../db/schema/index.js'
import { audit, readMany } from '../../access/query.js'
import type { Tx } from '../../db/database.js'
import { Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import * as repo from './repository.js'
import { groupsOf, inActorTx, mustRead, sentKeys, type Row, type RosterDeps } from './record-access.js'
import type { HolidayCreate, HolidayListQuery, HolidayPatch, TermCreate, TermPatch } from './schemas.js'

/** ISO dates compare as strings. */
function assertRange(start: unknown, end: unknown): void {
  if (typeof start === 'string' && typeof end === 'string' && start > end) {
    throw new Validation('date_range_invalid', {}, { fields: ['startDate', 'endDate'] })
  }
}

/** 校历: terms and holidays of the actor's school; the 三个必谈 duties are generated from them. */
export function createCalendarService(deps: RosterDeps) {
  function create<B extends { startDate: string; endDate: string }>(
    insert: (tx: Tx, schoolId: string, body: B) => Promise<string>,
  ) {
    return async (ctx: RequestContext, body: B): Promise<Row> => {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      assertRange(body.startDate, body.endDate)
      return inActorTx(deps, ctx, async (tx) => {
        const id = await insert(tx, ctx.actor.schoolId!, body)
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'C', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    }
  }

  function update<B extends { startDate?: string | undefined; endDate?: string | undefined }>(
    write: (tx: Tx, schoolId: string, id: string, body: B) => Promise<unknown>,
  ) {
    return async (ctx: RequestContext, id: string, body: B): Promise<Row> => {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(deps, ctx, async (tx) => {
        const before = await mustRead(tx, ctx.decision, id)
        assertRange(body.startDate ?? before.startDate, body.endDate ?? before.endDate)
        await write(tx, ctx.actor.schoolId!, id, body)
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'U', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    }
  }

  function remove(del: (tx: Tx, schoolId: string, id: string) => Promise<unknown>) {
    return (ctx: RequestContext, id: string): Promise<void> => inActorTx(deps, ctx, async (tx) => {
      const row = await mustRead(tx, ctx.decision, id)
      await del(tx, ctx.actor.schoolId!, id)
      await audit(tx, ctx, { action: 'D', rows: [row], fieldGroups: [] })
    })
  }

  return {
    async listTerms(ctx: RequestContext, q: { limit: number; offset: number }) {
      return inActorTx(deps, ctx, async (tx) => {
        const r = await readMany(tx, ctx.decision, { sort: [{ field: 'startDate', dir: 'desc' }], limit: q.limit, offset: q.offset })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },
    createTerm: create<z.infer<typeof TermCreate>>((tx, schoolId, b) => repo.insertTerm(tx, {
      ...b, schoolId, name: b.name ?? `${b.schoolYear}学年${b.semester === 1 ? '上' : '下'}学期`,
    })),
    updateTerm: update<z.infer<typeof TermPatch>>((tx, schoolId, id, b) => repo.updateTerm(tx, schoolId, id, b)),
    deleteTerm: remove((tx, schoolId, id) => repo.deleteTerm(tx, schoolId, id)),

    async listHolidays(ctx: RequestContext, q: z.infer<typeof HolidayListQuery>) {
      return inActorTx(deps, ctx, async (tx) => {
        const conds: SQL[] = []
        const filterFields: string[] = []
        if (q.from) { conds.push(gte(holidays.endDate, q.from)); filterFields.push('endDate') }
        if (q.to) { conds.push(lte(holidays.startDate, q.to)); filterFields.push('startDate') }
        const r = await readMany(tx, ctx.decision, {
          where: and(...conds), filterFields, sort: [{ field: 'startDate', dir: 'asc' }], limit: q.limit, offset: q.offset,
        })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },
    createHoliday: create<z.infer<typeof HolidayCreate>>((tx, schoolId, b) => repo.insertHoliday(tx, { ...b, schoolId })),
    updateHoliday: update<z.infer<typeof HolidayPatch>>((tx, schoolId, id, b) => repo.updateHoliday(tx, schoolId, id, b)),
    deleteHoliday: remove((tx, schoolId, id) => repo.deleteHoliday(tx, schoolId, id)),
  }
}

export type CalendarService = ReturnType<typeof createCalendarService>
