import { and, eq, gt, lt, lte, sql, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { escalationChains, onCallShifts, schoolHours } from '../../../db/schema/index.js'
import { sentKeys, type Gateway, type Row } from '../../access/gateway.js'
import { queryRows, type Tx } from '../../db/database.js'
import { Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { chainOf, EscalationKinds, StaffRoles, type ChainDefinition, type EscalationKind } from './chain.js'
import { DEFAULT_SCHOOL_HOURS, hhmm, loadSchoolStates, onCallOf, weekdaysOf } from './school-state.js'
import type { HoursPut, ShiftCreate, ShiftListQuery, ShiftPatch } from './schemas.js'

/**
 * Of the given accounts, those that are not active staff of the school (a class psychology
 * monitor, a disabled account, someone of another school). Read from the account tables in the
 * caller's transaction: the chain and the roster may only name people who can act.
 */
async function notStaff(tx: Tx, schoolId: string, userIds: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(userIds)]
  if (wanted.length === 0) return []
  const found = await queryRows<{ user_id: string }>(tx, sql`
    select distinct ur.user_id from user_roles ur join users u on u.id = ur.user_id and u.status = 'active'
    where ur.school_id = ${schoolId} and ur.role = any(${`{${StaffRoles.join(',')}}`}::text[])
      and ur.user_id = any(${`{${wanted.join(',')}}`}::uuid[])`)
  const ok = new Set(found.map((r) => r.user_id))
  return wanted.filter((id) => !ok.has(id))
}

function chainItem(kind: EscalationKind, row: Row | undefined) {
  const { chain, isDefault } = chainOf(kind, row && { steps: row.steps, repeatMinutes: row.repeatMinutes })
  return {
    kind, steps: chain.steps, repeatMinutes: chain.repeatMinutes, isDefault,
    updatedBy: isDefault ? null : (row?.updatedBy as string | null) ?? null,
    updatedAt: isDefault ? null : (row?.updatedAt as Date | null) ?? null,
  }
}

function hoursItem(schoolId: string, row: Row | undefined) {
  if (!row) return { schoolId, ...DEFAULT_SCHOOL_HOURS, weekdays: [...DEFAULT_SCHOOL_HOURS.weekdays], isDefault: true, updatedBy: null, updatedAt: null }
  return {
    schoolId, dayStart: hhmm(row.dayStart), dayEnd: hhmm(row.dayEnd), weekdays: weekdaysOf(row.weekdays as number[] | string),
    isDefault: false, updatedBy: (row.updatedBy as string | null) ?? null, updatedAt: (row.updatedAt as Date | null) ?? null,
  }
}

/** 危机上报链, 值班表 and 在校时间 of the caller's school. */
export function createEscalationService(gw: Gateway) {
  return {
    async listChains(ctx: RequestContext) {
      return gw.tx(ctx, async (tx) => {
        const r = await gw.list(tx, ctx.decision, { limit: EscalationKinds.length, offset: 0 })
        return { items: EscalationKinds.map((k) => chainItem(k, r.items.find((i) => i.kind === k))) }
      })
    },

    async getChain(ctx: RequestContext, kind: EscalationKind) {
      return gw.tx(ctx, async (tx) => {
        const r = await gw.list(tx, ctx.decision, { where: eq(escalationChains.kind, kind), filterFields: ['kind'], limit: 1, offset: 0 })
        return chainItem(kind, r.items[0])
      })
    },

    /** Writes the school's chain of this kind (created on first write). */
    async putChain(ctx: RequestContext, kind: EscalationKind, body: ChainDefinition) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        const strangers = await notStaff(tx, ctx.actor.schoolId!, body.steps.flatMap((s) => s.recipients.userIds))
        if (strangers.length) throw new Validation('escalation_recipient_not_staff', {}, { fields: ['userIds'] })
        const set = { steps: body.steps, repeatMinutes: body.repeatMinutes, updatedBy: ctx.actor.userId, updatedAt: new Date() }
        const row = await gw.upsert(tx, ctx, ctx.decision, [escalationChains.schoolId, escalationChains.kind], {
          input: body, values: { schoolId: ctx.actor.schoolId!, kind, ...set }, onConflict: set, audit: { action: 'U' },
        })
        return chainItem(kind, row)
      })
    },

    /** Back to the built-in chain: the school's own is deleted. */
    async resetChain(ctx: RequestContext, kind: EscalationKind) {
      return gw.tx(ctx, async (tx) => {
        await gw.removeWhere(tx, ctx, ctx.decision, eq(escalationChains.kind, kind))
        return chainItem(kind, undefined)
      })
    },

    async listShifts(ctx: RequestContext, q: z.infer<typeof ShiftListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds: SQL[] = [gt(onCallShifts.endsAt, q.from ? new Date(q.from) : new Date())]
        if (q.to) conds.push(lt(onCallShifts.startsAt, new Date(q.to)))
        const r = await gw.list(tx, ctx.decision, {
          where: and(...conds), filterFields: ['startsAt', 'endsAt'], sort: [{ field: 'startsAt', dir: 'asc' }], limit: q.limit, offset: q.offset,
        })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async getShift(ctx: RequestContext, id: string) {
      return gw.tx(ctx, (tx) => gw.read(tx, ctx.decision, id))
    },

    async createShift(ctx: RequestContext, body: z.infer<typeof ShiftCreate>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        if ((await notStaff(tx, ctx.actor.schoolId!, [body.userId])).length) throw new Validation('on_call_not_staff', {}, { fields: ['userId'] })
        return gw.create(tx, ctx, ctx.decision, { input: body, values: { schoolId: ctx.actor.schoolId!, createdBy: ctx.actor.userId } })
      })
    },

    async updateShift(ctx: RequestContext, id: string, body: z.infer<typeof ShiftPatch>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        const before = await gw.read(tx, ctx.decision, id)
        if (body.userId && (await notStaff(tx, ctx.actor.schoolId!, [body.userId])).length) throw new Validation('on_call_not_staff', {}, { fields: ['userId'] })
        const startsAt = body.startsAt ?? (before.startsAt as Date)
        const endsAt = body.endsAt ?? (before.endsAt as Date)
        if (endsAt <= startsAt) throw new Validation('on_call_range_invalid', {}, { fields: ['startsAt', 'endsAt'] })
        return gw.update(tx, ctx, ctx.decision, id, { input: body })
      })
    },

    async removeShift(ctx: RequestContext, id: string) {
      await gw.tx(ctx, (tx) => gw.remove(tx, ctx, ctx.decision, id, { audit: { fieldGroups: [] } }))
    },

    /** 现在谁值班: who a crisis escalated now would reach as the teacher on call, and why. */
    async onCallNow(ctx: RequestContext, now: Date = new Date()) {
      return gw.tx(ctx, async (tx) => {
        const schoolId = ctx.actor.schoolId!
        const state = (await loadSchoolStates(tx, [schoolId], now, gw.config.TZ_SCHOOL)).get(schoolId)!
        const shifts = await gw.list(tx, ctx.decision, {
          where: and(lte(onCallShifts.startsAt, now), gt(onCallShifts.endsAt, now)), filterFields: ['startsAt', 'endsAt'],
          sort: [{ field: 'startsAt', dir: 'asc' }], limit: 50, offset: 0,
        })
        const oc = onCallOf(state)
        return { at: now, inSchoolHours: state.inHours, mode: oc.mode, userIds: oc.userIds, shifts: shifts.items }
      })
    },

    async getHours(ctx: RequestContext) {
      return gw.tx(ctx, async (tx) => hoursItem(ctx.actor.schoolId!, await gw.find(tx, ctx.decision, ctx.actor.schoolId!)))
    },

    async putHours(ctx: RequestContext, body: z.infer<typeof HoursPut>) {
      ctx.decision.assertWritable(sentKeys(body))
      const set = { dayStart: body.dayStart, dayEnd: body.dayEnd, weekdays: [...body.weekdays].sort(), updatedBy: ctx.actor.userId, updatedAt: new Date() }
      return gw.tx(ctx, async (tx) => hoursItem(ctx.actor.schoolId!, await gw.upsert(tx, ctx, ctx.decision, schoolHours.schoolId, {
        input: body, values: { schoolId: ctx.actor.schoolId!, ...set }, onConflict: set, audit: { action: 'U' },
      })))
    },
  }
}

export type EscalationService = ReturnType<typeof createEscalationService>
