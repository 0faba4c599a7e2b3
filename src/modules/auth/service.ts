import { createHash, createHmac, randomBytes } from 'node:crypto'
import type { Database } from '../../db/database.js'
import type { Config } from '../../config.js'
import type { Actor } from '../../access/roles.js'
import { appendAudit as appendAuditIn, type AuditEvent, type AuditOutcome } from '../../audit/audit.js'
import { AppError, NotFound, Unauthorized, Validation } from '../../lib/errors.js'
import * as repo from './repository.js'
import { dummyHash, hashPassword, isStrongPassword, needsRehash, verifyPassword } from './password.js'
import type { LoginThrottle } from './throttle.js'
import { CHALLENGE_TTL_S, challengeSigner } from './challenge.js'
import type { Proof, ProofMethod, SecondFactorService } from './second-factor-service.js'

export interface TokenPair {
  accessToken: string
  refreshToken: string
  expiresIn: number
  user: PublicUser
}

export interface PublicUser {
  id: string
  username: string
  displayName: string
  schoolId: string | null
  districtId: string | null
  roles: Actor['roles']
  /** Until it is changed, only /me, /password and /logout answer (plugins/auth.ts). */
  mustChangePassword: boolean
  /** The account signs in with a code from an authenticator app too. */
  secondFactorEnabled: boolean
  /** Its school (or the deployment) requires one and none is set up: only setting it up answers. */
  mustEnrolSecondFactor: boolean
}

/** The password was right and the account has a second factor: the code step comes next. */
export interface SecondStep {
  secondFactor: 'totp'
  /** Opens only POST /auth/login/second-factor, for CHALLENGE_TTL_S seconds. */
  challenge: string
  expiresIn: number
}

export interface SessionInfo {
  id: string
  createdAt: Date
  lastActiveAt: Date
  /** The login this request came from. */
  current: boolean
}

export interface AuthServiceDeps {
  database: Database
  config: Config
  throttle: LoginThrottle
  secondFactor: SecondFactorService
  signAccess: (claims: { sub: string; sid: string }) => string
  /** Appends audit rows outside any transaction (a failed sign-in changes nothing to commit with). */
  appendAudit: (events: AuditEvent[]) => Promise<void>
}

/** 429 with the seconds to wait; the route puts them in Retry-After too. */
export class LoginThrottled extends AppError {
  constructor(readonly retryAfterS: number) { super(429, 'login_throttled', { seconds: retryAfterS }) }
}

export type LoginFailure = 'unknown_user' | 'bad_password' | 'disabled' | 'throttled'

const OUTCOME: Record<LoginFailure, AuditOutcome> = {
  unknown_user: 'not_found', bad_password: 'rejected', disabled: 'denied', throttled: 'rejected',
}

/**
 * The audit key for usernames. People type passwords into the username box, so a failed
 * sign-in's name is stored only as a keyed hash: equal names give equal hashes (repeated
 * tries on one account stand out), and without the server's secret a leaked audit table
 * cannot be checked against a list of names or passwords.
 */
export function usernameHasher(secret: string): (username: string) => string {
  const key = createHmac('sha256', secret).update('xinan audit username v1').digest()
  return (username) => createHmac('sha256', key).update(username.normalize('NFKC').toLowerCase()).digest('hex').slice(0, 32)
}

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex')
}

export function createAuthService({ database, config, throttle, secondFactor, signAccess, appendAudit }: AuthServiceDeps) {
  const { db } = database
  const hashName = usernameHasher(config.jwtSecret)
  const challenges = challengeSigner(config.jwtSecret)

  /**
   * One row per failed try whose password was checked: each costs the caller an argon2 hash
   * and the throttle slows the next, so they cannot flood the log cheaply. Refusals by the
   * throttle cost nothing, so only the first of each run is written (`report`).
   */
  async function auditFailure(resource: 'login' | 'password', username: string, reason: LoginFailure,
    requestId: string, who: { userId: string; schoolId: string | null; actorRoles?: string } | undefined): Promise<void> {
    await appendAudit([{
      // Who types is unknown on a failed sign-in: the account tried is a record, not the actor.
      // A wrong current password on a password change comes from a signed-in actor.
      actorId: who?.actorRoles !== undefined ? who.userId : null,
      roles: who?.actorRoles ?? '',
      action: 'denied',
      resource,
      recordIds: [`username:${hashName(username)}`, ...(who ? [who.userId] : [])],
      fieldGroups: [reason],
      outcome: OUTCOME[reason],
      requestId,
      schoolId: who?.schoolId ?? null,
    }])
  }

  async function issue(userId: string, sessionId: string): Promise<Omit<TokenPair, 'user'>> {
    const refreshToken = randomBytes(32).toString('base64url')
    const expiresAt = new Date(Date.now() + config.REFRESH_TOKEN_TTL_DAYS * 86_400_000)
    await repo.insertRefreshToken(db, sessionId, sha256(refreshToken), expiresAt)
    return { accessToken: signAccess({ sub: userId, sid: sessionId }), refreshToken, expiresIn: config.ACCESS_TOKEN_TTL_S }
  }

  async function publicUser(userId: string): Promise<PublicUser> {
    const u = await repo.findUserById(db, userId)
    if (!u) throw new Unauthorized('invalid_token')
    const roles = await repo.rolesOf(db, userId)
    const enabled = u.totpEnabledAt !== null
    return {
      id: u.id, username: u.username, displayName: u.displayName, schoolId: u.schoolId, districtId: u.districtId, roles,
      mustChangePassword: u.mustChangePassword,
      secondFactorEnabled: enabled,
      mustEnrolSecondFactor: !enabled && (await secondFactor.requiredFor(userId)),
    }
  }

  /** The audit row of a change to one's own account, in the change's transaction (ids only). */
  function selfAudit(actor: Actor, requestId: string, action: 'U' | 'D', resource: string, recordIds: string[]): AuditEvent {
    return {
      actorId: actor.userId, roles: actor.roles.map((r) => r.role).join(','), action, resource,
      recordIds, outcome: 'ok', requestId, schoolId: actor.schoolId,
    }
  }

  return {
    async login(username: string, password: string, ip: string, requestId: string): Promise<TokenPair | SecondStep> {
      // A throttled pair or address answers 429 before the password is looked at, right or wrong.
      const verdict = throttle.attempt(username, ip)
      if (!verdict.ok) {
        if (verdict.report) await auditFailure('login', username, 'throttled', requestId, undefined)
        throw new LoginThrottled(verdict.retryAfterS)
      }
      const user = await repo.findUserByUsername(db, username)
      const ok = user
        ? await verifyPassword(user.passwordHash, password)
        : (await verifyPassword(await dummyHash(), password), false)
      if (!user || !ok || user.status !== 'active') {
        const reason: LoginFailure = !user ? 'unknown_user' : !ok ? 'bad_password' : 'disabled'
        throttle.failed(username, ip)
        await auditFailure('login', username, reason, requestId, user ? { userId: user.id, schoolId: user.schoolId } : undefined)
        throw new Unauthorized('invalid_credentials')
      }
      throttle.succeed(username, ip)
      let epoch = user.authEpoch
      if (needsRehash(user.passwordHash)) {
        await repo.setPasswordHash(db, user.id, await hashPassword(password), false)
        // A new hash moves the epoch (a trigger): the challenge must name the new one.
        epoch = (await repo.findUserById(db, user.id))?.authEpoch ?? epoch
      }
      if (user.totpEnabledAt) {
        return { secondFactor: 'totp', challenge: challenges.issue(user.id, String(epoch)), expiresIn: CHALLENGE_TTL_S }
      }
      // No second factor: the password is every factor this login has, proved now.
      const sessionId = await repo.createSession(db, user.id, new Date())
      return { ...(await issue(user.id, sessionId)), user: await publicUser(user.id) }
    },

    /**
     * The code step of a sign-in: the challenge from the password step and a code from the app
     * (or a recovery code). The login starts here, with its factors proved now.
     */
    async completeLogin(challenge: string, proof: Proof, requestId: string): Promise<TokenPair> {
      const c = challenges.open(challenge)
      const user = c ? await repo.findUserById(db, c.u) : undefined
      // Expired, forged, or the account changed since the password step (password, status, a reset).
      if (!c || !user || user.status !== 'active' || String(user.authEpoch) !== c.e || !user.totpEnabledAt) {
        throw new Unauthorized('invalid_token')
      }
      const method = await secondFactor.verify(user, proof, 'login', requestId, { challengeId: c.n })
      const sessionId = await db.transaction(async (tx) => {
        const id = await repo.createSession(tx, user.id, new Date())
        await appendAuditIn(tx, secondFactor.useEvent(user, method, 'login', requestId))
        return id
      })
      return { ...(await issue(user.id, sessionId)), user: await publicUser(user.id) }
    },

    /**
     * Proves this login's factors again for the actions that need it recently (step-up): the code
     * (or a recovery code) when the account has a second factor, else the password, throttled like
     * a sign-in.
     */
    async stepUp(actor: Actor, proof: Proof & { password?: string | undefined }, ip: string, requestId: string): Promise<{ provedAt: Date }> {
      const user = await repo.findUserById(db, actor.userId)
      if (!user) throw new Unauthorized('invalid_token')
      const self = { userId: actor.userId, schoolId: actor.schoolId, actorRoles: actor.roles.map((r) => r.role).join(',') }
      let method: ProofMethod | 'password'
      if (user.totpEnabledAt) {
        if (proof.code === undefined && proof.recoveryCode === undefined) throw new Validation('second_factor_code_required')
        method = await secondFactor.verify(user, proof, 'step_up', requestId, { actor })
      } else {
        if (proof.password === undefined) throw new Validation('password_required')
        const verdict = throttle.attempt(actor.username, ip)
        if (!verdict.ok) {
          if (verdict.report) await auditFailure('password', actor.username, 'throttled', requestId, self)
          throw new LoginThrottled(verdict.retryAfterS)
        }
        if (!(await verifyPassword(user.passwordHash, proof.password))) {
          throttle.failed(actor.username, ip)
          await auditFailure('password', actor.username, 'bad_password', requestId, self)
          throw new Validation('step_up_wrong_password')
        }
        throttle.succeed(actor.username, ip)
        method = 'password'
      }
      const provedAt = new Date()
      await db.transaction(async (tx) => {
        await repo.markSessionProved(tx, actor.sessionId)
        await appendAuditIn(tx, secondFactor.useEvent(user, method, 'step_up', requestId, actor))
      })
      return { provedAt }
    },

    async refresh(token: string): Promise<TokenPair> {
      const row = await repo.findRefreshToken(db, sha256(token))
      // A disabled account gets no new tokens, like it gets no access (loadActor).
      if (!row || row.revokedAt || row.userStatus !== 'active' || row.expiresAt.getTime() < Date.now()) {
        throw new Unauthorized('invalid_token')
      }
      if (row.usedAt || !(await repo.consumeRefreshToken(db, row.id))) {
        // A used token presented again means it leaked: end the whole login (RFC 6819 §5.2.2.3).
        await repo.revokeSession(db, row.sessionId, 'reuse_detected')
        throw new Unauthorized('invalid_token')
      }
      return { ...(await issue(row.userId, row.sessionId)), user: await publicUser(row.userId) }
    },

    async logout(actor: Actor): Promise<void> {
      await repo.revokeSession(db, actor.sessionId, 'logout')
    },

    async changePassword(actor: Actor, current: string, next: string, ip: string, requestId: string): Promise<TokenPair> {
      // A stolen access token must not become a password-guessing oracle: the same throttle as login.
      const self = { userId: actor.userId, schoolId: actor.schoolId, actorRoles: actor.roles.map((r) => r.role).join(',') }
      const verdict = throttle.attempt(actor.username, ip)
      if (!verdict.ok) {
        if (verdict.report) await auditFailure('password', actor.username, 'throttled', requestId, self)
        throw new LoginThrottled(verdict.retryAfterS)
      }
      const user = await repo.findUserById(db, actor.userId)
      if (!user || !(await verifyPassword(user.passwordHash, current))) {
        throttle.failed(actor.username, ip)
        await auditFailure('password', actor.username, 'bad_password', requestId, self)
        throw new Validation('wrong_password', {}, undefined, 400)
      }
      throttle.succeed(actor.username, ip)
      if (!isStrongPassword(next)) throw new Validation('weak_password')
      // A one-time password kept as "new" would stay known to whoever handed it over.
      if (next === current) throw new Validation('password_unchanged')
      const hash = await hashPassword(next)
      // Every login of this account ends, this one included; the caller gets a fresh pair.
      const sessionId = await db.transaction(async (tx) => {
        await repo.setPasswordHash(tx, user.id, hash, true)
        // The new login carries on from this one: no more proved than it was.
        const provedAt = await repo.sessionProofAt(tx, actor.sessionId)
        const ended = await repo.revokeOtherSessions(tx, user.id, actor.sessionId, 'password_change')
        await repo.revokeSession(tx, actor.sessionId, 'password_change')
        const created = await repo.createSession(tx, user.id, provedAt)
        await appendAuditIn(tx, selfAudit(actor, requestId, 'U', 'password', [user.id, actor.sessionId, ...ended.map((e) => e.id)]))
        return created
      })
      return { ...(await issue(user.id, sessionId)), user: await publicUser(user.id) }
    },

    me: (actor: Actor) => publicUser(actor.userId),

    async sessions(actor: Actor): Promise<SessionInfo[]> {
      const rows = await repo.liveSessions(db, actor.userId)
      return rows.map((r) => ({ ...r, current: r.id === actor.sessionId }))
    },

    /**
     * Ends one of the caller's logins. Ending it moves the user's auth epoch, which every request
     * checks (plugins/auth.ts), so its next request is refused, and its refresh token no longer rotates.
     */
    async endSession(actor: Actor, sessionId: string, requestId: string): Promise<void> {
      await db.transaction(async (tx) => {
        const ended = await repo.revokeOwnSession(tx, actor.userId, sessionId, 'ended_by_user')
        // Someone else's login, or one already over: as if it did not exist.
        if (ended.length === 0) throw new NotFound()
        await appendAuditIn(tx, selfAudit(actor, requestId, 'D', 'session', [sessionId]))
      })
    },

    /** Ends every login of the caller but this one; how many ended. */
    async endOtherSessions(actor: Actor, requestId: string): Promise<number> {
      return db.transaction(async (tx) => {
        const ended = await repo.revokeOtherSessions(tx, actor.userId, actor.sessionId, 'ended_by_user')
        if (ended.length > 0) await appendAuditIn(tx, selfAudit(actor, requestId, 'D', 'session', ended.map((e) => e.id)))
        return ended.length
      })
    },
  }
}

export type AuthService = ReturnType<typeof createAuthService>
