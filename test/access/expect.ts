import type { FastifyInstance } from 'fastify'
import type { Scope } from '../../src/access/define.js'
import type { Decision } from '../../src/access/engine.js'
import type { Actor } from '../../src/access/roles.js'
import { rolesOf } from '../../src/modules/auth/repository.js'
import { users } from '../../db/schema/index.js'
import { eq } from 'drizzle-orm'
import type { Variant, WorldUser } from './world.js'

/**
 * Which variants a scope reaches, written down independently of the engine: the matrix
 * compares what the API does with what the policy data says, not the engine with itself.
 */
export function scopeReaches(scope: Scope, variant: Variant, opts: { paired: boolean }): boolean {
  switch (scope) {
    case 'school': return variant !== 'otherSchool'
    case 'class': return variant === 'ownClass'
    case 'paired': return opts.paired && variant === 'ownClass'
    case 'own': return variant === 'ownClass'
    case 'none': return false
    // District grants reach school rows of their district (aggregates), never a student, class or owned record.
    case 'district': return false
  }
}

export function reached(decision: Decision | null, variant: Variant, opts: { paired: boolean }): boolean {
  return !!decision && decision.grants.some((g) => scopeReaches(g.scope, variant, opts))
}

export async function actorOf(app: FastifyInstance, user: WorldUser): Promise<Actor> {
  const { db } = app.database
  const u = (await db.select().from(users).where(eq(users.id, user.id)))[0]!
  return {
    userId: u.id, username: u.username, displayName: u.displayName, sessionId: '00000000-0000-0000-0000-000000000000',
    schoolId: u.schoolId, districtId: u.districtId, roles: await rolesOf(db, u.id),
  }
}
