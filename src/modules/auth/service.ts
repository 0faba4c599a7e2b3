import { createHash, randomBytes } from 'node:crypto'
import type { Database } from '../../db/database.js'
import type { Config } from '../../config.js'
import type { Actor } from '../../access/roles.js'
import { TooMany, Unauthorized, Validation } from '../../lib/errors.js'
import * as repo from './repository.js'
import { dummyHash, hashPassword, isStrongPassword, needsRehash, verifyPassword } from './password.js'
import type { LoginThrottle } from './throttle.js'

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
}

export interface AuthServiceDeps {
  database: Database
  config: Config
  throttle: LoginThrottle
  signAccess: (claims: { sub: string; sid: string }) => string
}

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex')
}

export function createAuthService({ database, config, throttle, signAccess }: AuthServiceDeps) {
  const { db } = database

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
    return { id: u.id, username: u.username, displayName: u.displayName, schoolId: u.schoolId, districtId: u.districtId, roles }
  }

  return {
    async login(username: string, password: string, ip: string): Promise<TokenPair> {
      // Locked accounts answer 429 before the password is looked at, right or wrong.
      if (throttle.isLocked(username, ip)) throw new TooMany()
      const user = await repo.findUserByUsername(db, username)
      const ok = user
        ? await verifyPassword(user.passwordHash, password)
        : (await verifyPassword(await dummyHash(), password), false)
      if (!user || !ok || user.status !== 'active') {
        throttle.fail(username, ip)
        throw new Unauthorized('invalid_credentials')
      }
      throttle.succeed(username)
      if (needsRehash(user.passwordHash)) {
        await repo.setPasswordHash(db, user.id, await hashPassword(password), false)
      }
      const sessionId = await repo.createSession(db, user.id)
      return { ...(await issue(user.id, sessionId)), user: await publicUser(user.id) }
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

    async changePassword(actor: Actor, current: string, next: string, ip: string): Promise<TokenPair> {
      // A stolen access token must not become a password-guessing oracle: same lockout as login.
      if (throttle.isLocked(actor.username, ip)) throw new TooMany()
      const user = await repo.findUserById(db, actor.userId)
      if (!user || !(await verifyPassword(user.passwordHash, current))) {
        throttle.fail(actor.username, ip)
        throw new Validation('wrong_password', {}, undefined, 400)
      }
      if (!isStrongPassword(next)) throw new Validation('weak_password')
      const hash = await hashPassword(next)
      // Every login of this account ends, this one included; the caller gets a fresh pair.
      const sessionId = await db.transaction(async (tx) => {
        await repo.setPasswordHash(tx, user.id, hash, true)
        await repo.revokeAllSessions(tx, user.id, 'password_change')
        return repo.createSession(tx, user.id)
      })
      return { ...(await issue(user.id, sessionId)), user: await publicUser(user.id) }
    },

    me: (actor: Actor) => publicUser(actor.userId),
  }
}

export type AuthService = ReturnType<typeof createAuthService>
