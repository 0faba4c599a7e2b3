import { and, eq, ilike, or, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { userRoles, users } from '../../../db/schema/index.js'
import { sentKeys, type Gateway } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { lockRow } from '../../db/row-lock.js'
import { AppError, Conflict, Forbidden, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { hashPassword, isStrongPassword, oneTimePassword } from '../auth/password.js'
import { revokeAllSessions } from '../auth/repository.js'
import * as repo from './repository.js'
import { assignableClass } from './scope.js'
import { ClassBoundRoles, type RoleGrantBody, type UserCreate, type UserListQuery, type UserPatch } from './schemas.js'
import { caseReadingRoles, notifyCaseAccessGrant } from './case-access-grants.js'
import { likeEscape } from './student-service.js'

type Grant = z.infer<typeof RoleGrantBody>

/**
 * Staff accounts of the admin's school. `users` has no row-level security (a login needs it
 * before any school is known), so every read goes through the decision, whose filter always
 * names the actor's school, and every write names the school too.
 */
export function createUserService(gw: Gateway) {
  const caseRoles = caseReadingRoles(gw.policies)

  /** Class-bound roles need a class of this school; the others take none. */
  async function checkGrant(tx: Tx, ctx: RequestContext, g: Grant): Promise<void> {
    if (ClassBoundRoles.includes(g.role)) {
      if (!g.classId) throw new Validation('role_needs_class', { role: g.role }, { fields: ['classId'] })
      await assignableClass(gw, ctx, tx, g.classId)
    } else if (g.classId) {
      throw new Validation('role_takes_no_class', { role: g.role }, { fields: ['classId'] })
    }
  }

  const sameGrant = (a: { role: string; classId?: string | null }, b: { role: string; classId?: string | null }) =>
    a.role === b.role && (a.classId ?? null) === (b.classId ?? null)

  return {
    async list(ctx: RequestContext, q: z.infer<typeof UserListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds: SQL[] = []
        const filterFields: string[] = []
        if (q.status) { conds.push(eq(users.status, q.status)); filterFields.push('status') }
        if (q.q) {
          const term = `${likeEscape(q.q)}%`
          conds.push(or(ilike(users.username, term), ilike(users.displayName, term))!)
          filterFields.push('username', 'displayName')
        }
        const r = await gw.list(tx, ctx.decision, {
          where: and(...conds), filterFields, sort: [{ field: 'username', dir: 'asc' }], limit: q.limit, offset: q.offset,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async get(ctx: RequestContext, id: string) {
      return gw.readAudited(ctx, ctx.decision, id)
    },

    async create(ctx: RequestContext, body: z.infer<typeof UserCreate>) {
      const { password, roles, ...account } = body
      // The initial password is the point of creating an account; what else is set is the policy's call.
      const keys = sentKeys(account)
      ctx.decision.assertWritable(keys)
      const grants: Grant[] = []
      for (const g of roles ?? []) if (!grants.some((x) => sameGrant(x, g))) grants.push(g)
      const rolesDecision = grants.length ? gw.policies.decide(ctx.actor, 'user_roles', 'create') : null
      if (grants.length) {
        if (!rolesDecision) throw new Forbidden()
        rolesDecision.assertWritable(grants.flatMap((g) => sentKeys(g)))
      }
      if (!isStrongPassword(password)) throw new Validation('weak_password', {}, { fields: ['password'] })
      const schoolId = ctx.actor.schoolId!
      // argon2id is deliberately slow: hash before the transaction holds a connection.
      const passwordHash = await hashPassword(password)
      return gw.tx(ctx, async (tx) => {
        for (const g of grants) await checkGrant(tx, ctx, g)
        const districtId = (await repo.districtOfSchool(tx, schoolId)) ?? null
        // The admin chose the password, so its owner must replace it at first sign-in.
        // The account and its grants are one audit row, written below.
        const row = await gw.create(tx, ctx, ctx.decision, {
          input: account, values: { passwordHash, schoolId, districtId, mustChangePassword: true }, audit: false,
        })
        const id = row.id as string
        const roleRows = rolesDecision
          ? await gw.createMany(tx, ctx, rolesDecision, grants.map((g) => ({ input: g, values: { userId: id, schoolId } })), false)
          : []
        const roleIds = roleRows.map((r) => r.id as string)
        // A school needs its first psychology teacher, so a new account may carry case access;
        // the people who would notice a wrong one hear of it in the same transaction.
        for (const [i, g] of grants.entries()) {
          if (caseRoles.has(g.role)) await notifyCaseAccessGrant(gw, tx, ctx, { granteeId: id, grantId: roleIds[i]!, role: g.role, caseRoles })
        }
        await gw.audit(tx, ctx, { action: 'C', recordIds: [id, ...roleIds], fieldGroups: gw.groupsOf(ctx.decision, keys) })
        return row
      })
    },

    async update(ctx: RequestContext, id: string, body: z.infer<typeof UserPatch>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, ctx.decision, id)
        // An admin who disables their own account locks the school out of its roster.
        if (body.status === 'disabled' && id === ctx.actor.userId) throw new AppError(409, 'cannot_disable_self')
        const row = await gw.update(tx, ctx, ctx.decision, id, { input: body })
        // Disabled means now: every login of the account ends, so its next request is refused.
        if (body.status === 'disabled') await revokeAllSessions(tx, id, 'disabled')
        return row
      })
    },

    /**
     * A forgotten password: a new one-time password, shown once to the admin and stored only
     * as a hash. Every login of the account ends, and the next one can do nothing but change
     * it, so the admin who saw it cannot go on using it.
     */
    async resetPassword(ctx: RequestContext, id: string): Promise<{ oneTimePassword: string }> {
      // Resetting one's own would lock oneself into a password someone else may have seen.
      if (id === ctx.actor.userId) throw new AppError(409, 'cannot_reset_own_password')
      const password = oneTimePassword()
      // argon2id is deliberately slow: hash before the transaction holds a connection.
      const passwordHash = await hashPassword(password)
      return gw.tx(ctx, async (tx) => {
        // No role writes the hash: the service sets it (values), inside the admin's scope (else 404).
        await gw.update(tx, ctx, ctx.decision, id, {
          values: { passwordHash, passwordChangedAt: new Date(), mustChangePassword: true }, audit: { fieldGroups: ['secret'] },
        })
        await revokeAllSessions(tx, id, 'password_reset')
        return { oneTimePassword: password }
      })
    },

    async listRoles(ctx: RequestContext, userId: string) {
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, gw.decision(ctx, 'users'), userId)
        const r = await gw.list(tx, ctx.decision, {
          where: eq(userRoles.userId, userId), filterFields: ['userId'], sort: [{ field: 'role', dir: 'asc' }], limit: 100, offset: 0,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items, total: r.total }
      })
    },

    async addRole(ctx: RequestContext, userId: string, body: Grant) {
      ctx.decision.assertWritable(sentKeys(body))
      // The admin manages accounts and must read no case content; granting oneself a
      // role that does would undo that with one click. Another admin must make the grant,
      // and it is announced to the school's psychology teachers like every such grant.
      if (userId === ctx.actor.userId && caseRoles.has(body.role)) throw new AppError(403, 'self_grant_forbidden', { role: body.role })
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, gw.decision(ctx, 'users'), userId)
        await checkGrant(tx, ctx, body)
        const schoolId = ctx.actor.schoolId!
        // Two identical grants at once: the account's row is locked before the check, so the
        // second reads the first's committed grant and is refused.
        await lockRow(tx, users, schoolId, userId)
        const held = await repo.grantsOfUser(tx, schoolId, userId)
        if (held.some((h) => sameGrant(h, body))) throw new Conflict('role_already_granted', { role: body.role })
        const row = await gw.create(tx, ctx, ctx.decision, { input: body, values: { userId, schoolId } })
        if (caseRoles.has(body.role)) {
          await notifyCaseAccessGrant(gw, tx, ctx, { granteeId: userId, grantId: row.id as string, role: body.role, caseRoles })
        }
        return row
      })
    },

    async removeRole(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => {
        const row = await gw.read(tx, ctx.decision, id)
        // Same reason as disabling oneself: the last door into the roster stays open.
        if (row.userId === ctx.actor.userId && row.role === 'school_admin') throw new AppError(409, 'cannot_remove_own_admin')
        await gw.remove(tx, ctx, ctx.decision, id)
      })
    },
  }
}

export type UserService = ReturnType<typeof createUserService>
