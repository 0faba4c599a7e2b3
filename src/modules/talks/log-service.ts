import { and, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { students, talkLogs } from '../../../db/schema/index.js'
import type { Gateway } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { NotInClass, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { raiseConcernAlert } from './concern-alert.js'
import { fulfilDuties } from './fulfilment.js'
import type { LogCreate, LogListQuery } from './schemas.js'
import { homeroomClassIds, talkLogsDecision } from './scope.js'

export function createLogService(gw: Gateway) {
  /**
   * Why no log was written (the error path only): the student is not one of the caller's class.
   * When the caller may read the student, the error may name the 学号 they can already see.
   */
  async function notInClass(tx: Tx, ctx: RequestContext, studentId: string): Promise<NotInClass> {
    const d = gw.policies.decide(ctx.actor, 'students', 'read')
    const readable = d ? await gw.find(tx, d, studentId) : undefined
    return new NotInClass(typeof readable?.studentNo === 'string' ? { studentNo: readable.studentNo } : {})
  }

  return {
    /**
     * A homeroom teacher logs a talk with a pupil of their own class (any other student: 404).
     * In the same transaction the log fulfils its open duty, and a "concerned" log raises
     * an alert to the psychology teachers.
     */
    create(ctx: RequestContext, body: z.infer<typeof LogCreate>) {
      ctx.decision.assertWritable(Object.keys(body).filter((k) => body[k as keyof typeof body] !== undefined))
      if (body.talkDate > gw.today()) {
        throw new Validation('talk_date_in_future', {}, { fields: ['talkDate'] })
      }
      return gw.tx(ctx, async (tx) => {
        const schoolId = ctx.actor.schoolId!
        const classIds = homeroomClassIds(ctx.actor)
        // The student check is the INSERT's own: the row is made from the student's row, which
        // must be readable through the caller's student policy and be in a class the caller
        // leads as homeroom teacher (reaching the student through another role, a school admin
        // or a mentor, is not enough: the talk is the homeroom teacher's). No row, no log.
        const studentDecision = gw.policies.decide(ctx.actor, 'students', 'read')
        // The new row comes back through the read policy in the INSERT itself (RETURNING with
        // the per-role flags and the scope), projected as a read of it would be.
        const logDecision = talkLogsDecision(ctx.decision)
        const log = studentDecision && classIds.length
          ? await gw.createFrom(tx, ctx, logDecision, {
            input: body,
            // Built once per decision (so per actor: their id, school and classes stay literal);
            // what the body gives is a placeholder.
            key: 'talk-log',
            values: {
              studentId: body.studentId, talkDate: body.talkDate, kind: body.kind, place: body.place ?? null,
              summary: body.summary ?? null, followUpNeeded: body.followUpNeeded ?? false, concerned: body.concerned ?? false,
            },
            select: (qb) => qb.select({
              // Every column of talk_logs in the table's order, defaults included (an INSERT … SELECT has no DEFAULT).
              schoolId: students.schoolId,
              id: sql<string>`gen_random_uuid()`.as('id'),
              studentId: students.id,
              classId: students.classId,
              teacherId: sql<string>`${ctx.actor.userId}::uuid`.as('teacher_id'),
              talkDate: sql<string>`${sql.placeholder('talkDate')}::date`.as('talk_date'),
              kind: sql<string>`${sql.placeholder('kind')}::text`.as('kind'),
              place: sql<string | null>`${sql.placeholder('place')}::text`.as('place'),
              summary: sql<string | null>`${sql.placeholder('summary')}::text`.as('summary'),
              followUpNeeded: sql<boolean>`${sql.placeholder('followUpNeeded')}::boolean`.as('follow_up_needed'),
              concerned: sql<boolean>`${sql.placeholder('concerned')}::boolean`.as('concerned'),
              createdAt: sql<Date>`now()`.as('created_at'),
            }).from(students).where(and(
              eq(students.id, sql.placeholder('studentId')), eq(students.schoolId, schoolId), inArray(students.classId, classIds), studentDecision.where(),
            )),
            audit: { fieldGroups: ctx.decision.readGroups() },
          })
          : undefined
        if (!log) throw await notInClass(tx, ctx, body.studentId)
        const logId = log.id as string

        // The fulfilled duty comes back from the UPDATE through the caller's duty policy.
        const dutyDecision = gw.policies.decide(ctx.actor, 'talk_duties', 'read')
        const fulfilled = await fulfilDuties(tx, {
          logId, schoolId, isNew: true,
          ...(dutyDecision ? { returning: { ...dutyDecision.selection(), __inScope: sql<boolean>`(${dutyDecision.where()})`.as('__inScope') }, returningOf: dutyDecision } : {}),
        })
        let duty: Record<string, unknown> | null = null
        if (fulfilled.length) {
          await gw.audit(tx, ctx, {
            action: 'U', resource: 'talk_duties', recordIds: fulfilled.map((f) => f.id),
            studentIds: [body.studentId], fieldGroups: ['fulfilment', 'progress'],
          })
          const row = fulfilled[0]!.row
          duty = dutyDecision && row && (row.__inScope === true || row.__inScope === 't') ? dutyDecision.project(row) : null
        }
        if (body.concerned) await raiseConcernAlert(gw, tx, ctx, { studentId: body.studentId, classId: log.classId as string, summary: body.summary, now: new Date() })
        return { ...log, fulfilled: duty }
      })
    },

    list(ctx: RequestContext, q: z.infer<typeof LogListQuery>) {
      const d = talkLogsDecision(ctx.decision)
      return gw.tx(ctx, async (tx) => {
        const conds: SQL[] = []
        const filterFields: string[] = []
        if (q.studentId) { conds.push(eq(talkLogs.studentId, q.studentId)); filterFields.push('studentId') }
        if (q.kind) { conds.push(eq(talkLogs.kind, q.kind)); filterFields.push('kind') }
        if (q.from) { conds.push(gte(talkLogs.talkDate, q.from)); filterFields.push('talkDate') }
        if (q.to) { conds.push(lte(talkLogs.talkDate, q.to)); filterFields.push('talkDate') }
        if (q.concerned !== undefined) { conds.push(eq(talkLogs.concerned, q.concerned)); filterFields.push('concerned') }
        const r = await gw.list(tx, d, {
          where: and(...conds),
          filterFields,
          sort: [{ field: 'talkDate', dir: 'desc' }],
          limit: q.limit,
          offset: q.offset,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    get(ctx: RequestContext, id: string) {
      return gw.readAudited(ctx, talkLogsDecision(ctx.decision), id)
    },
  }
}

export type LogService = ReturnType<typeof createLogService>
