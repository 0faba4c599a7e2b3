import type { Gateway } from '../../access/gateway.js'
import type { Executor } from '../../db/database.js'
import type { RequestContext } from '../../plugins/access.js'
import { notify } from '../notifications/notify.js'
import { ackDeadlineFor } from '../support/alert-rules.js'

/** Shown to the psychology teachers when the teacher wrote no summary. */
const NO_SUMMARY = '班主任谈话记录标记为“需关注”'

/**
 * A talk flagged "concerned" raises a 同伴跟防 alert to the psychology teachers (source talk,
 * urgency medium, submitted by the teacher) and notifies each of them, in the caller's
 * transaction. The alert carries the teacher's summary: psychology teachers read both.
 * The notification carries only the alert's id.
 */
export async function raiseConcernAlert(gw: Gateway, ex: Executor, ctx: RequestContext, a: {
  studentId: string
  classId: string
  summary: string | null | undefined
  now: Date
}): Promise<string> {
  // The same acknowledgement deadline as any medium alert (同伴跟防 rules, src/modules/support).
  const [alert] = await gw.record(ex, ctx, 'peer_alerts', {
    schoolId: ctx.actor.schoolId!, studentId: a.studentId, classId: a.classId, submittedBy: ctx.actor.userId, source: 'talk',
    whatSeen: a.summary?.trim() || NO_SUMMARY, urgency: 'medium', ackDeadline: ackDeadlineFor('medium', a.now), createdAt: a.now,
  }, { fieldGroups: ['observation'] })
  const id = alert!.id as string
  await notify(gw, ex, ctx, { to: { roles: ['psych_teacher'] }, kind: 'talk_concerned', refId: id, params: { urgency: 'medium' } })
  return id
}
