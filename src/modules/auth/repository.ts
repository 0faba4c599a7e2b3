import { and, count, eq, isNull, lt, ne, or, sql } from 'drizzle-orm'
import { authSessions, refreshTokens, userRecoveryCodes, users, userRoles } from '../../../db/schema/index.js'
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

/** `proofAt`: when this login proved all its factors (step-up counts from it); null when it has not yet. */
export function createSession(ex: Executor, userId: string, proofAt: Date | null) {
  return ex.insert(authSessions).values({ userId, secondFactorAt: proofAt }).returning({ id: authSessions.id }).then((r) => r[0]!.id)
}

export function sessionProofAt(ex: Executor, sessionId: string): Promise<Date | null> {
  return ex.select({ at: authSessions.secondFactorAt }).from(authSessions).where(eq(authSessions.id, sessionId)).limit(1)
    .then((r) => r[0]?.at ?? null)
}

export function markSessionProved(ex: Executor, sessionId: string) {
  return ex.update(authSessions).set({ secondFactorAt: new Date() }).where(and(eq(authSessions.id, sessionId), isNull(authSessions.revokedAt)))
}

/**
 * Claims a TOTP time step for the account: true only when it is later than the last one
 * accepted, so a code is taken once even by two requests at the same moment.
 */
export async function claimTotpStep(ex: Executor, userId: string, step: number): Promise<boolean> {
  const r = await ex.update(users).set({ totpLastStep: step })
    .where(and(eq(users.id, userId), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
    .returning({ id: users.id })
  return r.length === 1
}

/** Uses one recovery code of the account; false when there is no such unused code. */
export async function useRecoveryCode(ex: Executor, userId: string, codeHash: string): Promise<boolean> {
  const r = await ex.update(userRecoveryCodes).set({ usedAt: new Date() })
    .where(and(eq(userRecoveryCodes.userId, userId), eq(userRecoveryCodes.codeHash, codeHash), isNull(userRecoveryCodes.usedAt)))
    .returning({ id: userRecoveryCodes.id })
  return r.length === 1
}

export async function replaceRecoveryCodes(ex: Executor, userId: string, hashes: string[]): Promise<void> {
  await ex.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, userId))
  if (hashes.length) await ex.insert(userRecoveryCodes).values(hashes.map((codeHash) => ({ userId, codeHash })))
}

export function recoveryCodesLeft(ex: Executor, userId: string): Promise<number> {
  return ex.select({ n: count() }).from(userRecoveryCodes)
    .where(and(eq(userRecoveryCodes.userId, userId), isNull(userRecoveryCodes.usedAt))).then((r) => Number(r[0]?.n ?? 0))
}

/** Roles that read case history or manage accounts, or see the district: they need a second factor where it is required. */
export const SECOND_FACTOR_ROLES = ['psych_teacher', 'school_admin', 'district_staff'] as const

/**
 * SQL: whether the account `u` must use a second factor: it holds one of those roles and its
 * school requires it, or (no school said, or district staff, who have none) the deployment does.
 */
export function secondFactorRequiredSql(byDefault: boolean) {
  return sql`(exists (select 1 from user_roles r where r.user_id = u.id and r.role in ('psych_teacher', 'school_admin', 'district_staff'))
    and coalesce((select sc.require_second_factor from schools sc where sc.id = u.school_id), ${byDefault}))`
}

export async function secondFactorRequired(ex: Executor, userId: string, byDefault: boolean): Promise<boolean> {
  const rows = await queryRows<{ required: boolean }>(ex, sql`select ${secondFactorRequiredSql(byDefault)} as required from users u where u.id = ${userId}`)
  return rows[0]?.required === true
}

/**
 * The account's next request is checked afresh: a server that keeps the actor in memory
 * compares this epoch first (access/transaction.ts). For changes the epoch triggers do not
 * watch (the second factor, a school's requirement).
 */
export function bumpAuthEpoch(ex: Executor, userId: string) {
  return ex.update(users).set({ authEpoch: sql`${users.authEpoch} + 1` }).where(eq(users.id, userId))
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
  /** A second factor is required and none is enrolled yet: until it is, the login opens nothing else. */
  mustEnrolSecondFactor: boolean
  /** users.auth_epoch when it was read, as text: a remembered actor is current while it matches. */
  epoch: string
}

/**
 * The actor behind an access token, in one round trip: the session must be live and the
 * user active; roles are read now, so a removed role stops working on the next request. The
 * user's auth epoch is read in the same statement, so it is the epoch of exactly this actor.
 */
export async function loadActor(ex: Executor, userId: string, sessionId: string, secondFactorByDefault = false): Promise<LoadedActor | undefined> {
  const rows = await queryRows<{
    user_id: string; username: string; display_name: string; school_id: string | null; district_id: string | null
    must_change_password: boolean
    must_enrol: boolean
    epoch: string | number | bigint
    roles: RoleGrant[] | string | null
  }>(ex, sql`
    select u.id as user_id, u.username, u.display_name, u.school_id, u.district_id, u.must_change_password, u.auth_epoch as epoch,
      (u.totp_enabled_at is null and ${secondFactorRequiredSql(secondFactorByDefault)}) as must_enrol,
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
    mustEnrolSecondFactor: row.must_enrol === true,
    epoch: String(row.epoch),
  }
}
