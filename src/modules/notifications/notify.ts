import { and, eq, inArray, notInArray } from 'drizzle-orm'
import { userRoles, users } from '../../../db/schema/index.js'
import type { Gateway } from '../../access/gateway.js'
import type { Executor } from '../../db/database.js'
import type { RequestContext } from '../../plugins/access.js'

/**
 * A notice to colleagues of the caller's school. It carries nothing the recipients may not
 * read: a record id only where they may open it, no names, no summaries.
 */
export interface Notice {
  /** The school's active users holding any of these roles, but for those in `except` (the caller, the subject). */
  to: { roles: readonly string[]; except?: readonly string[] }
  /** What happened (notifications.kind): alert_received, talk_concerned, case_role_granted … */
  kind: string
  /** The record the notice opens. */
  refId?: string | null
  params?: Record<string, string | number | boolean>
}

/**
 * Notifies each recipient in the caller's transaction, through the gateway: the notifications
 * are records the system writes for the caller's act (gw.record), audited naming the caller.
 * Two statements (the recipients, then one INSERT for all of them); none written when nobody
 * holds the roles. Returns how many were notified.
 */
export async function notify(gw: Gateway, ex: Executor, ctx: RequestContext, n: Notice): Promise<number> {
  const schoolId = ctx.actor.schoolId!
  if (n.to.roles.length === 0) return 0
  const except = n.to.except ?? []
  const recipients = await ex.selectDistinct({ userId: userRoles.userId }).from(userRoles)
    .innerJoin(users, and(eq(users.id, userRoles.userId), eq(users.status, 'active')))
    .where(and(
      eq(userRoles.schoolId, schoolId), inArray(userRoles.role, [...n.to.roles]),
      except.length ? notInArray(userRoles.userId, [...except]) : undefined,
    ))
  const rows = await gw.record(ex, ctx, 'notifications', recipients.map((r) => ({
    schoolId, userId: r.userId, kind: n.kind, refId: n.refId ?? null, params: n.params ?? null,
  })))
  return rows.length
}
