import { and, eq, inArray, not, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { peerAlerts, students, userRoles, users } from '../../../db/schema/index.js'
import { sentKeys, type Gateway } from '../../access/gateway.js'
import type { Sort } from '../../access/query.js'
import type { Tx } from '../../db/database.js'
import { lockRow } from '../../db/row-lock.js'
import { Conflict, NotFound, NotInClass, Validation } from '../../lib/errors.js'
import type { Locale } from '../../lib/i18n.js'
import type { RequestContext } from '../../plugins/access.js'
import { ackDeadlineFor, alertOverdueCondition, withAlertDerived } from './alert-rules.js'
import type { AlertAcknowledge, AlertCreate, AlertHandle, AlertListQuery } from './alert-schemas.js'
import { assertCaseOfStudent } from './case-links.js'

/**
 * Each active psychology teacher of the school gets an in-app notice: the alert's id and its
 * urgency only (no name, nothing the monitor wrote, not who sent it). The monitor does not
 * write notifications: they are the system's, audited as the consequence of the monitor's alert.
 */
async function notifyPsychTeachers(gw: Gateway, tx: Tx, ctx: RequestContext, alertId: string, urgency: string): Promise<void> {
  const schoolId = ctx.actor.schoolId!
  const teachers = await tx.selectDistinct({ id: userRoles.userId }).from(userRoles)
    .innerJoin(users, and(eq(users.id, userRoles.userId), eq(users.status, 'active')))
    .where(and(eq(userRoles.schoolId, schoolId), eq(userRoles.role, 'psych_teacher')))
  await gw.record(tx, ctx, 'notifications', teachers.map((u) => ({
    schoolId, userId: u.id, kind: 'alert_received', refId: alertId, params: { urgency },
  })))
}

export function createAlertService(gw: Gateway) {
  return {
    /**
     * A monitor's alert about a classmate. The class is checked against the monitor's own
     * class grant inside the transaction; a pupil of another class answers like a missing one,
     * so a monitor cannot probe who exists elsewhere.
     */
    create(ctx: RequestContext, body: z.infer<typeof AlertCreate>, locale: Locale) {
      // 学号 and name are other ways of naming the student: they write the subject field.
      const keys = sentKeys(body).map((k) => (k === 'studentNo' || k === 'studentName' ? 'studentId' : k))
      ctx.decision.assertWritable(keys)
      return gw.tx(ctx, async (tx) => {
        const schoolId = ctx.actor.schoolId!
        const myClasses = ctx.actor.roles
          .filter((r) => r.role === 'peer_monitor' && r.schoolId === schoolId && r.classId)
          .map((r) => r.classId!)
        if (myClasses.length === 0) throw new NotFound()
        // Monitors have no students policy: one plain lookup inside their own class, nothing returned.
        const who = body.studentId ? eq(students.id, body.studentId)
          : body.studentNo ? eq(students.studentNo, body.studentNo)
            : eq(students.name, body.studentName!)
        const found = await tx.select({ id: students.id, classId: students.classId }).from(students)
          .where(and(eq(students.schoolId, schoolId), inArray(students.classId, myClasses), eq(students.status, 'enrolled'), who)).limit(2)
        if (found.length === 0) throw new NotInClass({ studentNo: body.studentNo, studentName: body.studentName })
        // Two classmates with the same name: ask for the 学号 rather than guess.
        if (found.length > 1) throw new Validation('classmate_ambiguous', {}, { fields: ['studentName'] })
        const { id: studentId, classId } = found[0]!
        const now = new Date()
        const row = await gw.create(tx, ctx, ctx.decision, {
          input: { studentId, urgency: body.urgency, whatSeen: body.whatSeen },
          values: {
            schoolId, studentId, classId, submittedBy: ctx.actor.userId, source: 'monitor',
            status: 'received', ackDeadline: ackDeadlineFor(body.urgency, now), createdAt: now,
          },
        })
        await notifyPsychTeachers(gw, tx, ctx, row.id as string, body.urgency)
        return withAlertDerived(row, locale)
      })
    },

    list(ctx: RequestContext, q: z.infer<typeof AlertListQuery>, locale: Locale) {
      return gw.tx(ctx, async (tx) => {
        const conds: SQL[] = []
        const filterFields: string[] = []
        if (q.status) { conds.push(eq(peerAlerts.status, q.status)); filterFields.push('status') }
        if (q.urgency) { conds.push(eq(peerAlerts.urgency, q.urgency)); filterFields.push('urgency') }
        if (q.studentId) { conds.push(eq(peerAlerts.studentId, q.studentId)); filterFields.push('studentId') }
        if (q.overdue !== undefined) {
          const overdue = alertOverdueCondition()
          conds.push(q.overdue ? overdue : not(overdue))
          filterFields.push('status', 'acknowledgedAt', 'ackDeadline')
        }
        const sort: Sort[] = q.sort === 'deadline' ? [{ field: 'ackDeadline', dir: 'asc' }] : [{ field: 'createdAt', dir: 'desc' }]
        const r = await gw.list(tx, ctx.decision, { where: and(...conds), filterFields, sort, limit: q.limit, offset: q.offset })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        const now = new Date()
        return { items: r.items.map((row) => withAlertDerived(row, locale, now)), total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    get(ctx: RequestContext, id: string, locale: Locale) {
      return gw.tx(ctx, async (tx) => {
        const row = await gw.read(tx, ctx.decision, id)
        await gw.audit(tx, ctx, { action: 'R', rows: [row] })
        return withAlertDerived(row, locale)
      })
    },

    /** A psychology teacher has seen it: the monitor's status becomes 处理中. */
    acknowledge(ctx: RequestContext, id: string, body: z.infer<typeof AlertAcknowledge>, locale: Locale) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        // Locked before the status is read: of teachers acknowledging at once, one wins.
        await lockRow(tx, peerAlerts, ctx.actor.schoolId!, id)
        const before = await gw.read(tx, ctx.decision, id)
        if (before.status !== 'received') throw new Conflict('invalid_transition', { state: String(before.status) })
        await assertCaseOfStudent(tx, ctx.actor.schoolId!, before.studentId as string, body.caseId)
        const row = await gw.update(tx, ctx, ctx.decision, id, {
          input: body,
          values: { status: 'in_progress', acknowledgedAt: new Date(), acknowledgedBy: ctx.actor.userId },
          audit: { fieldGroups: ['progress', 'triage'] },
        })
        return withAlertDerived(row, locale)
      })
    },

    /** Done with it (a case opened, a talk held, nothing to do): the monitor sees 已处理. */
    handle(ctx: RequestContext, id: string, body: z.infer<typeof AlertHandle>, locale: Locale) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        await lockRow(tx, peerAlerts, ctx.actor.schoolId!, id)
        const before = await gw.read(tx, ctx.decision, id)
        if (before.status !== 'received' && before.status !== 'in_progress') throw new Conflict('invalid_transition', { state: String(before.status) })
        await assertCaseOfStudent(tx, ctx.actor.schoolId!, before.studentId as string, body.caseId)
        const now = new Date()
        const row = await gw.update(tx, ctx, ctx.decision, id, {
          input: body,
          values: { status: 'handled', ...(before.acknowledgedAt ? {} : { acknowledgedAt: now, acknowledgedBy: ctx.actor.userId }) },
          audit: { fieldGroups: ['progress', 'triage'] },
        })
        return withAlertDerived(row, locale)
      })
    },
  }
}

export type AlertService = ReturnType<typeof createAlertService>
