import { eq, sql } from 'drizzle-orm'
import { userRecoveryCodes, users } from '../../../db/schema/index.js'
import type { Gateway } from '../../access/gateway.js'
import { queueAudit } from '../../access/transaction.js'
import { appendAudit } from '../../audit/audit.js'
import { secondFactorByDefault } from '../../config.js'
import { AppError, Conflict, NotFound } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { revokeAllSessions } from './repository.js'

/**
 * What a school admin does about second factors: reset a colleague's (a lost or replaced
 * phone) and choose whether the school requires one. `users` has no row-level security, so
 * every statement goes through the decision or names the admin's school.
 */
export function createSecondFactorAdmin(gw: Gateway) {
  const byDefault = secondFactorByDefault(gw.config)

  return {
    /**
     * Removes the account's second factor and its recovery codes and ends its logins (the lost
     * phone may still be signed in). The owner hears of it in their notifications; where one is
     * required, their next sign-in can do nothing but set up a new one.
     */
    async reset(ctx: RequestContext, userId: string): Promise<void> {
      // One's own would be undone by anyone holding the admin's password alone.
      if (userId === ctx.actor.userId) throw new AppError(409, 'cannot_reset_own_second_factor')
      await gw.tx(ctx, async (tx) => {
        const row = await gw.read(tx, ctx.decision, userId)
        if (!row.totpEnabledAt) throw new Conflict('second_factor_not_enabled')
        await gw.update(tx, ctx, ctx.decision, userId, { values: { totpSecret: null, totpEnabledAt: null, totpLastStep: null }, audit: false })
        await tx.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, userId))
        await revokeAllSessions(tx, userId, 'second_factor_reset')
        const event = {
          actorId: ctx.actor.userId, roles: ctx.decision.roles, action: 'D' as const, resource: 'second_factor',
          recordIds: [userId], fieldGroups: ['totp', 'recovery_codes'], outcome: 'ok' as const,
          requestId: ctx.requestId, purpose: ctx.purpose, schoolId: ctx.actor.schoolId,
        }
        if (!queueAudit(tx, event)) await appendAudit(tx, event)
        await gw.record(tx, ctx, 'notifications', { schoolId: ctx.actor.schoolId!, userId, kind: 'second_factor_reset', refId: null, params: null })
      })
    },

    async schoolSetting(ctx: RequestContext) {
      // District staff belong to no school: the deployment's default is theirs.
      if (!ctx.actor.schoolId) return present(null)
      return present((await gw.readAudited(ctx, ctx.decision, ctx.actor.schoolId)).requireSecondFactor)
    },

    /**
     * The school's requirement: true, false, or null to follow the deployment. Every account of
     * the school is looked at afresh on its next request, so a new requirement applies at once.
     */
    async setSchoolSetting(ctx: RequestContext, required: boolean | null) {
      if (!ctx.actor.schoolId) throw new NotFound()
      return gw.tx(ctx, async (tx) => {
        // The admin is held to it too: set up one's own first, so turning it on shuts no one out mid-task.
        const own = (await tx.select({ on: users.totpEnabledAt }).from(users).where(eq(users.id, ctx.actor.userId)))[0]
        if (required !== false && !own?.on && (required ?? byDefault)) throw new Conflict('second_factor_enrol_first')
        const row = await gw.update(tx, ctx, ctx.decision, ctx.actor.schoolId!, { input: { requireSecondFactor: required } })
        await tx.update(users).set({ authEpoch: sql`${users.authEpoch} + 1` }).where(eq(users.schoolId, ctx.actor.schoolId!))
        return present(row.requireSecondFactor)
      })
    },
  }

  function present(v: unknown) {
    const required = typeof v === 'boolean' ? v : null
    return { required, deploymentDefault: byDefault, effective: required ?? byDefault }
  }
}

export type SecondFactorAdmin = ReturnType<typeof createSecondFactorAdmin>
