import { sql } from 'drizzle-orm'
import type { PolicyRegistry } from '../../access/engine.js'
import type { Gateway } from '../../access/gateway.js'
import { queryRows, type Tx } from '../../db/database.js'
import type { RequestContext } from '../../plugins/access.js'

/**
 * Roles that read case content: the policies let them read or list rows of a sensitive
 * resource (one whose audit names students: cases, sessions, letters, answers …) across the
 * whole school. Roles bound to one class, to paired students or to their own submissions
 * reach a few students, not the school's casework, and are left to the ordinary grant rules.
 * Derived from the policies, so a new role or policy that opens case content is covered
 * without anyone remembering this list.
 */
export function caseReadingRoles(policies: PolicyRegistry): Set<string> {
  const roles = new Set<string>()
  for (const p of policies.all()) {
    if (!p.audit?.sensitive) continue
    for (const [role, rp] of Object.entries(p.roles)) {
      if (rp && rp.scope === 'school' && rp.actions.some((a) => a === 'read' || a === 'list')) roles.add(role)
    }
  }
  return roles
}

/**
 * Tells the school's people who would notice a wrong grant of case access: everyone who
 * already holds a case-reading role (the psychology teachers), and the school's other
 * admins, in the caller's transaction. The grantee and the granting admin are left out.
 * The notification carries ids only; psychology teachers and admins may read the account.
 * The notifications are the system's consequence of the grant, whose own audit row names it.
 */
export async function notifyCaseAccessGrant(gw: Gateway, tx: Tx, ctx: RequestContext, g: {
  granteeId: string
  grantId: string
  role: string
  caseRoles: Set<string>
}): Promise<number> {
  const schoolId = ctx.actor.schoolId!
  const grantedBy = ctx.actor.userId
  const caseRoles = `{${[...g.caseRoles].join(',')}}`
  const watchers = await queryRows<{ user_id: string }>(tx, sql`
    select distinct ur.user_id
    from user_roles ur join users u on u.id = ur.user_id and u.status = 'active'
    where ur.school_id = ${schoolId}
      and (ur.role = any(${caseRoles}::text[]) or ur.role = 'school_admin')
      and ur.user_id <> ${g.granteeId}::uuid and ur.user_id <> ${grantedBy}::uuid`)
  const rows = await gw.record(tx, ctx, 'notifications', watchers.map((w) => ({
    schoolId, userId: w.user_id, kind: 'case_role_granted', refId: g.granteeId,
    params: { role: g.role, grantId: g.grantId, grantedBy },
  })), false)
  return rows.length
}
