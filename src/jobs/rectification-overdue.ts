import { sql } from 'drizzle-orm'
import { queryRows } from '../db/database.js'
import { checklistById } from '../modules/inspection/checklists/index.js'
import { auditJobChange } from './job-audit.js'
import type { JobContext, JobCounts } from './runner.js'

/**
 * 督导整改: a problem still open the day after its 整改时限 (the school's calendar) is told to
 * each school admin of its school, once (rectification_items.overdue_notified_at; a new
 * deadline set by the admin clears it, so that one is told again when it passes). The
 * notice names the checklist item (its number and 考核要点) and the deadline, nothing else. A school without an active
 * admin keeps its problems unmarked until it has one.
 */
export async function notifyOverdueRectifications(ctx: JobContext): Promise<JobCounts> {
  const marked = await queryRows<{ school_id: string; id: string; item_code: string; deadline: string }>(ctx.tx, sql`
    update rectification_items ri set overdue_notified_at = ${ctx.now.toISOString()}::timestamptz
    where ri.status = 'open' and ri.deadline < ${ctx.today}::date and ri.overdue_notified_at is null
      and exists (
        select 1 from user_roles ur join users u on u.id = ur.user_id and u.status = 'active'
        where ur.school_id = ri.school_id and ur.role = 'school_admin')
    returning ri.school_id, ri.id, ri.item_code, to_char(ri.deadline, 'YYYY-MM-DD') as deadline`)
  if (marked.length === 0) return { overdueItems: 0, notifications: 0 }
  const points = new Map((checklistById()?.items ?? []).map((i) => [i.code, i.point]))
  const payload = JSON.stringify(marked.map((m) => ({ school_id: m.school_id, id: m.id, item_code: m.item_code, item: points.get(m.item_code) ?? '', deadline: m.deadline })))
  const sent = await queryRows<{ n: string | number }>(ctx.tx, sql`
    with due as (
      select * from json_to_recordset(${payload}::json) as x(school_id uuid, id uuid, item_code text, item text, deadline text)
    ),
    admins as (
      select distinct ur.school_id, ur.user_id
      from user_roles ur join users u on u.id = ur.user_id and u.status = 'active'
      where ur.role = 'school_admin' and ur.school_id in (select school_id from due)
    ),
    ins as (
      insert into notifications (school_id, user_id, kind, ref_id, params)
      select d.school_id, a.user_id, 'rectification_overdue', d.id, jsonb_build_object('itemCode', d.item_code, 'item', d.item, 'deadline', d.deadline)
      from due d join admins a on a.school_id = d.school_id
      returning 1
    )
    select count(*) as n from ins`)
  await auditJobChange(ctx.tx, {
    job: 'rectification-overdue', action: 'U', resource: 'rectification_items',
    rows: marked.map((m) => ({ schoolId: m.school_id, id: m.id })), fieldGroups: ['status'],
  })
  return { overdueItems: marked.length, notifications: Number(sent[0]?.n ?? 0) }
}
