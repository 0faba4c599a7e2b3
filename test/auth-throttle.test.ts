import t from './helpers/tap.js'
import { eq, sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { users } from '../db/schema/index.js'
import { queryRows } from '../src/db/database.js'
import { verifyAuditChain } from '../src/audit/audit.js'
import { addressKey, LoginThrottle } from '../src/modules/auth/throttle.js'
import { usernameHasher } from '../src/modules/auth/service.js'
import { buildTestApp, createSchool, createUser, rid, TEST_PASSWORD } from './helpers/app.js'

const LOGIN = '/api/v1/auth/login'
const tryFrom = (app: FastifyInstance, remoteAddress: string, username: string, password: string) =>
  app.inject({ method: 'POST', url: LOGIN, remoteAddress, payload: { username, password } })
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms))

t.test('throttle (fake clock): growing waits per pair, capped; refusals not counted; forgotten after the window', async (t) => {
  let now = 1_000_000
  const th = new LoginThrottle({ freeFails: 3, addressAccounts: 10, maxDelayMs: 16_000, windowMs: 3_600_000, now: () => now })
  for (let i = 0; i < 3; i++) t.same(th.attempt('li', '192.0.2.1'), { ok: true }, `free failure ${i + 1}`)
  const waits: number[] = []
  for (let k = 0; k < 7; k++) {
    const refused = th.attempt('li', '192.0.2.1')
    t.equal(refused.ok, false)
    if (refused.ok) return
    waits.push(refused.retryAfterS)
    // Asking again early changes nothing: refusals are not counted.
    const again = th.attempt('li', '192.0.2.1')
    t.same(again.ok ? -1 : again.retryAfterS, refused.retryAfterS, 'retrying early does not lengthen the wait')
    now += refused.retryAfterS * 1000
    t.same(th.attempt('li', '192.0.2.1'), { ok: true }, 'allowed once the wait is over (and fails again)')
  }
  t.same(waits, [1, 2, 4, 8, 16, 16, 16], 'doubling, capped at the maximum')
  t.same(th.attempt('LI', '192.0.2.2'), { ok: true }, 'the same account from another address is not slowed')
  now += 3_600_001
  t.same(th.attempt('li', '192.0.2.1'), { ok: true }, 'forgotten an hour after the last failure')
  th.succeed('li', '192.0.2.1')
  for (let i = 0; i < 3; i++) th.attempt('li', '192.0.2.1')
  t.equal(th.attempt('li', '192.0.2.1').ok, false, 'a success started the count afresh (3 free, then a wait)')
})

t.test('throttle (fake clock): a burst of parallel guesses is counted before any password is checked', async (t) => {
  const th = new LoginThrottle({ freeFails: 5, addressAccounts: 10, maxDelayMs: 300_000, windowMs: 3_600_000, now: () => 0 })
  const verdicts = Array.from({ length: 50 }, () => th.attempt('zhang', '192.0.2.9'))
  t.equal(verdicts.filter((v) => v.ok).length, 5, 'only the free attempts go through')
  t.equal(verdicts.filter((v) => !v.ok && v.report).length, 1, 'one refusal of the run is reported for the audit')
})

t.test('throttle (fake clock): an address is slowed over distinct accounts, not over successes', async (t) => {
  let now = 0
  const th = new LoginThrottle({ freeFails: 5, addressAccounts: 4, maxDelayMs: 300_000, windowMs: 3_600_000, now: () => now })
  const nat = '198.51.100.1'
  for (let i = 0; i < 200; i++) {
    t.equal(th.attempt(`teacher${i}`, nat).ok, true)
    th.succeed(`teacher${i}`, nat)
  }
  for (let i = 0; i < 4; i++) t.equal(th.attempt(`spray${i}`, nat).ok, true, `spray ${i + 1}`)
  const r = th.attempt('newcomer', nat)
  t.same(r, { ok: false, retryAfterS: 1, report: true })
  t.equal(th.attempt('teacher7', nat).ok, true, 'an account known at this address is not slowed')
  th.succeed('teacher7', nat)
  t.equal(th.attempt('newcomer', '198.51.100.2').ok, true, 'another address is not slowed')
  now += 1000
  t.equal(th.attempt('spray4', nat).ok, true)
  const r2 = th.attempt('spray5', nat)
  t.same(r2.ok ? 0 : r2.retryAfterS, 2, 'one more sprayed account doubles the wait')
  now += 1500
  t.equal(th.attempt('teacher8', nat).ok, true)
  th.succeed('teacher8', nat)
  now += 500
  t.equal(th.attempt('spray5', nat).ok, true, "a colleague's sign-in did not push the address's wait forward")
})

t.test('IPv6 addresses are counted per /64; IPv4-mapped addresses as IPv4', async (t) => {
  t.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64')
  t.equal(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64')
  t.equal(addressKey('2001:0db8:0001:0002::9'), '2001:db8:1:2::/64')
  t.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64')
  t.equal(addressKey('::1'), '0:0:0:0::/64')
  t.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7')
  t.equal(addressKey('192.0.2.7'), '192.0.2.7')
  const th = new LoginThrottle({ freeFails: 2, addressAccounts: 10, maxDelayMs: 300_000, windowMs: 3_600_000, now: () => 0 })
  th.attempt('wu', '2001:db8:1:2::a')
  th.attempt('wu', '2001:db8:1:2::b')
  t.equal(th.attempt('wu', '2001:db8:1:2::c').ok, false, 'fresh addresses of the same /64 share the counter')
  t.equal(th.attempt('wu', '2001:db8:1:3::a').ok, true, 'another /64 does not')
})

t.test('sign-in over HTTP', async (t) => {
  // The production rate limit (600 a minute per address) stays on: it must not lock a school out either.
  const { app, database, config } = await buildTestApp(t, { RATE_LIMIT_PER_MINUTE: 600 })
  const school = await createSchool(database)

  t.test("an attacker's 50 failures from one address do not stop the user signing in from another", async (t) => {
    const u = await createUser(database, school, [{ role: 'psych_teacher' }])
    const attacker = '203.0.113.66'
    const codes = new Map<number, number>()
    for (let i = 0; i < 50; i++) {
      const r = await tryFrom(app, attacker, u.username, `Guess-password-${i}`)
      codes.set(r.statusCode, (codes.get(r.statusCode) ?? 0) + 1)
    }
    // Five free guesses, then 1 s, 2 s … between guesses: on a slow machine the loop may outlast a wait or two.
    const guesses = codes.get(401) ?? 0
    t.ok(guesses >= config.LOGIN_FREE_FAILS && guesses <= config.LOGIN_FREE_FAILS + 3, `the attacker got ${guesses} guesses`)
    t.equal(guesses + (codes.get(429) ?? 0), 50, 'the rest waited (429)')
    const real = await tryFrom(app, '198.51.100.23', u.username, TEST_PASSWORD)
    t.equal(real.statusCode, 200, 'the teacher signs in from the school')
    t.equal(real.json().user.id, u.id)
  })

  t.test('100 colleagues behind one address each sign in (30 after a typo) and nobody is locked', async (t) => {
    const nat = '192.0.2.200'
    const staff = []
    for (let i = 0; i < 100; i++) staff.push(await createUser(database, school, [{ role: 'mentor' }]))
    const statuses: number[] = []
    for (const [i, u] of staff.entries()) {
      if (i % 10 < 3) t.equal((await tryFrom(app, nat, u.username, 'Typo-in-password-1')).statusCode, 401)
      statuses.push((await tryFrom(app, nat, u.username, TEST_PASSWORD)).statusCode)
    }
    t.equal(statuses.filter((s) => s === 200).length, 100, 'every one of them got in')
  })

  t.test('failures from one pair get 429 with a growing Retry-After', async (t) => {
    const { app: app2, database: db2 } = await buildTestApp(t, { LOGIN_FREE_FAILS: 1 })
    const u = await createUser(db2, await createSchool(db2), [{ role: 'mentor' }])
    const ip = '203.0.113.9'
    const seen: string[] = []
    t.equal((await tryFrom(app2, ip, u.username, 'Wrong-password-0')).statusCode, 401)
    for (let k = 0; k < 3; k++) {
      const r = await tryFrom(app2, ip, u.username, TEST_PASSWORD)
      t.equal(r.statusCode, 429)
      t.equal(r.json().code, 'login_throttled')
      seen.push(String(r.headers['retry-after']))
      if (k < 2) {
        await sleep(Number(r.headers['retry-after']) * 1000 + 50)
        t.equal((await tryFrom(app2, ip, u.username, `Wrong-password-${k + 1}`)).statusCode, 401, 'allowed once the wait is over')
      }
    }
    t.same(seen, ['1', '2', '4'])
    const en = await app2.inject({ method: 'POST', url: LOGIN, remoteAddress: ip, headers: { 'accept-language': 'en' }, payload: { username: u.username, password: TEST_PASSWORD } })
    t.match(en.json().message, /^Too many sign-in attempts; try again in \d s$/)
  })

  t.test('failed sign-ins are audited with a hashed username, a reason and no password', async (t) => {
    const hash = usernameHasher(config.jwtSecret)
    const canaryName = `Canary-Name-${rid()}`
    const canaryPassword = `Canary-Pass-${rid()}`
    const known = await createUser(database, school, [{ role: 'mentor' }])
    const off = await createUser(database, school, [{ role: 'mentor' }])
    await database.db.update(users).set({ status: 'disabled' }).where(eq(users.id, off.id))
    const ip = '203.0.113.150'
    const mark = Number((await queryRows<{ n: string | number }>(database.db, sql`select coalesce(max(seq), 0) as n from audit_log`))[0]!.n)
    const rowsSince = () => queryRows<{ action: string; resource: string; actor_id: string | null; record_ids: string[]; field_groups: string[]; outcome: string; school_id: string | null; request_id: string | null; text: string }>(
      database.db, sql`select action, resource, actor_id, record_ids, field_groups, outcome, school_id, request_id, a::text as text from audit_log a where seq > ${mark} order by seq`)

    const unknown = await tryFrom(app, ip, canaryName, canaryPassword)
    t.equal(unknown.statusCode, 401)
    t.equal((await tryFrom(app, ip, known.username, canaryPassword)).statusCode, 401)
    t.equal((await tryFrom(app, ip, off.username, TEST_PASSWORD)).statusCode, 401)
    const rows = await rowsSince()
    t.equal(rows.length, 3, 'one row per failed sign-in')
    t.same(rows.map((r) => [r.resource, r.action, r.field_groups, r.outcome, r.actor_id]), [
      ['login', 'denied', ['unknown_user'], 'not_found', null],
      ['login', 'denied', ['bad_password'], 'rejected', null],
      ['login', 'denied', ['disabled'], 'denied', null],
    ])
    t.same(rows[0]!.record_ids, [`username:${hash(canaryName)}`], 'an unknown name only as its keyed hash')
    t.equal(rows[0]!.school_id, null)
    t.equal(rows[0]!.request_id, unknown.json().requestId)
    t.same(rows[1]!.record_ids, [`username:${hash(known.username)}`, known.id], 'a known account by id')
    t.equal(rows[1]!.school_id, school.schoolId, "the account's school sees attempts on it")
    t.same(rows[2]!.record_ids, [`username:${hash(off.username)}`, off.id])
    t.match(hash(canaryName), /^[0-9a-f]{32}$/)
    t.not(usernameHasher('another-server-secret-of-32-chars!!')(canaryName), hash(canaryName), 'keyed: another server gives another hash')
    for (const r of rows) {
      t.notMatch(r.text, canaryName, 'no raw username')
      t.notMatch(r.text.toLowerCase(), canaryName.toLowerCase())
      t.notMatch(r.text, canaryPassword, 'no password')
      t.notMatch(r.text, TEST_PASSWORD)
    }

    // The attacker keeps going: the checked failures are rows, the cheap refusals one row per run
    // of refusals (a slow machine may let a further guess through between runs).
    const codes: number[] = []
    for (let i = 0; i < 30; i++) codes.push((await tryFrom(app, ip, known.username, `${canaryPassword}-${i}`)).statusCode)
    const runs = codes.filter((c, i) => c === 429 && codes[i - 1] !== 429).length
    const checked = codes.filter((c) => c === 401).length
    t.ok(codes.filter((c) => c === 429).length >= 20, 'most were refused')
    const after = await rowsSince()
    const reasons = after.slice(3).map((r) => r.field_groups[0])
    t.equal(reasons.filter((x) => x === 'bad_password').length, checked, 'every checked guess is a row')
    t.equal(reasons.filter((x) => x === 'throttled').length, runs, `${codes.length - checked} refusals, ${runs} row(s)`)
    t.equal(after.length, 3 + checked + runs, 'nothing else')
    t.ok(after.every((r) => !r.text.includes(canaryPassword)))
    t.equal((await verifyAuditChain(database.db)).ok, true, 'the chain holds')
  })
})
