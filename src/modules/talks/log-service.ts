import { and, eq, gte, lte, sql, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { students, talkLogs } from '../../../db/schema/index.js'
import { audit, readMany, readOne } from '../../access/query.js'
import { NotFound, NotInClass, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { schoolDay } from '../../jobs/clock.js'
import { inActorTx } from '../roster/record-access.js'
import { raiseConcernAlert } from './concern-alert.js'
import { fulfilDuties } from './fulfilment.js'
import type { LogCreate, LogListQuery } from './schemas.js'
import { homeroomClassIds, talkLogsDecision, type TalksDeps } from './talks-access.js'

/** Keys the caller actually sent (zod leaves absent optional keys out). */
function sentKeys(body: object): string[] {
  return Object.entries(body).filter(([, v]) => v !== undefined).map(([k]) => k)
}

export function createLogService(deps: TalksDeps) {
  return {
    /**
     * A homeroom teacher logs a talk with a pupil of their own class (any other student: 404).
     * In the same transaction the log fulfils its open duty, and a "concerned" log raises
     * an alert to the psychology teachers.
     */
    create(ctx: RequestContext, body: z.infer<typeof LogCreate>) {
      ctx.decision.assertWritable(sentKeys(body))
      if (body.talkDate > schoolDay(new Date(), deps.config.TZ_SCHOOL)) {
        throw new Validation('talk_date_in_future', {}, { fields: ['talkDate'] })
      }
      return inActorTx(deps, ctx, async (tx) => {
        // One read of the student through the caller's policy; the raw row also has the class.
        const studentDecision = deps.policies.decide(ctx.actor, 'students', 'read')
        const [raw] = studentDecision
          ? await tx.select(studentDecision.selection()).from(students)
            .where(and(eq(students.id, body.studentId), studentDecision.where())).limit(1) as Record<string, unknown>[]
          : []
        if (!raw || !studentDecision) throw new NotInClass({})
        const readable = studentDecision.project(raw)
        // Reaching the student through another role (a school admin, a mentor) is not enough:
        // the talk is the homeroom teacher's, with a pupil of the class they lead. The caller may
        // read this student, so the error may name the 学号 they can already see.
        const classId = raw.classId as string
        if (raw.schoolId !== ctx.actor.schoolId || !homeroomClassIds(ctx.actor).includes(classId)) {
          throw new NotInClass(typeof readable.studentNo === 'string' ? { studentNo: readable.studentNo } : {})
        }

        // The new row comes back through the read policy in the INSERT itself (RETURNING with
        // the per-role flags and the scope), projected as a read of it would be.
        const logDecision = talkLogsDecision(ctx.decision)
        const [inserted] = await tx.insert(talkLogs).values({
          schoolId: ctx.actor.schoolId!,
          classId,
          teacherId: ctx.actor.userId,
          studentId: body.studentId,
          talkDate: body.talkDate,
          kind: body.kind,
          place: body.place ?? null,
          summary: body.summary ?? null,
          followUpNeeded: body.followUpNeeded ?? false,
          concerned: body.concerned ?? false,
        }).returning({ ...logDecision.selection(), __inScope: sql<boolean>`(${logDecision.where()})`.as('__inScope') }) as Record<string, unknown>[]
        const inScope = inserted?.__inScope
        if (inScope !== true && inScope !== 't') throw new NotFound()
        const logId = inserted!.id as string
        const log = logDecision.project(inserted!)
        await audit(tx, ctx, { action: 'C', rows: [log] })

        const fulfilled = await fulfilDuties(tx, { logId, schoolId: ctx.actor.schoolId!, isNew: true })
        let duty: Record<string, unknown> | null = null
        if (fulfilled.length) {
          await audit(tx, ctx, {
            action: 'U', resource: 'talk_duties', recordIds: fulfilled.map((f) => f.id),
            studentIds: [body.studentId], fieldGroups: ['fulfilment', 'progress'],
          })
          const dutyDecision = deps.policies.decide(ctx.actor, 'talk_duties', 'read')
          duty = dutyDecision ? ((await readOne(tx, dutyDecision, fulfilled[0]!.id)) ?? null) : null
        }
        if (body.concerned) {
          const alertId = await raiseConcernAlert(tx, {
            schoolId: ctx.actor.schoolId!, studentId: body.studentId, classId,
            teacherId: ctx.actor.userId, summary: body.summary, now: new Date(),
          })
          await audit(tx, ctx, { action: 'C', resource: 'peer_alerts', recordIds: [alertId], studentIds: [body.studentId], fieldGroups: ['observation'] })
        }
        return { ...log, fulfilled: duty }
      })
    },

    list(ctx: RequestContext, q: z.infer<typeof LogListQuery>) {
      const d = talkLogsDecision(ctx.decision)
      return inActorTx(deps, ctx, async (tx) => {
        const conds: SQL[] = []
        const filterFields: string[] = []
        if (q.studentId) { conds.push(eq(talkLogs.studentId, q.studentId)); filterFields.push('studentId') }
        if (q.kind) { conds.push(eq(talkLogs.kind, q.kind)); filterFields.push('kind') }
        if (q.from) { conds.push(gte(talkLogs.talkDate, q.from)); filterFields.push('talkDate') }
        if (q.to) { conds.push(lte(talkLogs.talkDate, q.to)); filterFields.push('talkDate') }
        if (q.concerned !== undefined) { conds.push(eq(talkLogs.concerned, q.concerned)); filterFields.push('concerned') }
        const r = await readMany(tx, d, {
          where: and(...conds),
          filterFields,
          sort: [{ field: 'talkDate', dir: 'desc' }],
          limit: q.limit,
          offset: q.offset,
        })
        await audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    get(ctx: RequestContext, id: string) {
      return inActorTx(deps, ctx, async (tx) => {
        const log = await readOne(tx, talkLogsDecision(ctx.decision), id)
        if (!log) throw new NotFound()
        await audit(tx, ctx, { action: 'R', rows: [log] })
        return log
      })
    },
  }
}

export type LogService = ReturnType<typeof createLogService>
