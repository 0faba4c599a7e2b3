import { sql } from 'drizzle-orm'
import type { Gateway } from '../../access/gateway.js'
import { verifyAuditChain } from '../../audit/audit.js'
import { queryRows } from '../../db/database.js'
import type { RequestContext } from '../../plugins/access.js'

/** Requests of one actor closer together than this are one page view in the access log. */
const VIEW_GAP = '60 seconds'

interface ViewRow extends Record<string, unknown> {
  seq: number | string
  ts: Date | string
  lastTs: Date | string
  requests: number
  actorId: string | null
  actorName: string | null
  actorRoles: string
  action: string
  outcome: string
  purpose: string | null
  resources: string[] | string
  total: number | string
}

const iso = (v: Date | string) => (v instanceof Date ? v : new Date(String(v).replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00'))).toISOString()

export function createAuditService(gw: Gateway) {
  const { db } = gw.database
  return {
    async verify(ctx: RequestContext) {
      // The chain spans every school, so it is checked as the owner; the answer holds no rows.
      const result = await verifyAuditChain(db)
      await gw.tx(ctx, (tx) => gw.audit(tx, ctx, { action: 'R', recordIds: [], fieldGroups: ['chain'] }))
      return { ...result, checkedAt: new Date().toISOString() }
    },

    /**
     * Who opened this student's records: actor, role, action, the record types and time; never
     * what they saw. One page load makes several requests (the archive, its guardians, the
     * access log itself), each with its own audit row: rows of one actor with the same action,
     * outcome and purpose less than VIEW_GAP apart are one view, listed once with every record
     * type it touched. The audit log itself keeps every row.
     */
    async accessLog(ctx: RequestContext, studentId: string, limit: number, offset: number) {
      return gw.tx(ctx, async (tx) => {
        // The student must be one the caller may read at all; otherwise it does not exist for them.
        await gw.read(tx, gw.decision(ctx, 'students'), studentId)
        const rows = await queryRows<ViewRow>(tx, sql`
          with r as (
            select a.seq, a.ts, a.actor_id, a.actor_roles, a.action, a.resource, a.outcome, a.purpose,
              case when lag(a.actor_id) over w is not distinct from a.actor_id
                and lag(a.action) over w = a.action
                and lag(a.outcome) over w = a.outcome
                and lag(a.purpose) over w is not distinct from a.purpose
                and a.ts - lag(a.ts) over w < ${VIEW_GAP}::interval
              then 0 else 1 end as brk
            from audit_log a
            where a.school_id = ${ctx.actor.schoolId!} and a.student_ids @> array[${studentId}]::uuid[]
            window w as (order by a.seq)
          ), g as (
            select r.*, sum(brk) over (order by seq) as grp from r
          ), v as (
            select grp, max(seq) as seq, min(ts) as ts, max(ts) as last_ts, count(*)::int as requests,
              (array_agg(actor_id))[1] as actor_id, (array_agg(actor_roles order by seq desc))[1] as actor_roles,
              (array_agg(action))[1] as action, (array_agg(outcome))[1] as outcome, (array_agg(purpose))[1] as purpose,
              array_agg(distinct resource) as resources
            from g group by grp
          )
          select v.seq, v.ts, v.last_ts as "lastTs", v.requests, v.actor_id as "actorId", u.display_name as "actorName",
            v.actor_roles as "actorRoles", v.action, v.outcome, v.purpose, v.resources, count(*) over() as total
          from v left join users u on u.id = v.actor_id
          order by v.seq desc limit ${limit} offset ${offset}`)
        await gw.audit(tx, ctx, { action: 'R', recordIds: [studentId], studentIds: [studentId], fieldGroups: ['who', 'what'] })
        return {
          items: rows.map(({ total: _t, ts, lastTs, resources, seq, ...r }) => {
            const list = Array.isArray(resources) ? resources.map(String) : String(resources).replace(/^\{|\}$/g, '').split(',').filter(Boolean)
            // Reads of the record itself first: "档案" before the parts it is made of.
            const ordered = [...list].sort((a, b) => Number(b === 'students') - Number(a === 'students') || a.localeCompare(b))
            return { ...r, seq: Number(seq), ts: iso(ts), lastTs: iso(lastTs), resource: ordered[0] ?? '', resources: ordered }
          }),
          total: rows.length ? Number(rows[0]!.total) : 0,
          limit,
          offset,
        }
      })
    },
  }
}
