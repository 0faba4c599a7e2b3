import { sql } from 'drizzle-orm'
import { queryRows } from '../db/database.js'
import { auditJobChange } from './job-audit.js'
import type { JobContext, JobCounts } from './runner.js'

/** School days a sent package may wait for the receiving school's decision before both schools are reminded. */
export const TRANSFER_ACCEPT_SCHOOL_DAYS = 5

/**
 * 转学档案提醒: a package sent and not accepted or declined within five school days of the
 * receiving school (weekdays outside its holidays, inside its terms when it has any — the days
 * the talk duties count) is told once (reminded_at) to the receiving school's psychology
 * teachers and to the sending school's (and the teacher who prepared it). The notice names the
 * other school only.
 */
export async function remindPendingTransfers(ctx: JobContext): Promise<JobCounts> {
  const due = await queryRows<{ id: string; school_id: string; to_school_id: string; prepared_by: string | null; from_name: string; to_name: string }>(ctx.tx, sql`
    update student_transfers st set reminded_at = ${ctx.now.toISOString()}::timestamptz
    from schools sf, schools stt
    where sf.id = st.school_id and stt.id = st.to_school_id
      and st.status in ('sent', 'viewed') and st.reminded_at is null and st.sent_at is not null
      and (
        select count(*) from generate_series(
          ((st.sent_at at time zone ${ctx.config.TZ_SCHOOL})::date + 1)::timestamp, ${ctx.today}::date::timestamp, interval '1 day') g
        where extract(isodow from g) < 6
          and not exists (select 1 from holidays h where h.school_id = st.to_school_id and g::date between h.start_date and h.end_date)
          and (not exists (select 1 from terms t where t.school_id = st.to_school_id)
            or exists (select 1 from terms t where t.school_id = st.to_school_id and g::date between t.start_date and t.end_date))
      ) >= ${TRANSFER_ACCEPT_SCHOOL_DAYS}
    returning st.id, st.school_id, st.to_school_id, st.prepared_by, sf.name as from_name, stt.name as to_name`)
  if (due.length === 0) return { reminded: 0, notifications: 0 }
  const payload = JSON.stringify(due)
  const sent = await queryRows<{ n: string | number }>(ctx.tx, sql`
    with due as (
      select * from json_to_recordset(${payload}::json) as x(id uuid, school_id uuid, to_school_id uuid, prepared_by uuid, from_name text, to_name text)
    ),
    targets as (
      select d.id, d.to_school_id as school_id, d.from_name as other from due d
      union all
      select d.id, d.school_id, d.to_name from due d
    ),
    recipients as (
      select distinct t.id, t.school_id, t.other, u.id as user_id
      from targets t
      join users u on u.status = 'active'
      where u.id in (select ur.user_id from user_roles ur where ur.school_id = t.school_id and ur.role = 'psych_teacher')
        or u.id in (select d.prepared_by from due d where d.id = t.id and d.school_id = t.school_id)
    ),
    ins as (
      insert into notifications (school_id, user_id, kind, ref_id, params)
      select r.school_id, r.user_id, 'transfer_reminder', r.id, jsonb_build_object('school', r.other, 'days', ${TRANSFER_ACCEPT_SCHOOL_DAYS}::int)
      from recipients r
      returning 1
    )
    select count(*) as n from ins`)
  // Both schools' audit trails show the reminder (each under its own school).
  await auditJobChange(ctx.tx, {
    job: 'transfer-reminder', action: 'U', resource: 'student_transfers',
    rows: due.flatMap((d) => [{ schoolId: d.school_id, id: d.id }, { schoolId: d.to_school_id, id: d.id }]), fieldGroups: ['routing'],
  })
  return { reminded: due.length, notifications: Number(sent[0]?.n ?? 0) }
}
