import { sql } from 'drizzle-orm'
import { queryRows } from '../db/database.js'
import type { JobContext, JobCounts } from './runner.js'

/**
 * 及时转介 must close the loop: a referral not closed whose follow-up date has passed is
 * flagged to the school's psychology teachers, once per follow-up date (a new date set by
 * the teacher is flagged again when it passes too).
 */
export async function flagOverdueReferrals(ctx: JobContext): Promise<JobCounts> {
  const rows = await queryRows<{ overdue: string | number; notified: string | number; flagged: string | number }>(ctx.tx, sql`
    with due as (
      select r.school_id, r.id, to_char(r.follow_up_date, 'YYYY-MM-DD') as follow_up
      from referrals r
      where r.state <> 'closed' and r.closed_at is null and r.follow_up_date < ${ctx.today}::date
    ),
    psych as (
      select distinct ur.school_id, ur.user_id
      from user_roles ur join users u on u.id = ur.user_id and u.status = 'active'
      where ur.role = 'psych_teacher'
    ),
    ins as (
      insert into notifications (school_id, user_id, kind, ref_id, params)
      select d.school_id, p.user_id, 'referral_overdue', d.id, jsonb_build_object('followUpDate', d.follow_up)
      from due d join psych p on p.school_id = d.school_id
      where not exists (
        select 1 from notifications n
        where n.school_id = d.school_id and n.user_id = p.user_id and n.kind = 'referral_overdue'
          and n.ref_id = d.id and n.params->>'followUpDate' = d.follow_up)
      returning ref_id
    )
    select (select count(*) from due) as overdue, count(*) as notified, count(distinct ref_id) as flagged from ins`)
  const r = rows[0]!
  return { overdueReferrals: Number(r.overdue), newlyFlagged: Number(r.flagged), notifications: Number(r.notified) }
}
