import { sql } from 'drizzle-orm'
import { verifyAuditChain } from '../audit/audit.js'
import { queryRows } from '../db/database.js'
import type { JobContext, JobCounts } from './runner.js'

/**
 * Nightly check of the hash-chained audit log. The result is the run's counts; when the
 * chain is broken every school admin is told (once per broken sequence number): the chain
 * spans all schools, and the sequence number names no person.
 */
export async function verifyAuditNightly(ctx: JobContext): Promise<JobCounts> {
  const r = await verifyAuditChain(ctx.tx)
  let notified = 0
  if (!r.ok) {
    const rows = await queryRows<{ n: string | number }>(ctx.tx, sql`
      with admins as (
        select distinct ur.school_id, ur.user_id
        from user_roles ur join users u on u.id = ur.user_id and u.status = 'active'
        where ur.role = 'school_admin'
      ),
      ins as (
        insert into notifications (school_id, user_id, kind, params)
        select a.school_id, a.user_id, 'audit_failed', jsonb_build_object('firstBrokenSeq', ${r.firstBrokenSeq}::bigint, 'total', ${r.total}::bigint)
        from admins a
        where not exists (
          select 1 from notifications n
          where n.school_id = a.school_id and n.user_id = a.user_id and n.kind = 'audit_failed'
            and (n.params->>'firstBrokenSeq')::bigint = ${r.firstBrokenSeq}::bigint)
        returning 1
      )
      select count(*) as n from ins`)
    notified = Number(rows[0]!.n)
  }
  return { ok: r.ok, total: r.total, firstBrokenSeq: r.firstBrokenSeq, notified }
}
