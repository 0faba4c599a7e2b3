import { and, eq, isNull, sql } from 'drizzle-orm'
import { authSessions, refreshTokens, users, userRoles } from '../../../db/schema/index.js'
import { queryRows, type Executor } from '../../db/database.js'
import type { Actor, RoleGrant } from '../../access/roles.js'

export function findUserByUsername(ex: Executor, username: string) {
  return ex.select().from(users).where(eq(users.username, username)).limit(1).then((r) => r[0])
}

export function findUserById(ex: Executor, id: string) {
  return ex.select().from(users).where(eq(users.id, id)).limit(1).then((r) => r[0])
}

export function setPasswordHash(ex: Executor, userId: string, hash: string, changed: boolean) {
  return ex.update(users)
    .set(changed ? { passwordHash: hash, passwordChangedAt: new Date() } : { passwordHash: hash })
    .where(eq(users.id, userId))
}

export function createSession(ex: Executor, userId: string) {
  return ex.insert(authSessions).values({ userId }).returning({ id: authSessions.id }).then((r) => r[0]!.id)
}

export function insertRefreshToken(ex: Executor, sessionId: string, tokenHash: string, expiresAt: Date) {
  return ex.insert(refreshTokens).values({ sessionId, tokenHash, expiresAt })
}

export function findRefreshToken(ex: Executor, tokenHash: string) {
  return ex.select({
    id: refreshTokens.id,
    sessionId: refreshTokens.sessionId,
    usedAt: refreshTokens.usedAt,
    expiresAt: refreshTokens.expiresAt,
    userId: authSessions.userId,
    revokedAt: authSessions.revokedAt,
    userStatus: users.status,
  }).from(refreshTokens)
    .innerJoin(authSessions, eq(authSessions.id, refreshTokens.sessionId))
    .innerJoin(users, eq(users.id, authSessions.userId))
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .limit(1).then((r) => r[0])
}

/** Marks a token used only if nobody used it first; false means a concurrent or repeated use. */
export async function consumeRefreshToken(ex: Executor, id: string): Promise<boolean> {
  const r = await ex.update(refreshTokens).set({ usedAt: new Date() })
    .where(and(eq(refreshTokens.id, id), isNull(refreshTokens.usedAt)))
    .returning({ id: refreshTokens.id })
  return r.length === 1
}

export function revokeSession(ex: Executor, sessionId: string, reason: string) {
  return ex.update(authSessions).set({ revokedAt: new Date(), revokedReason: reason })
    .where(and(eq(authSessions.id, sessionId), isNull(authSessions.revokedAt)))
}

export function revokeAllSessions(ex: Executor, userId: string, reason: string) {
  return ex.update(authSessions).set({ revokedAt: new Date(), revokedReason: reason })
    .where(and(eq(authSessions.userId, userId), isNull(authSessions.revokedAt)))
}

export function rolesOf(ex: Executor, userId: string) {
  return ex.select({ role: userRoles.role, schoolId: userRoles.schoolId, classId: userRoles.classId, districtId: userRoles.districtId })
    .from(userRoles).where(eq(userRoles.userId, userId)) as Promise<RoleGrant[]>
}

/**
 * The actor behind an access token, in one round trip: the session must be live and the
 * user active; roles are read now, so a removed role stops working on the next request.
 */
export async function loadActor(ex: Executor, userId: string, sessionId: string): Promise<Actor | undefined> {
  const rows = await queryRows<{
    user_id: string; username: string; display_name: string; school_id: string | null; district_id: string | null
    roles: RoleGrant[] | string | null
  }>(ex, sql`
    select u.id as user_id, u.username, u.display_name, u.school_id, u.district_id,
      coalesce((select json_agg(json_build_object('role', r.role, 'schoolId', r.school_id, 'classId', r.class_id, 'districtId', r.district_id))
                from user_roles r where r.user_id = u.id), '[]'::json) as roles
    from auth_sessions s join users u on u.id = s.user_id
    where s.id = ${sessionId} and s.user_id = ${userId} and s.revoked_at is null and u.status = 'active'`)
  const row = rows[0]
  if (!row) return undefined
  const roles = typeof row.roles === 'string' ? (JSON.parse(row.roles) as RoleGrant[]) : (row.roles ?? [])
  return {
    userId: row.user_id,
    username: row.username,
    displayName: row.display_name,
    sessionId,
    schoolId: row.school_id,
    districtId: row.district_id,
    roles,
  }
}
