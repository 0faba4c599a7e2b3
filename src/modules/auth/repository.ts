import { and, eq, isNull, ne, sql } from 'drizzle-orm'
import { authSessions, refreshTokens, users, userRoles } from '../../../db/schema/index.js'
import { queryRows, type Executor } from '../../db/database.js'
import type { Actor, RoleGrant } from '../../access/roles.js'

export function findUserByUsername(ex: Executor, username: string) {
  return ex.select().from(users).where(eq(users.username, username)).limit(1).then((r) => r[0])
}

export function findUserById(ex: Executor, id: string) {
  return ex.select().from(users).where(eq(users.id, id)).limit(1).then((r) => r[0])
}

/** `changed`: the user chose a new password (not a rehash at sign-in), which also lifts a must-change. */
export function setPasswordHash(ex: Executor, userId: string, hash: string, changed: boolean) {
  return ex.update(users)
    .set(changed ? { passwordHash: hash, passwordChangedAt: new Date(), mustChangePassword: false } : { passwordHash: hash })
    .where(eq(users.id, userId))
}

/** An admin's reset: a password someone else knows, so it must be changed at the next sign-in. */
export function setOneTimePassword(ex: Executor, schoolId: string, userId: string, hash: string) {
  return ex.update(users)
    .set({ passwordHash: hash, passwordChangedAt: new Date(), mustChangePassword: true })
    .where(and(eq(users.schoolId, schoolId), eq(users.id, userId)))
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

/** One login of this user, ended; the ids ended (none when it is not theirs or already over). */
export function revokeOwnSession(ex: Executor, userId: string, sessionId: string, reason: string) {
  return ex.update(authSessions).set({ revokedAt: new Date(), revokedReason: reason })
    .where(and(eq(authSessions.id, sessionId), eq(authSessions.userId, userId), isNull(authSessions.revokedAt)))
    .returning({ id: authSessions.id })
}

/** Every login of this user but `keep`; the ids ended. */
export function revokeOtherSessions(ex: Executor, userId: string, keep: string, reason: string) {
  return ex.update(authSessions).set({ revokedAt: new Date(), revokedReason: reason })
    .where(and(eq(authSessions.userId, userId), ne(authSessions.id, keep), isNull(authSessions.revokedAt)))
    .returning({ id: authSessions.id })
}

/**
 * The user's live logins: not ended, with a refresh token still usable. A tab closed without
 * signing out stays listed until its refresh token expires, since it could still come back.
 * The last activity is the newest refresh (the client refreshes when its access token runs
 * out), so it is exact to within one access-token lifetime; nothing about the device or its
 * address is stored, and none is shown.
 */
export async function liveSessions(ex: Executor, userId: string) {
  const rows = await queryRows<{ id: string; created_at: Date | string; last_active_at: Date | string | null }>(ex, sql`
    select s.id, s.created_at, max(t.created_at) as last_active_at
    from auth_sessions s join refresh_tokens t on t.session_id = s.id
    where s.user_id = ${userId} and s.revoked_at is null
    group by s.id, s.created_at
    having bool_or(t.used_at is null and t.expires_at > now())
    order by max(t.created_at) desc`)
  return rows.map((r) => ({
    id: r.id,
    createdAt: new Date(r.created_at),
    lastActiveAt: new Date(r.last_active_at ?? r.created_at),
  }))
}

export function rolesOf(ex: Executor, userId: string) {
  return ex.select({ role: userRoles.role, schoolId: userRoles.schoolId, classId: userRoles.classId, districtId: userRoles.districtId })
    .from(userRoles).where(eq(userRoles.userId, userId)) as Promise<RoleGrant[]>
}

/** An actor as loaded, with what the auth plugin needs beside it. */
export type LoadedActor = Actor & {
  mustChangePassword: boolean
  /** users.auth_epoch when it was read, as text: a remembered actor is current while it matches. */
  epoch: string
}

/**
 * The actor behind an access token, in one round trip: the session must be live and the
 * user active; roles are read now, so a removed role stops working on the next request. The
 * user's auth epoch is read in the same statement, so it is the epoch of exactly this actor.
 */
export async function loadActor(ex: Executor, userId: string, sessionId: string): Promise<LoadedActor | undefined> {
  const rows = await queryRows<{
    user_id: string; username: string; display_name: string; school_id: string | null; district_id: string | null
    must_change_password: boolean
    epoch: string | number | bigint
    roles: RoleGrant[] | string | null
  }>(ex, sql`
    select u.id as user_id, u.username, u.display_name, u.school_id, u.district_id, u.must_change_password, u.auth_epoch as epoch,
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
    mustChangePassword: row.must_change_password === true,
    epoch: String(row.epoch),
  }
}
