import { and, eq, gte, inArray, isNull, lte, not, or, sql, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { mentorContacts, pairings, userRoles, users } from '../../../db/schema/index.js'
import { sentKeys, type Gateway, type Row } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { lockRow } from '../../db/row-lock.js'
import { Conflict, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import type {
  MentorContactCreate, MentorContactListQuery, PairingCreate, PairingEnd, PairingListQuery, PairingPatch,
} from './pairing-schemas.js'
import { mentorOwnRows } from './scope.js'

/** Roles that make a teacher who can be a mentor (the engine implies `mentor` for each). */
const TEACHER_ROLES = ['psych_teacher', 'homeroom_teacher', 'school_admin', 'mentor'] as const

/** A pairing grants access on the school day `today`: started, not ended, not past its planned end (as the engine's `paired`). */
export function activePairing(today: SQL): SQL {
  return and(
    isNull(pairings.endedAt),
    lte(pairings.startDate, today),
    or(isNull(pairings.plannedEndDate), gte(pairings.plannedEndDate, today)),
  )!
}

/** Adds `active` when the caller reads the dates it is derived from. */
export function withActive(row: Row, today: string): Row {
  if (!('endedAt' in row) || !('startDate' in row) || !('plannedEndDate' in row)) return row
  const start = row.startDate as string
  const end = row.plannedEndDate as string | null
  return { ...row, active: row.endedAt === null && start <= today && (end === null || end >= today) }
}

export async function assertMentorIsTeacher(tx: Tx, schoolId: string, mentorId: string, field = 'mentorId'): Promise<void> {
  const rows = await tx.select({ id: users.id }).from(users)
    .innerJoin(userRoles, and(eq(userRoles.userId, users.id), eq(userRoles.schoolId, schoolId)))
    .where(and(eq(users.id, mentorId), eq(users.schoolId, schoolId), eq(users.status, 'active'), inArray(userRoles.role, [...TEACHER_ROLES])))
    .limit(1)
  if (rows.length === 0) throw new Validation('mentor_not_teacher', {}, { fields: [field] })
}

export function createPairingService(gw: Gateway) {
  return {
    create(ctx: RequestContext, studentId: string, body: z.infer<typeof PairingCreate>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        const schoolId = ctx.actor.schoolId!
        await gw.read(tx, gw.decision(ctx, 'students'), studentId)
        await assertMentorIsTeacher(tx, schoolId, body.mentorId)
        const today = gw.today()
        const startDate = body.startDate ?? today
        if (body.plannedEndDate && body.plannedEndDate < startDate) throw new Validation('date_range_invalid')
        // One mentor at a time (一生一导师): the guidance and the contact log belong to that pairing.
        // The members of a 多帮一 team are pairings too, beside the one mentor, not in place of them.
        // Two teachers pairing the same student at once would both find none open: the check and
        // the insert are serialised per student by a lock held until this transaction ends.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`pairing:${schoolId}:${studentId}`}, 0))`)
        const open = await tx.select({ id: pairings.id }).from(pairings).where(and(
          eq(pairings.schoolId, schoolId), eq(pairings.studentId, studentId), isNull(pairings.endedAt), isNull(pairings.teamId),
          or(isNull(pairings.plannedEndDate), gte(pairings.plannedEndDate, gw.todaySql())),
        )).limit(1)
        if (open.length) throw new Conflict('pairing_exists')
        const row = await gw.create(tx, ctx, ctx.decision, {
          input: body,
          values: {
            schoolId, studentId, frequency: body.frequency ?? 'weekly', guidance: body.guidance ?? null,
            startDate, plannedEndDate: body.plannedEndDate ?? null, createdBy: ctx.actor.userId,
          },
        })
        return withActive(row, today)
      })
    },

    list(ctx: RequestContext, q: z.infer<typeof PairingListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds: Array<SQL | undefined> = [mentorOwnRows(ctx.decision, ctx.actor.userId)]
        const filterFields: string[] = []
        if (q.studentId) { conds.push(eq(pairings.studentId, q.studentId)); filterFields.push('studentId') }
        if (q.mentorId) { conds.push(eq(pairings.mentorId, q.mentorId)); filterFields.push('mentorId') }
        if (q.active !== undefined) {
          const active = activePairing(gw.todaySql())
          conds.push(q.active ? active : not(active))
          filterFields.push('endedAt', 'startDate', 'plannedEndDate')
        }
        const r = await gw.list(tx, ctx.decision, {
          where: and(...conds), filterFields, sort: [{ field: 'startDate', dir: 'desc' }], limit: q.limit, offset: q.offset,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        const today = gw.today()
        return { items: r.items.map((row) => withActive(row, today)), total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    get(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => {
        const row = await gw.read(tx, ctx.decision, id, mentorOwnRows(ctx.decision, ctx.actor.userId))
        await gw.audit(tx, ctx, { action: 'R', rows: [row] })
        return withActive(row, gw.today())
      })
    },

    update(ctx: RequestContext, id: string, body: z.infer<typeof PairingPatch>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        await lockRow(tx, pairings, ctx.actor.schoolId!, id)
        const before = await gw.read(tx, ctx.decision, id)
        if (before.endedAt) throw new Conflict('pairing_ended')
        const start = body.startDate ?? (before.startDate as string)
        const end = body.plannedEndDate === undefined ? (before.plannedEndDate as string | null) : body.plannedEndDate
        if (end && end < start) throw new Validation('date_range_invalid')
        const row = await gw.update(tx, ctx, ctx.decision, id, { input: body })
        return withActive(row, gw.today())
      })
    },

    /** Ends the pairing now: the mentor's access ends with their next request. */
    end(ctx: RequestContext, id: string, body: z.infer<typeof PairingEnd>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return gw.tx(ctx, async (tx) => {
        // Locked: ended once, with one end date and reason, however many press at once.
        await lockRow(tx, pairings, ctx.actor.schoolId!, id)
        const before = await gw.read(tx, ctx.decision, id)
        if (before.endedAt) throw new Conflict('pairing_ended')
        const row = await gw.update(tx, ctx, ctx.decision, id, {
          input: body,
          values: { endedAt: new Date(), endedReason: body.endedReason ?? null },
          audit: { fieldGroups: ['status', ...gw.groupsOf(ctx.decision, keys)] },
        })
        return withActive(row, gw.today())
      })
    },
  }
}

export function createMentorContactService(gw: Gateway) {
  return {
    /** Only the mentor of an active pairing logs contacts on it. */
    create(ctx: RequestContext, pairingId: string, body: z.infer<typeof MentorContactCreate>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        // Shared lock: the pairing cannot end between this check and the contact's commit.
        await lockRow(tx, pairings, ctx.actor.schoolId!, pairingId, 'share')
        const pairing = await gw.read(tx, gw.decision(ctx, 'pairings'), pairingId,
          and(eq(pairings.mentorId, ctx.actor.userId), activePairing(gw.todaySql())))
        const today = gw.today()
        const contactDate = body.contactDate ?? today
        if (contactDate > today) throw new Validation('date_in_future', {}, { fields: ['contactDate'] })
        return gw.create(tx, ctx, ctx.decision, {
          input: body,
          values: {
            schoolId: ctx.actor.schoolId!, pairingId, studentId: pairing.studentId as string, mentorId: ctx.actor.userId,
            contactDate, summary: body.summary ?? null,
          },
        })
      })
    },

    list(ctx: RequestContext, q: z.infer<typeof MentorContactListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds: Array<SQL | undefined> = [mentorOwnRows(ctx.decision, ctx.actor.userId)]
        const filterFields: string[] = []
        if (q.pairingId) { conds.push(eq(mentorContacts.pairingId, q.pairingId)); filterFields.push('pairingId') }
        if (q.studentId) { conds.push(eq(mentorContacts.studentId, q.studentId)); filterFields.push('studentId') }
        const r = await gw.list(tx, ctx.decision, {
          where: and(...conds), filterFields, sort: [{ field: 'contactDate', dir: 'desc' }], limit: q.limit, offset: q.offset,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },
  }
}

export type PairingService = ReturnType<typeof createPairingService>
export type MentorContactService = ReturnType<typeof createMentorContactService>
