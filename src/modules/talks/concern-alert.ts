import { sql } from 'drizzle-orm'
import { queryRows, type Executor } from '../../db/database.js'
import { ackDeadlineFor } from '../support/alert-rules.js'

/** Shown to the psychology teachers when the teacher wrote no summary. */
const NO_SUMMARY = '班主任谈话记录标记为“需关注”'

/**
 * A talk flagged "concerned" raises a 同伴跟防 alert to the psychology teachers (source talk,
 * urgency medium, submitted by the teacher) and notifies each of them, in the caller's
 * transaction. The alert carries the teacher's summary: psychology teachers read both.
 * The notification carries only the alert's id.
 */
export async function raiseConcernAlert(ex: Executor, a: {
  schoolId: string
  studentId: string
  classId: string
  teacherId: string
  summary: string | null | undefined
  now: Date
}): Promise<string> {
  // The same acknowledgement deadline as any medium alert (同伴跟防 rules, src/modules/support).
  const deadline = ackDeadlineFor('medium', a.now).toISOString()
  const rows = await queryRows<{ id: string }>(ex, sql`
    with alert as (
      insert into peer_alerts (school_id, student_id, class_id, submitted_by, source, what_seen, urgency, ack_deadline, created_at)
      values (${a.schoolId}, ${a.studentId}, ${a.classId}, ${a.teacherId}, 'talk', ${a.summary?.trim() || NO_SUMMARY}, 'medium',
        ${deadline}::timestamptz, ${a.now.toISOString()}::timestamptz)
      returning school_id, id
    ),
    psych as (
      select distinct ur.user_id
      from user_roles ur join users u on u.id = ur.user_id and u.status = 'active'
      where ur.school_id = ${a.schoolId} and ur.role = 'psych_teacher'
    ),
    ins as (
      insert into notifications (school_id, user_id, kind, ref_id, params)
      select alert.school_id, psych.user_id, 'talk_concerned', alert.id, jsonb_build_object('urgency', 'medium')
      from alert cross join psych
      returning 1
    )
    select alert.id, (select count(*) from ins) as n from alert`)
  return rows[0]!.id
}
