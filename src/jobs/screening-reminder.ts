import { sql } from 'drizzle-orm'
import { queryRows } from '../db/database.js'
import type { JobContext, JobCounts } from './runner.js'

/** Days before a planned campaign starts, and before an open one ends, that teachers are reminded. */
export const SCREENING_REMIND_DAYS = 7

/**
 * The annual 心理测评 (测评建档, step 1): psychology teachers are reminded, each once,
 * - when the school year is under way (a term contains today) and no campaign exists for it;
 * - when a planned campaign starts within a week;
 * - when an open campaign ends within a week.
 */
export async function remindScreening(ctx: JobContext): Promise<JobCounts> {
  const rows = await queryRows<{ reason: string; n: string | number }>(ctx.tx, sql`
    with psych as (
      select distinct ur.school_id, ur.user_id
      from user_roles ur join users u on u.id = ur.user_id and u.status = 'active'
      where ur.role = 'psych_teacher'
    ),
    reasons as (
      select t.school_id, null::uuid as ref, 'missing' as reason, t.school_year
      from terms t
      where t.start_date <= ${ctx.today}::date and t.end_date >= ${ctx.today}::date
        and not exists (select 1 from screening_campaigns c where c.school_id = t.school_id and c.school_year = t.school_year)
      union all
      select c.school_id, c.id, 'starting', c.school_year
      from screening_campaigns c
      where c.status = 'planned' and c.start_date > ${ctx.today}::date and c.start_date <= ${ctx.today}::date + ${SCREENING_REMIND_DAYS}::int
      union all
      select c.school_id, c.id, 'closing', c.school_year
      from screening_campaigns c
      where c.status = 'open' and c.end_date >= ${ctx.today}::date and c.end_date <= ${ctx.today}::date + ${SCREENING_REMIND_DAYS}::int
    ),
    ins as (
      insert into notifications (school_id, user_id, kind, ref_id, params)
      select r.school_id, p.user_id, 'screening_reminder', r.ref, jsonb_build_object('reason', r.reason, 'schoolYear', r.school_year)
      from reasons r join psych p on p.school_id = r.school_id
      where not exists (
        select 1 from notifications n
        where n.school_id = r.school_id and n.user_id = p.user_id and n.kind = 'screening_reminder'
          and n.params->>'reason' = r.reason and n.params->>'schoolYear' = r.school_year
          and n.ref_id is not distinct from r.ref)
      returning params->>'reason' as reason
    )
    select reason, count(*) as n from ins group by reason`)
  const by = Object.fromEntries(rows.map((r) => [r.reason, Number(r.n)]))
  return { missing: by.missing ?? 0, starting: by.starting ?? 0, closing: by.closing ?? 0 }
}
