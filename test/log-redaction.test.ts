import t from './helpers/tap.js'
import { randomInt } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { LightMyRequestResponse } from 'fastify'
import { buildTestApp, createSchool, createUser, injectAs, login, rid, TEST_PASSWORD } from './helpers/app.js'

/** Canary values: unique per run, so finding one in the logs can only mean it leaked. */
function canaries() {
  return {
    password: `CanaryPass-${rid()}-9`,
    newPassword: `CanaryNewPass-${rid()}-7`,
    bearer: `CanaryBearer${rid()}${rid()}`,
    cookie: `CanaryCookie${rid()}`,
    refresh: `CanaryRefresh${rid()}${rid()}`,
    name: `金丝雀${rid()}`,
    phone: `139${String(randomInt(10_000_000, 99_999_999))}`,
    bodyName: `王小雀${rid()}`,
    bodyNote: `CanaryNote-${rid()} 学生自述`,
    username: `canary_user_${rid()}`,
    key: `CanaryKey${rid()}`,
  }
}

/** The raw value and the forms it takes in a URL, so an encoded leak is caught too. */
const forms = (v: string) => [...new Set([v, encodeURIComponent(v), encodeURIComponent(v).toLowerCase()])]

type Tap = Parameters<Parameters<typeof t.test>[0]>[0]

function assertClean(t: Tap, logs: string[], values: Record<string, string>) {
  const all = logs.join('')
  for (const [what, v] of Object.entries(values)) {
    for (const f of forms(v)) t.notOk(all.includes(f), `${what} (${f}) not in the logs`)
  }
}

t.test('canary values never reach the logs', async (t) => {
  const { app, database, logs, config } = await buildTestApp(t)
  t.equal(config.LOG_LEVEL, 'info')
  const school = await createSchool(database)
  const u = await createUser(database, school, [{ role: 'psych_teacher' }])
  const c = canaries()
  const responses: LightMyRequestResponse[] = []
  const keep = async (p: Promise<LightMyRequestResponse>) => { const r = await p; responses.push(r); return r }

  // Wrong password in a login body.
  t.equal((await keep(app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: u.username, password: c.password } }))).statusCode, 401)
  // A canary as the username of an unknown account.
  t.equal((await keep(app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: c.username, password: c.password } }))).statusCode, 401)
  // A successful login, then a request with a canary cookie and canary query string.
  const pair = await login(app, u.username)
  const q = `?name=${encodeURIComponent(c.name)}&phone=${c.phone}`
  const meQ = await keep(injectAs(app, pair.accessToken, { method: 'GET', url: `/api/v1/auth/me${q}`, headers: { cookie: `sid=${c.cookie}; other=${c.cookie}` } }))
  t.equal(meQ.statusCode, 200)
  // A canary bearer token (refused) and a canary refresh token (refused, also as a header).
  t.equal((await keep(app.inject({ method: 'GET', url: `/api/v1/auth/me${q}`, headers: { authorization: `Bearer ${c.bearer}`, cookie: `x=${c.cookie}` } }))).statusCode, 401)
  t.equal((await keep(app.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers: { 'x-refresh-token': c.refresh }, payload: { refreshToken: c.refresh } }))).statusCode, 401)
  // Failing validation with canaries as values, as an unknown field and as an unknown key.
  const v1 = await keep(app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: u.username, password: c.password, displayName: c.bodyName, note: c.bodyNote, phone: c.phone } }))
  t.equal(v1.statusCode, 400)
  t.equal(v1.json().code, 'validation_failed')
  const v2 = await keep(app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: { name: c.bodyName }, password: [c.password] } }))
  t.equal(v2.statusCode, 400)
  t.equal(v2.json().code, 'validation_failed')
  const v3 = await keep(app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'x'.repeat(101), password: c.password, [c.key]: c.bodyNote } }))
  t.equal(v3.statusCode, 400)
  // A body that is not JSON at all: the parser's message quotes the body.
  const v4 = await keep(app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: `{"password": ${c.password}, "name": "${c.bodyName}"` }))
  t.equal(v4.statusCode, 400)
  // Password change: weak canary new password, then wrong canary current password.
  const weak = await keep(injectAs(app, pair.accessToken, { method: 'POST', url: '/api/v1/auth/password', payload: { currentPassword: TEST_PASSWORD, newPassword: 'abc' } }))
  t.equal(weak.json().code, 'weak_password')
  const wrong = await keep(injectAs(app, pair.accessToken, { method: 'POST', url: '/api/v1/auth/password', payload: { currentPassword: c.password, newPassword: c.newPassword } }))
  t.equal(wrong.json().code, 'wrong_password')
  // A canary in a 404 path's query string.
  t.equal((await keep(app.inject({ method: 'GET', url: `/api/v1/no-such-route/search${q}` }))).statusCode, 404)

  t.test('validation error bodies do not echo submitted values', async (t) => {
    for (const r of [v1, v2, v3, v4, weak, wrong]) {
      // The name of an unknown key is echoed on purpose (400 names the refused field); values never are.
      for (const v of [c.password, c.newPassword, c.bodyName, c.bodyNote, c.phone, u.username]) {
        t.notOk(r.body.includes(v), `${r.json().code}: body does not echo ${v}`)
      }
    }
  })

  t.test('logs were written, and hold none of the canaries', async (t) => {
    const lines = logs.flatMap((l) => l.split('\n')).filter(Boolean)
    const parsed = lines.map((l) => JSON.parse(l) as { msg?: string; reqId?: string; req?: { url?: string } })
    const completed = parsed.filter((l) => l.msg === 'request completed')
    t.ok(completed.length >= responses.length, `a completed line per request (${completed.length} ≥ ${responses.length})`)
    t.ok(parsed.some((l) => l.msg === 'incoming request' && l.req?.url === '/api/v1/auth/me'), 'incoming lines carry the path')
    for (const r of responses) {
      t.ok(parsed.some((l) => l.reqId === r.headers['x-request-id']), `request ${r.headers['x-request-id']} was logged`)
    }
    t.notOk(parsed.some((l) => l.req?.url?.includes('?')), 'no query strings in logged urls')
    assertClean(t, logs, c)
    t.notOk(logs.join('').includes(pair.accessToken), 'the real access token is not logged')
    t.notOk(logs.join('').includes(pair.refreshToken), 'the real refresh token is not logged')
    t.notOk(logs.join('').includes(TEST_PASSWORD), 'the real password is not logged')
  })
})

t.test('a failing query logs no parameter values', async (t) => {
  const { app, database, logs } = await buildTestApp(t)
  const c = canaries()
  await database.db.execute(sql`alter table users rename to users_gone`)
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: c.username, password: c.password } })
  t.equal(res.statusCode, 500)
  const errorLines = logs.filter((l) => l.includes('"level":50'))
  t.equal(errorLines.length, 1, 'the failure was logged once')
  t.match(errorLines[0], res.json().requestId, 'under the request id')
  const err = (JSON.parse(errorLines[0]!) as { err: { sqlState?: string; query?: string; stack?: string } }).err
  t.equal(err.sqlState, '42P01', 'with the SQLSTATE, so operators can still tell what failed')
  t.match(err.query, /from "users" where .* = \$1/, 'with the statement text, placeholders only')
  t.match(err.stack, /^\s+at /, 'with the stack frames')
  t.notMatch(err.stack, /params:/, 'the stack lost its message line')
  assertClean(t, logs, { username: c.username, password: c.password })
})
