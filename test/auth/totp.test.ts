import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { Secret, TOTP } from 'otpauth'
import type { FastifyInstance } from 'fastify'
import { queryRows } from '../../src/db/database.js'
import { verifyAuditChain } from '../../src/audit/audit.js'
import { injectAs, TEST_PASSWORD } from '../helpers/app.js'
import { rosterWorld, type Caller } from '../roster/fixtures.js'

const LOGIN = '/api/v1/auth/login'
const SECOND = '/api/v1/auth/login/second-factor'
const SF = '/api/v1/auth/second-factor'
const ME = '/api/v1/auth/me'

/** The code an authenticator app shows `offsetS` seconds from now (a step earlier or later is still taken). */
const codeOf = (secret: string, offsetS = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: Date.now() + offsetS * 1000 })

interface AuditRow { action: string; actor_id: string | null; record_ids: string[]; field_groups: string[]; outcome: string; text: string }

/** Sets up the authenticator for the caller: the secret, and the recovery codes shown once. */
async function enrol(app: FastifyInstance, who: Caller, offsetS = -30): Promise<{ secret: string; uri: string; recoveryCodes: string[] }> {
  const started = await injectAs(app, who.token, { method: 'POST', url: `${SF}/enrolment` })
  if (started.statusCode !== 200) throw new Error(`enrolment: ${started.statusCode} ${started.body}`)
  const { secret, otpauthUri } = started.json() as { secret: string; otpauthUri: string }
  const confirmed = await injectAs(app, who.token, { method: 'POST', url: `${SF}/confirm`, payload: { code: codeOf(secret, offsetS) } })
  if (confirmed.statusCode !== 200) throw new Error(`confirm: ${confirmed.statusCode} ${confirmed.body}`)
  return { secret, uri: otpauthUri, recoveryCodes: (confirmed.json() as { recoveryCodes: string[] }).recoveryCodes }
}

t.test('TOTP: enrolment, sign-in with a code, replay, recovery codes, throttle, admin reset, the requirement', async (t) => {
  const w = await rosterWorld()
  const { app, database, admin, A } = w
  const db = database.db
  const password = (username: string) => app.inject({ method: 'POST', url: LOGIN, payload: { username, password: TEST_PASSWORD } })
  const mark = async () => Number((await queryRows<{ n: string | number }>(db, sql`select coalesce(max(seq), 0) as n from audit_log`))[0]!.n)
  const secondFactorRows = (since: number) => queryRows<AuditRow>(db,
    sql`select action, actor_id, record_ids, field_groups, outcome, a::text as text from audit_log a where seq > ${since} and resource = 'second_factor' order by seq`)

  t.test('enrol, confirm, then sign in with a code; a code is taken once', async (t) => {
    const psych = await w.caller(A, [{ role: 'psych_teacher' }])
    const before = await mark()
    const status0 = (await injectAs(app, psych.token, { method: 'GET', url: SF })).json()
    t.match(status0, { enabled: false, required: false, recoveryCodesLeft: 0 }, 'nothing set up, nothing required outside production')

    const started = await injectAs(app, psych.token, { method: 'POST', url: `${SF}/enrolment` })
    t.equal(started.statusCode, 200)
    const { secret, otpauthUri } = started.json() as { secret: string; otpauthUri: string }
    t.match(secret, /^[A-Z2-7]{32}$/, '160 bits in base32')
    t.match(otpauthUri, /^otpauth:\/\/totp\//)
    t.match(otpauthUri, `secret=${secret}`)
    t.match(otpauthUri, /period=30/)
    const stored = (await queryRows<{ s: string; on: Date | null }>(db, sql`select totp_secret as s, totp_enabled_at as "on" from users where id = ${psych.id}`))[0]!
    t.match(stored.s, /^v1\./, 'the secret is kept sealed')
    t.notMatch(stored.s, secret, 'never as the plain base32')
    t.equal(stored.on, null, 'not in force before a first code')
    t.equal((await password(psych.username)).json().accessToken !== undefined, true, 'an unconfirmed enrolment does not change the sign-in')

    const wrong = await injectAs(app, psych.token, { method: 'POST', url: `${SF}/confirm`, payload: { code: String((Number(codeOf(secret)) + 1) % 1_000_000).padStart(6, '0') } })
    t.equal(wrong.statusCode, 400)
    t.equal(wrong.json().code, 'wrong_second_factor')
    t.match(wrong.json().message, /验证码不正确/)
    // Each code a check depends on is computed once: a later codeOf may fall in the next 30 s
    // step and be a fresh, valid code instead of the one used.
    const confirmCode = codeOf(secret, -30)
    const confirmed = await injectAs(app, psych.token, { method: 'POST', url: `${SF}/confirm`, payload: { code: confirmCode } })
    t.equal(confirmed.statusCode, 200, confirmed.body)
    const codes = confirmed.json().recoveryCodes as string[]
    t.equal(codes.length, 10, 'ten recovery codes')
    t.equal(new Set(codes).size, 10)
    for (const c of codes) t.match(c, /^[A-HJ-KM-NP-Z2-9]{4}-[A-HJ-KM-NP-Z2-9]{4}-[A-HJ-KM-NP-Z2-9]{4}$/)
    const kept = await queryRows<{ code_hash: string }>(db, sql`select code_hash from user_recovery_codes where user_id = ${psych.id}`)
    t.equal(kept.length, 10)
    t.notOk(kept.some((k) => codes.some((c) => k.code_hash.includes(c) || k.code_hash.includes(c.replace(/-/g, '')))), 'only hashes are kept')
    t.match((await injectAs(app, psych.token, { method: 'GET', url: SF })).json(), { enabled: true, recoveryCodesLeft: 10 })
    t.equal((await injectAs(app, psych.token, { method: 'POST', url: `${SF}/enrolment` })).statusCode, 409, 'no second enrolment over the first')
    t.equal((await injectAs(app, psych.token, { method: 'GET', url: ME })).json().secondFactorEnabled, true)

    // Sign in: the password step answers a challenge, not tokens.
    const first = await password(psych.username)
    t.equal(first.statusCode, 200)
    const step = first.json() as { secondFactor: string; challenge: string; accessToken?: string }
    t.equal(step.secondFactor, 'totp')
    t.equal(step.accessToken, undefined, 'no access token before the code')
    t.equal((await app.inject({ method: 'GET', url: ME, headers: { authorization: `Bearer ${step.challenge}` } })).statusCode, 401, 'the challenge opens nothing')

    const replay = await app.inject({ method: 'POST', url: SECOND, payload: { challenge: step.challenge, code: confirmCode } })
    t.equal(replay.statusCode, 400, 'the code used to confirm is not taken again')
    t.equal(replay.json().code, 'wrong_second_factor')
    const signInCode = codeOf(secret)
    const ok = await app.inject({ method: 'POST', url: SECOND, payload: { challenge: step.challenge, code: signInCode } })
    t.equal(ok.statusCode, 200, ok.body)
    const session = ok.json() as { accessToken: string; user: { secondFactorEnabled: boolean } }
    t.equal(session.user.secondFactorEnabled, true)
    const spent = await app.inject({ method: 'POST', url: SECOND, payload: { challenge: step.challenge, code: codeOf(secret, 30) } })
    t.equal(spent.statusCode, 429, 'a challenge signs in once')
    t.equal(spent.json().code, 'second_factor_sign_in_again')
    t.equal((await injectAs(app, session.accessToken, { method: 'GET', url: ME })).statusCode, 200, 'the code step signs in')
    const proved = (await queryRows<{ at: Date | null }>(db, sql`select second_factor_at as at from auth_sessions where id = (select id from auth_sessions where user_id = ${psych.id} order by created_at desc limit 1)`))[0]!
    t.ok(proved.at, 'the login records when it proved the second factor')

    const again = await password(psych.username)
    const reused = await app.inject({ method: 'POST', url: SECOND, payload: { challenge: again.json().challenge, code: signInCode } })
    t.equal(reused.statusCode, 400, 'the same code a second time is refused')
    t.equal((await app.inject({ method: 'POST', url: SECOND, payload: { challenge: 'x'.repeat(40), code: codeOf(secret, 30) } })).statusCode, 401, 'a forged challenge is refused')

    // A recovery code works once, in any case and with or without dashes.
    const rc = codes[3]!
    const viaRecovery = await app.inject({ method: 'POST', url: SECOND, payload: { challenge: again.json().challenge, recoveryCode: rc.toLowerCase().replace(/-/g, ' ') } })
    t.equal(viaRecovery.statusCode, 200, viaRecovery.body)
    const third = await password(psych.username)
    const usedUp = await app.inject({ method: 'POST', url: SECOND, payload: { challenge: third.json().challenge, recoveryCode: rc } })
    t.equal(usedUp.statusCode, 400, 'a recovery code is used up')
    t.equal(usedUp.json().code, 'wrong_recovery_code')
    t.equal((await injectAs(app, session.accessToken, { method: 'GET', url: SF })).json().recoveryCodesLeft, 9)

    const rows = await secondFactorRows(before)
    const shape = rows.map((r) => `${r.action}:${r.field_groups.join('+')}:${r.outcome}`)
    t.same(shape, [
      'denied:totp+enrolment+wrong_code:denied',
      'C:totp+recovery_codes:ok',
      'denied:totp+login+replayed:denied',
      'U:totp+login:ok',
      'denied:totp+login+replayed:denied',
      'U:recovery_code+login:ok',
      'denied:recovery_code+login+wrong_code:denied',
    ], 'enrolment, each use and each failure is audited')
    for (const r of rows) {
      t.same(r.record_ids, [psych.id])
      t.notMatch(r.text, secret, 'no secret in the audit')
      t.notMatch(r.text, rc.replace(/-/g, ''), 'no recovery code in the audit')
    }
    t.equal((await verifyAuditChain(db)).ok, true)
  })

  t.test('wrong codes are throttled per challenge and per account', async (t) => {
    const psych = await w.caller(A, [{ role: 'psych_teacher' }])
    const { secret } = await enrol(app, psych)
    const challenge = (await password(psych.username)).json().challenge as string
    const bad = String((Number(codeOf(secret)) + 500_000) % 1_000_000).padStart(6, '0')
    for (let i = 0; i < 5; i++) {
      const r = await app.inject({ method: 'POST', url: SECOND, payload: { challenge, code: bad } })
      t.equal(r.statusCode, 400, `wrong code ${i + 1}`)
    }
    const sixth = await app.inject({ method: 'POST', url: SECOND, payload: { challenge, code: codeOf(secret) } })
    t.equal(sixth.statusCode, 429, 'a challenge takes five tries, even with the right code after them')
    t.equal(sixth.json().code, 'second_factor_sign_in_again')
    const fresh = (await password(psych.username)).json().challenge as string
    const slowed = await app.inject({ method: 'POST', url: SECOND, payload: { challenge: fresh, code: codeOf(secret) } })
    t.equal(slowed.statusCode, 429, 'the account waits before the next try, from a new challenge too')
    t.equal(slowed.json().code, 'second_factor_throttled')
    t.ok(Number(slowed.headers['retry-after']) >= 1, 'with Retry-After')
    t.match(slowed.json().message, /秒后再试/)
  })

  t.test('a school admin resets a colleague’s second factor: audited, notified, logins ended', async (t) => {
    const psych = await w.caller(A, [{ role: 'psych_teacher' }])
    const { secret } = await enrol(app, psych)
    const before = await mark()
    t.equal((await w.call(admin, 'POST', `/api/v1/users/${admin.id}/second-factor-reset`)).statusCode, 409, 'not one’s own')
    t.equal((await w.call(w.adminB, 'POST', `/api/v1/users/${psych.id}/second-factor-reset`)).statusCode, 404, 'not another school’s')
    t.equal((await w.call(w.psych, 'POST', `/api/v1/users/${psych.id}/second-factor-reset`)).statusCode, 404, 'not by a psychology teacher')
    const reset = await w.call(admin, 'POST', `/api/v1/users/${psych.id}/second-factor-reset`)
    t.equal(reset.statusCode, 204, reset.body)
    const user = (await queryRows<{ s: string | null; on: Date | null }>(db, sql`select totp_secret as s, totp_enabled_at as "on" from users where id = ${psych.id}`))[0]!
    t.same(user, { s: null, on: null }, 'the secret is gone')
    t.equal((await queryRows(db, sql`select 1 from user_recovery_codes where user_id = ${psych.id}`)).length, 0, 'and the recovery codes')
    t.equal((await injectAs(app, psych.token, { method: 'GET', url: ME })).statusCode, 401, 'the account’s logins ended (the lost phone may be signed in)')
    const notes = await queryRows<{ kind: string; user_id: string }>(db, sql`select kind, user_id from notifications where user_id = ${psych.id}`)
    t.same(notes.map((n) => n.kind), ['second_factor_reset'], 'the owner is told')
    const rows = await secondFactorRows(before)
    t.equal(rows.length, 1)
    t.match(rows[0], { action: 'D', actor_id: admin.id, field_groups: ['totp', 'recovery_codes'], outcome: 'ok' })
    t.same(rows[0]!.record_ids, [psych.id])
    t.equal((await w.call(admin, 'POST', `/api/v1/users/${psych.id}/second-factor-reset`)).statusCode, 409, 'nothing left to reset')
    const signIn = await password(psych.username)
    t.ok(signIn.json().accessToken, 'the password alone signs in again where nothing is required')
    t.not(codeOf(secret).length, 0)
  })

  t.test('where the school requires it, an account without one can only set it up', async (t) => {
    const psych = await w.caller(A, [{ role: 'psych_teacher' }])
    const homeroom = await w.caller(A, [{ role: 'homeroom_teacher', classId: A.classIds[0] }])
    t.equal((await w.call(psych, 'GET', '/api/v1/classes')).statusCode, 200, 'before: the account works (and the server remembers it)')
    const early = await w.call(admin, 'PUT', '/api/v1/school/second-factor', { required: true })
    t.equal(early.statusCode, 409, 'the admin sets up their own first')
    t.equal(early.json().code, 'second_factor_enrol_first')
    await enrol(app, admin)
    const setting = await w.call(admin, 'PUT', '/api/v1/school/second-factor', { required: true })
    t.equal(setting.statusCode, 200, setting.body)
    t.same(setting.json(), { required: true, deploymentDefault: false, effective: true })

    const refused = await w.call(psych, 'GET', '/api/v1/classes')
    t.equal(refused.statusCode, 403, 'on the very next request, the same login is held to it')
    t.equal(refused.json().code, 'second_factor_enrolment_required')
    t.match(refused.json().message, /二次验证/)
    t.equal((await w.call(homeroom, 'GET', '/api/v1/classes')).statusCode, 200, 'a homeroom teacher is not asked')
    const me = (await w.call(psych, 'GET', ME)).json()
    t.equal(me.mustEnrolSecondFactor, true, '/me says so (the client opens the setup)')
    t.match((await w.call(psych, 'GET', SF)).json(), { enabled: false, required: true })

    const fresh = await password(psych.username)
    t.equal(fresh.json().user.mustEnrolSecondFactor, true, 'a new sign-in says so too')
    const { secret } = await enrol(app, psych)
    t.equal((await w.call(psych, 'GET', '/api/v1/classes')).statusCode, 200, 'set up: the login works at once')
    t.equal((await w.call(psych, 'GET', ME)).json().mustEnrolSecondFactor, false)
    t.not(secret, '')

    t.equal((await w.call(admin, 'GET', '/api/v1/school/second-factor')).json().required, true)
    t.equal((await w.call(w.adminB, 'GET', '/api/v1/school/second-factor')).json().required, null, 'school B still follows the deployment')
    t.equal((await w.call(admin, 'PUT', '/api/v1/school/second-factor', { required: null })).statusCode, 200)
    t.equal((await w.call(w.psych, 'PUT', '/api/v1/school/second-factor', { required: false })).statusCode, 403, 'only the admin chooses')
  })
})

t.test('the deployment default: district staff and psychology teachers must set one up, homeroom teachers need not', async (t) => {
  const w = await rosterWorld({ REQUIRE_SECOND_FACTOR: true })
  const refused = await w.call(w.district, 'GET', '/api/v1/district/releases')
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().code, 'second_factor_enrolment_required', 'district staff (no school: the deployment decides)')
  t.equal((await w.call(w.psych, 'GET', '/api/v1/classes')).json().code, 'second_factor_enrolment_required')
  t.equal((await w.call(w.homeroom, 'GET', '/api/v1/classes')).statusCode, 200)
  t.equal((await w.call(w.district, 'GET', ME)).statusCode, 200, 'who am I still answers')
  t.equal((await w.call(w.district, 'POST', '/api/v1/auth/logout')).statusCode, 204, 'and signing out')
  const off = await w.call(w.admin, 'PUT', '/api/v1/school/second-factor', { required: false })
  t.equal(off.json().code, 'second_factor_enrolment_required', 'the admin, bound by it too, sets up their own before anything else')
})
