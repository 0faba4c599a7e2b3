import t from './helpers/tap.js'
import argon2 from 'argon2'
import { randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import type { Actor } from '../src/access/roles.js'
import type { Database } from '../src/db/database.js'
import { refreshTokens, authSessions, users, userRoles } from '../db/schema/index.js'
import { freshDatabase } from './helpers/database.js'
import {
  buildTestApp, createSchool, createUser, injectAs, login, rid, TEST_PASSWORD, type SchoolFixture,
} from './helpers/app.js'

const LOGIN = '/api/v1/auth/login'
const REFRESH = '/api/v1/auth/refresh'
const LOGOUT = '/api/v1/auth/logout'
const PASSWORD = '/api/v1/auth/password'
const ME = '/api/v1/auth/me'

const tryLogin = (app: FastifyInstance, username: string, password: string) =>
  app.inject({ method: 'POST', url: LOGIN, payload: { username, password } })
const refresh = (app: FastifyInstance, refreshToken: string) =>
  app.inject({ method: 'POST', url: REFRESH, payload: { refreshToken } })
const tryFrom = (app: FastifyInstance, remoteAddress: string, username: string, password: string) =>
  app.inject({ method: 'POST', url: LOGIN, remoteAddress, payload: { username, password } })
const me = (app: FastifyInstance, token: string) => injectAs(app, token, { method: 'GET', url: ME })

/** The sid claim of an access token (the login's auth_sessions row). */
function sidOf(accessToken: string): string {
  const payload = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString('utf8')) as { sid: string }
  return payload.sid
}

/** `$argon2id$v=19$m=19456,p=1,t=2$…` (PHC string; parameter order varies) → its parts. */
function argonParams(hash: string) {
  const parts = /^\$(argon2(?:id|i|d))\$v=(\d+)\$([a-z]=\d+(?:,[a-z]=\d+)*)\$/.exec(hash)
  if (!parts) throw new Error('not an argon2 PHC string')
  const kv = Object.fromEntries(parts[3]!.split(',').map((p) => [p[0]!, Number(p.slice(2))]))
  return { type: parts[1]!, v: Number(parts[2]), m: kv.m ?? 0, t: kv.t ?? 0, p: kv.p ?? 0 }
}

async function storedHash(database: Database, userId: string): Promise<string> {
  const row = (await database.db.select({ h: users.passwordHash }).from(users).where(eq(users.id, userId)))[0]
  return row!.h
}

t.test('auth', async (t) => {
  const { app, database } = await buildTestApp(t)
  const school: SchoolFixture = await createSchool(database)
  const newUser = () => createUser(database, school, [{ role: 'psych_teacher' }])

  t.test('login returns a token pair and the user with roles; /me answers with the token', async (t) => {
    const u = await newUser()
    const res = await tryLogin(app, u.username, TEST_PASSWORD)
    t.equal(res.statusCode, 200)
    const body = res.json()
    t.type(body.accessToken, 'string')
    t.equal(body.accessToken.split('.').length, 3, 'access token is a JWT')
    t.type(body.refreshToken, 'string')
    t.ok(body.refreshToken.length >= 40, 'refresh token is long and random')
    t.equal(body.expiresIn, 900)
    t.equal(body.user.id, u.id)
    t.equal(body.user.username, u.username)
    t.same(body.user.roles, [{ role: 'psych_teacher', schoolId: school.schoolId, classId: null, districtId: null }])
    t.notOk('passwordHash' in body.user, 'no hash in the answer')

    const m = await me(app, body.accessToken)
    t.equal(m.statusCode, 200)
    t.equal(m.json().id, u.id)
    t.equal(m.json().roles[0].role, 'psych_teacher')
    t.notOk('passwordHash' in m.json())
  })

  t.test('unknown user, wrong password and disabled user answer byte-identically', async (t) => {
    const u = await newUser()
    const disabled = await newUser()
    await database.db.update(users).set({ status: 'disabled' }).where(eq(users.id, disabled.id))

    const unknown = await tryLogin(app, `nobody_${rid()}`, TEST_PASSWORD)
    const wrong = await tryLogin(app, u.username, 'Wrong-password-999')
    const off = await tryLogin(app, disabled.username, TEST_PASSWORD)
    for (const r of [unknown, wrong, off]) {
      t.equal(r.statusCode, 401)
      t.equal(r.json().code, 'invalid_credentials')
    }
    const strip = (body: string, id: string) => body.replace(id, '<rid>')
    const a = strip(unknown.body, unknown.json().requestId)
    const b = strip(wrong.body, wrong.json().requestId)
    const c = strip(off.body, off.json().requestId)
    t.equal(a, b, 'unknown user and wrong password: same bytes but the request id')
    t.equal(a, c, 'disabled user: same bytes but the request id')
    t.not(unknown.json().requestId, wrong.json().requestId)
    t.equal(unknown.headers['content-type'], wrong.headers['content-type'])
  })

  t.test('refresh rotates; a reused refresh token revokes the whole login', async (t) => {
    const u = await newUser()
    const first = await login(app, u.username)

    const r1 = await refresh(app, first.refreshToken)
    t.equal(r1.statusCode, 200)
    const second = r1.json()
    t.not(second.refreshToken, first.refreshToken, 'new refresh token')
    t.type(second.accessToken, 'string')
    t.equal(second.user.id, u.id)
    t.equal(sidOf(second.accessToken), sidOf(first.accessToken), 'same login family')
    t.equal((await me(app, second.accessToken)).statusCode, 200)

    const again = await refresh(app, first.refreshToken)
    t.equal(again.statusCode, 401, 'the used refresh token is dead')
    t.equal(again.json().code, 'invalid_token')

    // The reuse above ended the family: the newest pair is dead too.
    t.equal((await refresh(app, second.refreshToken)).statusCode, 401, 'newest refresh token revoked')
    const m = await me(app, second.accessToken)
    t.equal(m.statusCode, 401, 'current access token revoked')
    t.equal(m.json().code, 'invalid_token')
    const session = (await database.db.select().from(authSessions).where(eq(authSessions.id, sidOf(first.accessToken))))[0]!
    t.ok(session.revokedAt, 'session revoked')
    t.equal(session.revokedReason, 'reuse_detected')

    // A second login is a separate family and is untouched.
    const other = await login(app, u.username)
    t.equal((await me(app, other.accessToken)).statusCode, 200)
  })

  t.test('rotation then reuse of the newest token (normal chain) keeps working one step at a time', async (t) => {
    const u = await newUser()
    let pair = await login(app, u.username)
    for (let i = 0; i < 3; i++) {
      const r = await refresh(app, pair.refreshToken)
      t.equal(r.statusCode, 200, `rotation ${i + 1}`)
      pair = r.json()
    }
    t.equal((await me(app, pair.accessToken)).statusCode, 200)
    t.equal((await refresh(app, 'x'.repeat(43))).statusCode, 401, 'unknown refresh token')
  })

  t.test('an expired refresh token is refused', async (t) => {
    const u = await newUser()
    const pair = await login(app, u.username)
    await database.db.update(refreshTokens).set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(refreshTokens.sessionId, sidOf(pair.accessToken)))
    const r = await refresh(app, pair.refreshToken)
    t.equal(r.statusCode, 401)
    t.equal(r.json().code, 'invalid_token')
  })

  t.test('logout ends the access token at once and kills its refresh token', async (t) => {
    const u = await newUser()
    const pair = await login(app, u.username)
    const keep = await login(app, u.username)
    t.equal((await me(app, pair.accessToken)).statusCode, 200)
    const out = await injectAs(app, pair.accessToken, { method: 'POST', url: LOGOUT })
    t.equal(out.statusCode, 204)
    t.equal(out.body, '')
    const m = await me(app, pair.accessToken)
    t.equal(m.statusCode, 401, 'same access token refused on the next request')
    t.equal(m.json().code, 'invalid_token')
    t.equal((await refresh(app, pair.refreshToken)).statusCode, 401, 'refresh token dead')
    t.equal((await injectAs(app, pair.accessToken, { method: 'POST', url: LOGOUT })).statusCode, 401, 'second logout refused')
    t.equal((await me(app, keep.accessToken)).statusCode, 200, 'another login of the same user is unaffected')
  })

  t.test('password change', async (t) => {
    const u = await newUser()
    const pair = await login(app, u.username)
    const other = await login(app, u.username)
    const newPassword = 'Brand-new-pass-4321'

    const weak = await injectAs(app, pair.accessToken, { method: 'POST', url: PASSWORD, payload: { currentPassword: TEST_PASSWORD, newPassword: 'short1' } })
    t.equal(weak.statusCode, 400)
    t.equal(weak.json().code, 'weak_password')
    t.notMatch(weak.body, /short1/, 'the submitted password is not echoed')
    const noDigit = await injectAs(app, pair.accessToken, { method: 'POST', url: PASSWORD, payload: { currentPassword: TEST_PASSWORD, newPassword: 'onlyletterslong' } })
    t.equal(noDigit.statusCode, 400)
    t.equal(noDigit.json().code, 'weak_password')

    const wrong = await injectAs(app, pair.accessToken, { method: 'POST', url: PASSWORD, payload: { currentPassword: 'Not-the-password-1', newPassword } })
    t.equal(wrong.statusCode, 400)
    t.equal(wrong.json().code, 'wrong_password')
    t.equal((await me(app, pair.accessToken)).statusCode, 200, 'failed attempts change nothing')
    t.equal((await tryLogin(app, u.username, TEST_PASSWORD)).statusCode, 200, 'old password still valid after failed attempts')

    const ok = await injectAs(app, pair.accessToken, { method: 'POST', url: PASSWORD, payload: { currentPassword: TEST_PASSWORD, newPassword } })
    t.equal(ok.statusCode, 200)
    const fresh = ok.json()
    t.type(fresh.accessToken, 'string')
    t.not(sidOf(fresh.accessToken), sidOf(pair.accessToken), 'a new login family')

    t.equal((await me(app, pair.accessToken)).statusCode, 401, 'old access token refused on the next request')
    t.equal((await me(app, other.accessToken)).statusCode, 401, 'every other login of the account ends too')
    t.equal((await refresh(app, pair.refreshToken)).statusCode, 401, 'old refresh token dead')
    t.equal((await me(app, fresh.accessToken)).statusCode, 200, 'the returned pair works')
    const old = await tryLogin(app, u.username, TEST_PASSWORD)
    t.equal(old.statusCode, 401, 'old password fails')
    t.equal(old.json().code, 'invalid_credentials')
    t.equal((await tryLogin(app, u.username, newPassword)).statusCode, 200, 'new password works')

    const p = argonParams(await storedHash(database, u.id))
    t.equal(p.type, 'argon2id')
    t.ok(p.m >= 19456 && p.t >= 2, `new hash strong enough (m=${p.m}, t=${p.t})`)
  })

  t.test('a disabled user is refused on the next request and cannot refresh', async (t) => {
    const u = await newUser()
    const pair = await login(app, u.username)
    t.equal((await me(app, pair.accessToken)).statusCode, 200)
    await database.db.update(users).set({ status: 'disabled' }).where(eq(users.id, u.id))
    const m = await me(app, pair.accessToken)
    t.equal(m.statusCode, 401)
    t.equal(m.json().code, 'invalid_token')
    const r = await refresh(app, pair.refreshToken)
    t.equal(r.statusCode, 401, 'no new tokens for a disabled account')
    t.equal(r.json().code, 'invalid_token')
    const l = await tryLogin(app, u.username, TEST_PASSWORD)
    t.equal(l.statusCode, 401)
  })

  t.test('one address guessing one account is slowed (429 + Retry-After), never the account', async (t) => {
    const u = await newUser()
    const free = app.config.LOGIN_FREE_FAILS
    t.equal(free, 5)
    for (let i = 0; i < free; i++) {
      const r = await tryLogin(app, u.username, `Wrong-password-${i}`)
      t.equal(r.statusCode, 401, `failure ${i + 1} is a plain 401`)
    }
    const slowed = await tryLogin(app, u.username, TEST_PASSWORD)
    t.equal(slowed.statusCode, 429, 'the right password is not even tried while this pair must wait')
    t.equal(slowed.json().code, 'login_throttled')
    t.equal(slowed.headers['retry-after'], '1', 'first wait: one second')
    t.equal(slowed.json().message, '登录尝试过于频繁，请 1 秒后再试')
    t.equal((await tryLogin(app, u.username.toUpperCase(), TEST_PASSWORD)).statusCode, 429, 'case variants share the counter')
    // The same account from another address is not slowed at all.
    const elsewhere = await app.inject({ method: 'POST', url: LOGIN, remoteAddress: '10.9.8.7', payload: { username: u.username, password: TEST_PASSWORD } })
    t.equal(elsewhere.statusCode, 200, 'the real user elsewhere signs in')
    // Another account from the same address is not slowed by it.
    const v = await newUser()
    t.equal((await tryLogin(app, v.username, TEST_PASSWORD)).statusCode, 200)
    // Unknown accounts are slowed the same way, so the throttle reveals nothing.
    const ghost = `ghost_${rid()}`
    for (let i = 0; i < free; i++) await tryLogin(app, ghost, 'Wrong-password-0')
    const g = await tryLogin(app, ghost, 'Wrong-password-0')
    t.equal(g.statusCode, 429)
    t.equal(g.body.replace(g.json().requestId, ''), slowed.body.replace(slowed.json().requestId, ''))
  })

  t.test('rehash on login: weaker argon2 parameters are upgraded, current ones left alone', async (t) => {
    const weakHash = await argon2.hash(TEST_PASSWORD, { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 })
    const username = `weak_${rid()}`
    const row = (await database.db.insert(users).values({
      username, passwordHash: weakHash, displayName: `弱哈希${rid()}`, schoolId: school.schoolId, districtId: school.districtId,
    }).returning())[0]!
    await database.db.insert(userRoles).values({ userId: row.id, role: 'psych_teacher', schoolId: school.schoolId })
    t.same(argonParams(weakHash), { type: 'argon2id', v: 19, m: 4096, t: 1, p: 1 })

    t.equal((await tryLogin(app, username, TEST_PASSWORD)).statusCode, 200)
    const upgraded = await storedHash(database, row.id)
    t.not(upgraded, weakHash)
    t.same(argonParams(upgraded), { type: 'argon2id', v: 19, m: 19456, t: 2, p: 1 })
    t.ok(await argon2.verify(upgraded, TEST_PASSWORD), 'upgraded hash still matches the password')
    t.equal((await tryLogin(app, username, TEST_PASSWORD)).statusCode, 200, 'login works with the upgraded hash')

    // A hash already at the target is not rewritten on every login.
    const settled = await storedHash(database, row.id)
    t.equal((await tryLogin(app, username, TEST_PASSWORD)).statusCode, 200)
    t.equal(await storedHash(database, row.id), settled, 'current hash kept as is')

    // argon2i with the right costs is still the wrong type: upgraded to argon2id.
    const iHash = await argon2.hash(TEST_PASSWORD, { type: argon2.argon2i, memoryCost: 19456, timeCost: 2, parallelism: 1 })
    await database.db.update(users).set({ passwordHash: iHash }).where(eq(users.id, row.id))
    t.equal((await tryLogin(app, username, TEST_PASSWORD)).statusCode, 200)
    t.equal(argonParams(await storedHash(database, row.id)).type, 'argon2id')
  })

  t.test('stored hashes are argon2id with m >= 19456 and t >= 2', async (t) => {
    const u = await newUser()
    const p = argonParams(await storedHash(database, u.id))
    t.equal(p.type, 'argon2id')
    t.ok(p.m >= 19456, `m=${p.m}`)
    t.ok(p.t >= 2, `t=${p.t}`)
    await login(app, u.username)
    t.equal(argonParams(await storedHash(database, u.id)).type, 'argon2id')
  })
})

t.test('an address failing on many accounts is slowed, except for accounts that signed in from it before', async (t) => {
  const { app, database } = await buildTestApp(t, { LOGIN_ADDRESS_ACCOUNTS: 3 })
  const school = await createSchool(database)
  const regular = await createUser(database, school, [{ role: 'homeroom_teacher', classId: school.classIds[0] }])
  const newcomer = await createUser(database, school, [{ role: 'homeroom_teacher', classId: school.classIds[1] }])
  const nat = '203.0.113.7'
  t.equal((await tryFrom(app, nat, regular.username, TEST_PASSWORD)).statusCode, 200, 'a colleague signs in from the school address')
  for (let i = 0; i < 3; i++) {
    const r = await tryFrom(app, nat, `someone_${i}_${rid()}`, 'Wrong-password-1')
    t.equal(r.statusCode, 401, `failure on account ${i + 1} from this address`)
  }
  const blocked = await tryFrom(app, nat, newcomer.username, TEST_PASSWORD)
  t.equal(blocked.statusCode, 429, 'an account new to this address waits')
  t.equal(blocked.json().code, 'login_throttled')
  t.equal(blocked.headers['retry-after'], '1')
  t.equal((await tryFrom(app, nat, regular.username, TEST_PASSWORD)).statusCode, 200, 'the colleague who signed in here before is not slowed')
  t.equal((await tryFrom(app, '10.1.2.3', newcomer.username, TEST_PASSWORD)).statusCode, 200, 'another address is not affected')
})

t.test('a typo followed by the right password does not count towards the address', async (t) => {
  const { app, database } = await buildTestApp(t, { LOGIN_ADDRESS_ACCOUNTS: 3 })
  const school = await createSchool(database)
  const nat = '198.51.100.20'
  for (let i = 0; i < 6; i++) {
    const u = await createUser(database, school, [{ role: 'mentor' }])
    t.equal((await tryFrom(app, nat, u.username, 'Typo-password-1')).statusCode, 401)
    t.equal((await tryFrom(app, nat, u.username, TEST_PASSWORD)).statusCode, 200, `teacher ${i + 1} gets in after a typo`)
  }
})

t.test('roles are read per request: removing a role bites on the next request', async (t) => {
  // Built by hand (not buildTestApp) to add a probe hook before ready: it records the
  // actor the auth plugin loaded for each request.
  const { database, drop } = await freshDatabase()
  const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), jwtSecret: randomBytes(32).toString('hex') }
  const app = await buildApp({ config, database })
  const seen: Array<Actor | null> = []
  app.addHook('preHandler', async (req) => { seen.push(req.actor ? structuredClone(req.actor) : null) })
  await app.ready()
  t.teardown(async () => { await app.close(); await drop() })

  const school = await createSchool(database)
  const u = await createUser(database, school, [{ role: 'homeroom_teacher', classId: school.classIds[0] }, { role: 'mentor' }])
  const pair = await login(app, u.username)

  const before = await me(app, pair.accessToken)
  t.equal(before.statusCode, 200)
  t.same(before.json().roles.map((r: { role: string }) => r.role).sort(), ['homeroom_teacher', 'mentor'])
  const actorBefore = seen.at(-1)
  t.ok(actorBefore, 'an actor was loaded')
  t.equal(actorBefore!.userId, u.id)
  t.equal(actorBefore!.sessionId, sidOf(pair.accessToken))
  t.same(actorBefore!.roles.map((r) => r.role).sort(), ['homeroom_teacher', 'mentor'])

  await database.db.delete(userRoles).where(eq(userRoles.userId, u.id))

  const after = await me(app, pair.accessToken)
  t.equal(after.statusCode, 200)
  t.same(after.json().roles, [], '/me shows no roles')
  const actorAfter = seen.at(-1)
  t.not(actorAfter, actorBefore, 'a new actor was loaded for the new request')
  t.equal(actorAfter!.userId, u.id)
  t.same(actorAfter!.roles, [], 'the per-request actor carries no roles any more')

  // Adding a role back is seen at once, too.
  await database.db.insert(userRoles).values({ userId: u.id, role: 'psych_teacher', schoolId: school.schoolId })
  t.equal((await me(app, pair.accessToken)).json().roles[0].role, 'psych_teacher')
  t.same(seen.at(-1)!.roles.map((r) => r.role), ['psych_teacher'])
})

t.test('wrong current passwords on password change count toward the same throttle', async (t) => {
  const { app, database } = await buildTestApp(t, { LOGIN_FREE_FAILS: 3 })
  const school = await createSchool(database)
  const u = await createUser(database, school, [{ role: 'psych_teacher' }])
  const { accessToken } = await login(app, u.username)
  for (let i = 0; i < 3; i++) {
    const r = await injectAs(app, accessToken, { method: 'POST', url: PASSWORD, payload: { currentPassword: 'wrong-guess-1', newPassword: 'Another-pass-123' } })
    t.equal(r.statusCode, 400)
  }
  const slowed = await injectAs(app, accessToken, { method: 'POST', url: PASSWORD, payload: { currentPassword: TEST_PASSWORD, newPassword: 'Another-pass-123' } })
  t.equal(slowed.statusCode, 429, 'even the right password waits')
  t.equal(slowed.json().code, 'login_throttled')
  t.equal(slowed.headers['retry-after'], '1')
  t.equal((await tryLogin(app, u.username, TEST_PASSWORD)).statusCode, 429, 'sign-in from the same address waits too')
  t.equal((await tryFrom(app, '10.20.30.40', u.username, TEST_PASSWORD)).statusCode, 200, 'the account itself is not locked')
})
