import { and, eq, inArray, isNotNull, isNull, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { pairings, supportTeams } from '../../../db/schema/index.js'
import { sentKeys, type Gateway, type Row } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { lockRow } from '../../db/row-lock.js'
import { Conflict } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { assertMentorIsTeacher, withActive } from './pairing-service.js'
import type { TeamCreate, TeamEnd, TeamListQuery, TeamMember } from './team-schemas.js'

/**
 * 多帮一: a team of staff around one student. Each member is a pairing carrying the team's id
 * and the member's part, so a member reaches the student exactly as a paired mentor does (the
 * `paired` scope, evaluated per request) and only while that pairing is open. Removing a member
 * ends their pairing; ending the team ends every member's pairing in the same transaction.
 */
export function createTeamService(gw: Gateway) {
  /** The members' pairings of these teams, as the caller reads pairings (none when they read none). */
  async function membersOf(tx: Tx, ctx: RequestContext, teamIds: string[]): Promise<Map<string, Row[]>> {
    const out = new Map<string, Row[]>(teamIds.map((id) => [id, []]))
    const d = gw.policies.decide(ctx.actor, 'pairings', 'list')
    if (!d || teamIds.length === 0 || !d.readableEverywhere().has('teamId')) return out
    const r = await gw.list(tx, d, {
      where: inArray(pairings.teamId, teamIds), filterFields: ['teamId'], sort: [{ field: 'startDate', dir: 'asc' }], limit: 500, offset: 0,
    })
    const today = gw.today()
    for (const row of r.items) out.get(row.teamId as string)?.push(withActive(row, today))
    return out
  }

  async function addMembers(tx: Tx, ctx: RequestContext, team: Row, members: Array<z.infer<typeof TeamMember>>): Promise<Row[]> {
    const schoolId = ctx.actor.schoolId!
    const ids = members.map((m) => m.userId)
    if (new Set(ids).size !== ids.length) throw new Conflict('team_member_exists')
    for (const m of members) await assertMentorIsTeacher(tx, schoolId, m.userId, 'userId')
    const open = await tx.select({ mentorId: pairings.mentorId }).from(pairings).where(and(
      eq(pairings.schoolId, schoolId), eq(pairings.teamId, team.id as string), isNull(pairings.endedAt), inArray(pairings.mentorId, ids)))
    if (open.length) throw new Conflict('team_member_exists')
    const today = gw.today()
    const start = (team.startDate as string) > today ? (team.startDate as string) : today
    const d = gw.decision(ctx, 'pairings', 'create')
    const rows = await gw.createMany(tx, ctx, d, members.map((m) => ({
      values: {
        schoolId, studentId: team.studentId, mentorId: m.userId, purpose: team.purpose, frequency: 'weekly', startDate: start,
        teamId: team.id, teamRole: m.teamRole, createdBy: ctx.actor.userId,
      },
    })), { fieldGroups: ['mentor', 'team', 'term', 'purpose'] })
    return rows.map((r) => withActive(r, today))
  }

  /** The team as the caller reads it, locked for a change when asked; 404 when out of scope. */
  async function team(tx: Tx, ctx: RequestContext, id: string, lock = false): Promise<Row> {
    if (lock) await lockRow(tx, supportTeams, ctx.actor.schoolId!, id)
    return gw.read(tx, gw.decision(ctx, 'support_teams'), id)
  }

  return {
    create(ctx: RequestContext, studentId: string, body: z.infer<typeof TeamCreate>) {
      const { members, ...fields } = body
      ctx.decision.assertWritable(sentKeys(fields))
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, gw.decision(ctx, 'students'), studentId)
        const row = await gw.create(tx, ctx, ctx.decision, {
          input: fields,
          values: { schoolId: ctx.actor.schoolId!, studentId, startDate: fields.startDate ?? gw.today(), createdBy: ctx.actor.userId },
        })
        const added = await addMembers(tx, ctx, row, members)
        return { ...row, members: added }
      })
    },

    list(ctx: RequestContext, q: z.infer<typeof TeamListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds: SQL[] = []
        const fields: string[] = []
        if (q.studentId) { conds.push(eq(supportTeams.studentId, q.studentId)); fields.push('studentId') }
        if (q.active !== undefined) { conds.push(q.active ? isNull(supportTeams.endedAt) : isNotNull(supportTeams.endedAt)); fields.push('endedAt') }
        const r = await gw.list(tx, ctx.decision, {
          where: conds.length ? and(...conds) : undefined, filterFields: fields,
          sort: [{ field: 'startDate', dir: 'desc' }], limit: q.limit, offset: q.offset,
        })
        const members = await membersOf(tx, ctx, r.items.map((i) => i.id as string))
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items.map((i) => ({ ...i, members: members.get(i.id as string) ?? [] })), total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    get(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => {
        const row = await gw.read(tx, ctx.decision, id)
        const members = await membersOf(tx, ctx, [id])
        await gw.audit(tx, ctx, { action: 'R', rows: [row] })
        return { ...row, members: members.get(id) ?? [] }
      })
    },

    addMember(ctx: RequestContext, id: string, body: z.infer<typeof TeamMember>) {
      return gw.tx(ctx, async (tx) => {
        const row = await team(tx, ctx, id, true)
        if (row.endedAt) throw new Conflict('team_ended')
        return (await addMembers(tx, ctx, row, [body]))[0]!
      })
    },

    /** Ends one member's pairing: their access ends with their next request. */
    removeMember(ctx: RequestContext, id: string, memberId: string) {
      return gw.tx(ctx, async (tx) => {
        const row = await team(tx, ctx, id, true)
        if (row.endedAt) throw new Conflict('team_ended')
        await lockRow(tx, pairings, ctx.actor.schoolId!, memberId)
        const d = gw.decision(ctx, 'pairings', 'transition')
        const member = await gw.read(tx, d, memberId, eq(pairings.teamId, id))
        if (member.endedAt) throw new Conflict('team_member_ended')
        const ended = await gw.update(tx, ctx, d, memberId, { values: { endedAt: new Date() }, audit: { fieldGroups: ['status'] } })
        return withActive(ended, gw.today())
      })
    },

    /** Ends the team and, in the same transaction, every member's pairing still open. */
    end(ctx: RequestContext, id: string, body: z.infer<typeof TeamEnd>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return gw.tx(ctx, async (tx) => {
        const before = await team(tx, ctx, id, true)
        if (before.endedAt) throw new Conflict('team_ended')
        const now = new Date()
        const row = await gw.update(tx, ctx, ctx.decision, id, {
          input: body, values: { endedAt: now }, audit: { fieldGroups: ['status', ...gw.groupsOf(ctx.decision, keys)] },
        })
        await gw.updateWhere(tx, ctx, gw.decision(ctx, 'pairings', 'transition'), and(eq(pairings.teamId, id), isNull(pairings.endedAt))!, {
          values: { endedAt: now, endedReason: body.endedReason ?? null }, audit: { fieldGroups: ['status', 'ending'] },
        })
        const members = await membersOf(tx, ctx, [id])
        return { ...row, members: members.get(id) ?? [] }
      })
    },
  }
}

export type TeamService = ReturnType<typeof createTeamService>
