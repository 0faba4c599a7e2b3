import { sql } from 'drizzle-orm'
import { verifyAuditChain } from '../audit/audit.js'
import { queryRows } from '../db/database.js'
import type { JobContext, JobCounts } from './runner.js'

/**
 * Nightly check of the hash-chained audit log. The result is the run's counts; when the
 * chain is broken every school admin is told (once per broken sequence number): the chain
 * spans all schools, and the sequence number names no person.
 *
 * A chain alone cannot show that rows were cut off its end. Each run therefore records the
 * head it saw (headSeq, headHash) as an anchor, logged as well so it can be kept outside the
 * database, and checks that the previous run's anchor is still in the log with the same
 * hash: a tail cut (or rewritten) behind the last anchor reports the anchor's sequence
 * number as the first broken one.
 */
export async function verifyAuditNightly(ctx: JobContext): Promise<JobCounts> {
  const chain = await verifyAuditChain(ctx.tx)
  const [head] = await queryRows<{ seq: string | number; row_hash: string }>(ctx.tx, sql`
    select seq, row_hash from audit_log order by seq desc limit 1`)
  const [anchor] = await queryRows<{ seq: string | number; hash: string }>(ctx.tx, sql`
    select counts->>'headSeq' as seq, counts->>'headHash' as hash from job_runs
    where job = 'verify-audit' and status = 'ok' and counts->>'ok' = 'true' and counts->>'headSeq' is not null
    order by started_at desc limit 1`)
  let anchorOk = true
  if (anchor) {
    const kept = await queryRows(ctx.tx, sql`select 1 from audit_log where seq = ${Number(anchor.seq)} and row_hash = ${anchor.hash}`)
    anchorOk = kept.length === 1
  }
  const r = {
    ok: chain.ok && anchorOk,
    total: chain.total,
    firstBrokenSeq: chain.firstBrokenSeq ?? (anchorOk ? null : Number(anchor!.seq)),
  }
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
  return {
    ok: r.ok, total: r.total, firstBrokenSeq: r.firstBrokenSeq, notified, anchorOk,
    headSeq: head ? Number(head.seq) : null, headHash: head?.row_hash ?? null,
  }
}
