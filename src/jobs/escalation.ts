import { sql } from 'drizzle-orm'
import { queryRows } from '../db/database.js'
import { auditJobChange } from './job-audit.js'
import type { JobContext, JobCounts } from './runner.js'

interface Escalated { school_id: string; id: string; student_id: string; notified: string | number }

/**
 * Recipients of an escalation: the school's psychology teachers other than the one who
 * raised it, and its school admins. Admins read no case content, so their notification
 * carries no record id; psychology teachers get the id of the record they may open.
 */
function escalationInsert(kind: string) {
  return sql`
    recipients as (
      select e.school_id, e.id as ref, ur.user_id, bool_or(ur.role = 'psych_teacher') as psych
      from esc e
      join user_roles ur on ur.school_id = e.school_id and ur.role in ('psych_teacher', 'school_admin')
      join users u on u.id = ur.user_id and u.status = 'active'
      where ur.user_id is distinct from e.raised_by
      group by e.school_id, e.id, ur.user_id
    ),
    ins as (
      insert into notifications (school_id, user_id, kind, ref_id, params)
      select school_id, user_id, ${kind}, case when psych then ref end, jsonb_build_object('level', 1)
      from recipients
      returning 1
    )
    select e.school_id, e.id, e.student_id, (select count(*) from ins) as notified from esc e`
}

/**
 * Crisis events and peer alerts nobody acknowledged by their deadline are escalated once:
 * escalatedAt (and the crisis' escalationLevel) are set and the school's other psychology
 * teachers and its admins are notified. Idempotent: an escalated record is not escalated again.
 */
export async function escalateUnacknowledged(ctx: JobContext): Promise<JobCounts> {
  const { tx } = ctx
  const now = ctx.now.toISOString()
  const crises = await queryRows<Escalated>(tx, sql`
    with esc as (
      update crisis_events set escalation_level = 1, escalated_at = ${now}::timestamptz
      where status = 'open' and acknowledged_at is null and escalation_level = 0 and ack_deadline < ${now}::timestamptz
      returning school_id, id, student_id, opened_by as raised_by
    ),
    ${escalationInsert('crisis_escalated')}`)
  const alerts = await queryRows<Escalated>(tx, sql`
    with esc as (
      update peer_alerts set escalated_at = ${now}::timestamptz
      where status = 'received' and acknowledged_at is null and escalated_at is null and ack_deadline < ${now}::timestamptz
      returning school_id, id, student_id, submitted_by as raised_by
    ),
    ${escalationInsert('alert_escalated')}`)
  const toRows = (rs: Escalated[]) => rs.map((r) => ({ schoolId: r.school_id, id: r.id, studentId: r.student_id }))
  await auditJobChange(tx, { job: 'escalate', action: 'U', resource: 'crisis_events', rows: toRows(crises), fieldGroups: ['escalation'] })
  await auditJobChange(tx, { job: 'escalate', action: 'U', resource: 'peer_alerts', rows: toRows(alerts), fieldGroups: ['triage'] })
  return {
    crisesEscalated: crises.length,
    crisisNotifications: Number(crises[0]?.notified ?? 0),
    alertsEscalated: alerts.length,
    alertNotifications: Number(alerts[0]?.notified ?? 0),
  }
}
