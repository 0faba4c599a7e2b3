import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { Secret, TOTP } from 'otpauth'
import { students } from '../../db/schema/index.js'
import { queryRows } from '../../src/db/database.js'
import { rid, TEST_PASSWORD } from '../helpers/app.js'
import { rosterWorld, type Caller } from '../roster/fixtures.js'

const codeOf = (secret: string, offsetS = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: Date.now() + offsetS * 1000 })

/**
 * Step-up: each guarded action is refused with step_up_required once the login's last proof
 * of its factors is older than 15 minutes, and allowed again after POST /auth/step-up. The
 * proof is made old in the database (the check reads it there on every request).
 */
t.test('step-up: the guarded reads need a recent proof of the login’s factors', async (t) => {
  const w = await rosterWorld()
  const { database, admin, psych, district, A } = w
  const db = database.db
  const stale = (who: Caller) => db.execute(sql`update auth_sessions set second_factor_at = now() - interval '16 minutes' where user_id = ${who.id} and revoked_at is null`)

  const student = (await db.insert(students).values({
    schoolId: A.schoolId, classId: A.classIds[0], studentNo: `S${rid()}`, name: `学生${rid()}`, gender: 'F',
  }).returning())[0]!
  const opened = await w.call(psych, 'POST', `/api/v1/students/${student.id}/cases`, { source: 'talk', riskLevel: 'yellow' })
  t.equal(opened.statusCode, 201, opened.body)
  const closedId = opened.json().id as string
  for (const to of ['intervening', 'monitoring', 'closed']) {
    t.equal((await w.call(psych, 'POST', `/api/v1/cases/${closedId}/transition`, { to, reason: '复评稳定' })).statusCode, 200, `to ${to}`)
  }
  const openId = (await w.call(psych, 'POST', `/api/v1/students/${student.id}/cases`, { source: 'talk', riskLevel: 'green' })).json().id as string
  t.ok(openId)
  const release = await w.call(district, 'POST', '/api/v1/district/releases')
  t.equal(release.statusCode, 201, release.body)

  const guarded: Array<[Caller, string, string]> = [
    [district, '/api/v1/district/export.xlsx', 'the district tables'],
    [district, '/api/v1/district/inspection-summary.xlsx?from=2026-09-01&to=2027-01-31', 'the district inspection summary'],
    [admin, '/api/v1/students/export.xlsx', 'the roster export'],
    [admin, '/api/v1/self-check/export.xlsx?schoolYear=2026-2027', 'the self-check workbook'],
    [admin, '/api/v1/self-check/print.html?schoolYear=2026-2027', 'the self-check print page'],
    [admin, '/api/v1/self-check/report.html?schoolYear=2026-2027', 'the self-check report'],
    [admin, '/api/v1/self-check/staffing-survey.xlsx?year=2026', 'the staffing survey'],
    [psych, `/api/v1/students/${student.id}/access-log`, 'who accessed this student'],
    [psych, `/api/v1/cases/${closedId}`, 'a closed case'],
    [psych, `/api/v1/cases/${closedId}/page`, 'a closed case’s page'],
  ]

  t.test('right after a password sign-in (no second factor), every one answers', async (t) => {
    for (const [who, url, what] of guarded) {
      const r = await w.call(who, 'GET', url)
      t.equal(r.statusCode, 200, `${what}: ${r.body.slice(0, 120)}`)
    }
  })

  t.test('15 minutes later, each is refused with step_up_required; an open case is not', async (t) => {
    for (const who of [district, admin, psych]) await stale(who)
    const mark = Number((await queryRows<{ n: string | number }>(db, sql`select coalesce(max(seq), 0) as n from audit_log`))[0]!.n)
    for (const [who, url, what] of guarded) {
      const r = await w.call(who, 'GET', url)
      t.equal(r.statusCode, 403, what)
      t.equal(r.json().code, 'step_up_required', what)
      t.match(r.json().message, /再次验证/, `${what}: said in words`)
    }
    t.equal((await w.call(psych, 'GET', `/api/v1/cases/${openId}`)).statusCode, 200, 'an open case is day-to-day work')
    t.equal((await w.call(psych, 'GET', `/api/v1/cases/${openId}/page`)).statusCode, 200)
    t.equal((await w.call(admin, 'GET', '/api/v1/classes')).statusCode, 200, 'so are the unguarded screens')
    const refusals = await queryRows<{ n: string | number }>(db, sql`select count(*) as n from audit_log where seq > ${mark} and outcome = 'denied'`)
    t.equal(Number(refusals[0]!.n), guarded.length, 'every refusal is audited')
    const leaked = await queryRows(db, sql`select 1 from audit_log where seq > ${mark} and action = 'R' and outcome = 'ok' and resource = 'cases' and ${closedId} = any(record_ids)`)
    t.equal(leaked.length, 0, 'no read of the closed case was recorded (none happened)')
  })

  t.test('after POST /auth/step-up with the password, they answer again', async (t) => {
    const wrong = await w.call(admin, 'POST', '/api/v1/auth/step-up', { password: 'not-the-password-1' })
    t.equal(wrong.statusCode, 400)
    t.equal(wrong.json().code, 'step_up_wrong_password')
    t.equal((await w.call(admin, 'POST', '/api/v1/auth/step-up', {})).statusCode, 400, 'something must be given')
    t.equal((await w.call(admin, 'POST', '/api/v1/auth/step-up', { code: '123456' })).json().code, 'password_required', 'no second factor: the password it is')
    for (const who of [district, admin, psych]) {
      const r = await w.call(who, 'POST', '/api/v1/auth/step-up', { password: TEST_PASSWORD })
      t.equal(r.statusCode, 200, r.body)
      t.equal(r.json().validMinutes, 15)
    }
    for (const [who, url, what] of guarded) {
      t.equal((await w.call(who, 'GET', url)).statusCode, 200, `${what}, on the very next request`)
    }
    const used = await queryRows<{ actor_id: string; field_groups: string[] }>(db, sql`select actor_id, field_groups from audit_log where resource = 'second_factor' and action = 'U' order by seq`)
    t.same(used.map((u) => u.field_groups), [['password', 'step_up'], ['password', 'step_up'], ['password', 'step_up']], 'each step-up is audited')
  })

  t.test('with a second factor, step-up takes the code (not the password), and new recovery codes need it', async (t) => {
    const started = await w.call(psych, 'POST', '/api/v1/auth/second-factor/enrolment')
    const secret = started.json().secret as string
    // Computed once: a later codeOf may fall in the next 30 s step and be a fresh, valid code.
    const confirmCode = codeOf(secret, -30)
    t.equal((await w.call(psych, 'POST', '/api/v1/auth/second-factor/confirm', { code: confirmCode })).statusCode, 200)
    await stale(psych)
    const refused = await w.call(psych, 'POST', '/api/v1/auth/second-factor/recovery-codes')
    t.equal(refused.statusCode, 403)
    t.equal(refused.json().code, 'step_up_required')
    t.equal((await w.call(psych, 'POST', '/api/v1/auth/step-up', { password: TEST_PASSWORD })).json().code, 'second_factor_code_required')
    t.equal((await w.call(psych, 'POST', '/api/v1/auth/step-up', { code: confirmCode })).json().code, 'wrong_second_factor', 'the enrolment’s code is not taken twice')
    t.equal((await w.call(psych, 'GET', `/api/v1/cases/${closedId}`)).statusCode, 403, 'a failed step-up proves nothing')
    const ok = await w.call(psych, 'POST', '/api/v1/auth/step-up', { code: codeOf(secret) })
    t.equal(ok.statusCode, 200, ok.body)
    t.equal((await w.call(psych, 'GET', `/api/v1/cases/${closedId}`)).statusCode, 200)
    const again = await w.call(psych, 'POST', '/api/v1/auth/second-factor/recovery-codes')
    t.equal(again.statusCode, 200)
    t.equal(again.json().recoveryCodes.length, 10, 'ten new codes; the old ones stop working')
  })
})
