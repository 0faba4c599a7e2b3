import t from './helpers/tap.js'
import { randomBytes, randomUUID } from 'node:crypto'
import { connect } from 'node:net'
import { Writable } from 'node:stream'
import { sql } from 'drizzle-orm'
import type { LightMyRequestResponse } from 'fastify'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { queryRows } from '../src/db/database.js'
import { freshDatabase } from './helpers/database.js'
import { buildTestApp, injectAs } from './helpers/app.js'
import { buildWorld } from './access/world.js'

type Tap = Parameters<Parameters<typeof t.test>[0]>[0]
const SHAPE = 'code,message,requestId,statusCode'

function checkShape(t: Tap, res: { statusCode: number; body: string; headers: Record<string, unknown> }, status: number, code: string) {
  t.equal(res.statusCode, status, `status ${status}`)
  const body = JSON.parse(res.body) as Record<string, unknown>
  t.equal(Object.keys(body).filter((k) => k !== 'details').sort().join(','), SHAPE, 'documented error shape')
  t.equal(body.statusCode, status)
  t.equal(body.code, code, `code ${code}`)
  t.ok(typeof body.message === 'string' && body.message.length > 0, 'a message')
  t.equal(res.headers['x-request-id'], body.requestId, 'x-request-id equals the body requestId')
  return body as { details?: Array<{ field: string; issue: string }> } & Record<string, unknown>
}

const auditRow = async (db: Parameters<typeof queryRows>[0], requestId: string) =>
  (await queryRows<{ student_ids: string[] | string; outcome: string; purpose: string | null; school_id: string | null; actor_id: string }>(db,
    sql`select student_ids, outcome, purpose, school_id, actor_id from audit_log where request_id = ${requestId} order by seq`))

t.test('request-path hardening', async (t) => {
  const { app, database } = await buildTestApp(t)
  const world = await buildWorld(app, database)
  const { psych_teacher: psych, district_staff: district, peer_monitor: monitor } = world.users
  const student = world.student.ownClass

  t.test('a client X-Request-Id is adopted only with a bearer token and never on a public route', async (t) => {
    const given = `client-${randomBytes(6).toString('hex')}`
    // Public sign-in, no token: the id is the server's own.
    const anon = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'x-request-id': given }, payload: { username: 'nobody', password: 'Whatever-123456' } })
    t.not(anon.headers['x-request-id'], given, 'not adopted on an anonymous request')
    t.not(anon.json().requestId, given)
    // A token on a public route does not make the client id acceptable there.
    const box = await app.inject({ method: 'GET', url: '/api/v1/letterbox/no-such-box', headers: { 'x-request-id': given, authorization: `Bearer ${psych.token}` } })
    t.not(box.headers['x-request-id'], given, 'not adopted on a public route even with a token')
    // No token on an unknown path either.
    const nope = await app.inject({ method: 'GET', url: '/api/nope', headers: { 'x-request-id': given } })
    t.not(nope.headers['x-request-id'], given, 'not adopted without a token')
    // An authenticated request keeps it (its sender is known to the server anyway).
    const me = await injectAs(app, psych.token, { method: 'GET', url: '/api/v1/auth/me', headers: { 'x-request-id': given } })
    t.equal(me.statusCode, 200)
    t.equal(me.headers['x-request-id'], given, 'adopted on an authenticated request')
  })

  t.test('refused attempts on a student carry its id and appear in "who accessed this student"', async (t) => {
    const byDistrict = await injectAs(app, district.token, { method: 'GET', url: `/api/v1/students/${student.id}/archive` })
    checkShape(t, byDistrict, 404, 'not_found')
    const byMonitor = await injectAs(app, monitor.token, { method: 'GET', url: `/api/v1/students/${student.id}/archive` })
    checkShape(t, byMonitor, 404, 'not_found')
    for (const [who, res] of [['district', byDistrict], ['monitor', byMonitor]] as const) {
      const rows = await auditRow(database.db, res.json().requestId)
      t.equal(rows.length, 1, `${who}: one audit row`)
      const ids = rows[0]!.student_ids
      t.same(Array.isArray(ids) ? ids : String(ids).replace(/[{}]/g, '').split(','), [student.id], `${who}: the row names the student`)
      t.equal(rows[0]!.outcome, 'denied')
      t.equal(rows[0]!.school_id, student.schoolId, `${who}: filed under the student's school`)
    }
    // A student named in the body of a create the caller may not make counts too.
    const bodyNamed = await injectAs(app, district.token, { method: 'POST', url: '/api/v1/talks/logs', payload: { studentId: student.id } })
    t.ok([403, 404].includes(bodyNamed.statusCode), 'refused')
    const bodyRows = await auditRow(database.db, bodyNamed.json().requestId)
    t.match(JSON.stringify(bodyRows[0]?.student_ids), student.id, 'a studentId in the body is recorded')

    const log = await injectAs(app, psych.token, { method: 'GET', url: `/api/v1/students/${student.id}/access-log?limit=50` })
    t.equal(log.statusCode, 200)
    const items = log.json().items as Array<{ actorId: string; outcome: string }>
    t.ok(items.some((i) => i.actorId === district.id && i.outcome === 'denied'), 'the district attempt is listed')
    t.ok(items.some((i) => i.actorId === monitor.id && i.outcome === 'denied'), 'the monitor attempt is listed')
  })

  t.test('Cache-Control: no-store on API answers, errors and authenticated answers', async (t) => {
    const me = await injectAs(app, psych.token, { method: 'GET', url: '/api/v1/auth/me' })
    t.equal(me.headers['cache-control'], 'no-store', 'authenticated answer')
    const list = await injectAs(app, psych.token, { method: 'GET', url: '/api/v1/students' })
    t.equal(list.statusCode, 200)
    t.equal(list.headers['cache-control'], 'no-store', 'a list of students')
    const archive = await injectAs(app, psych.token, { method: 'GET', url: `/api/v1/students/${student.id}/archive` })
    t.equal(archive.statusCode, 200)
    t.equal(archive.headers['cache-control'], 'no-store', 'an archive')
    const bad = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: {} })
    t.equal(bad.headers['cache-control'], 'no-store', 'an error answer')
    const missing = await app.inject({ method: 'GET', url: '/nope.txt' })
    t.equal(missing.headers['cache-control'], 'no-store', 'a 404 outside the API')
  })

  t.test('control characters answer 400 naming the field, never 500', async (t) => {
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'a\u0000b', password: 'Whatever-123456' } })
    t.same(checkShape(t, login, 400, 'validation_failed').details, [{ field: 'body.username', issue: 'invalid_characters' }])
    const box = await app.inject({ method: 'POST', url: '/api/v1/letterbox/no-such-box/letters', payload: { body: 'hello\u0000there' } })
    t.same(checkShape(t, box, 400, 'validation_failed').details, [{ field: 'body.body', issue: 'invalid_characters' }])
    const ctl = await injectAs(app, psych.token, { method: 'POST', url: `/api/v1/students/${student.id}/cases`, payload: { source: 'other', riskLevel: 'yellow', summary: 'ok\u001b[31m' } })
    t.same(checkShape(t, ctl, 400, 'validation_failed').details, [{ field: 'body.summary', issue: 'invalid_characters' }])
    const query = await injectAs(app, psych.token, { method: 'GET', url: '/api/v1/students?q=a%00b' })
    t.same(checkShape(t, query, 400, 'validation_failed').details, [{ field: 'querystring.q', issue: 'invalid_characters' }])
    const param = await injectAs(app, psych.token, { method: 'GET', url: '/api/v1/students/a%00b' })
    t.equal(param.statusCode, 400, 'a NUL in a path parameter')
    // Tab, line feed and carriage return stay allowed in free text.
    const text = await injectAs(app, psych.token, { method: 'POST', url: `/api/v1/students/${student.id}/cases`, payload: { source: 'other', riskLevel: 'yellow', summary: '第一行\r\n\t第二行' } })
    t.not(text.statusCode, 500)
    t.not(text.json().details?.[0]?.issue, 'invalid_characters', 'tab and newlines are not control characters here')
  })

  t.test('a malformed Host header answers 400', async (t) => {
    for (const host of ['bad host', 'a/b', 'x<y>', 'a@b', '[::1', 'a:99999999']) {
      const res = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { host, authorization: `Bearer ${psych.token}` } })
      checkShape(t, res, 400, 'invalid_host')
    }
    const ok = await app.inject({ method: 'GET', url: '/healthz', headers: { host: 'xinan.example.edu.cn:8443' } })
    t.equal(ok.statusCode, 200, 'a normal host name with a port')
    const v6 = await app.inject({ method: 'GET', url: '/healthz', headers: { host: '[::1]:3000' } })
    t.equal(v6.statusCode, 200, 'an IPv6 literal')
  })

  t.test('dates outside 1900–2200 or not on the calendar answer 400 naming the field', async (t) => {
    for (const d of ['0000-01-01', '2026-02-30', '1899-12-31', '2201-01-01', '9999-12-31']) {
      const q = await injectAs(app, psych.token, { method: 'GET', url: `/api/v1/parent-contacts?from=${d}` })
      const body = checkShape(t, q, 400, 'validation_failed')
      t.equal(body.details?.[0]?.field, 'querystring.from', `query ${d}`)
      const b = await injectAs(app, psych.token, { method: 'POST', url: `/api/v1/students/${student.id}/parent-contacts`, payload: { contactDate: d } })
      t.ok(checkShape(t, b, 400, 'validation_failed').details?.some((x) => x.field === 'body.contactDate'), `body ${d}`)
    }
    const ok = await injectAs(app, psych.token, { method: 'GET', url: '/api/v1/parent-contacts?from=2026-02-28' })
    t.equal(ok.statusCode, 200, 'a real date passes')
  })

  t.test('the permission check runs before body validation', async (t) => {
    // A schema-violating body from a role without access: the same answer as a valid one.
    const item = await injectAs(app, district.token, { method: 'POST', url: `/api/v1/students/${student.id}/cases`, payload: { bogus: 1 } })
    checkShape(t, item, 404, 'not_found')
    t.notMatch(item.body, 'bogus', 'no schema details')
    const coll = await injectAs(app, monitor.token, { method: 'POST', url: '/api/v1/students', payload: { nope: true } })
    checkShape(t, coll, 403, 'forbidden')
    const query = await injectAs(app, district.token, { method: 'GET', url: '/api/v1/students?limit=abc' })
    checkShape(t, query, 403, 'forbidden')
  })

  t.test('X-Purpose is stored trimmed, printable and at most 64 characters', async (t) => {
    const cases: Array<[string, string | null]> = [
      [encodeURIComponent('个案复查\u0000\u202e反转') + '%0A', '个案复查 反转'],
      ['%00%01', null],
      [encodeURIComponent('  ' + '长'.repeat(100) + '  '), '长'.repeat(64)],
      ['<script>x</script>', '<script>x</script>'],
    ]
    for (const [header, stored] of cases) {
      const res = await injectAs(app, psych.token, { method: 'GET', url: `/api/v1/students/${student.id}/archive`, headers: { 'x-purpose': header } })
      t.equal(res.statusCode, 200, 'the read is answered')
      const rows = await auditRow(database.db, res.json().requestId ?? res.headers['x-request-id'])
      const row = rows.length ? rows : await auditRow(database.db, String(res.headers['x-request-id']))
      t.equal(row[0]?.purpose ?? null, stored, `purpose ${JSON.stringify(header).slice(0, 30)}`)
    }
    // Refused attempts store the same cleaned value (their audit row is written before validation).
    const refused = await injectAs(app, district.token, { method: 'GET', url: `/api/v1/students/${student.id}/archive`, headers: { 'x-purpose': '%00x' } })
    t.equal(refused.statusCode, 404)
    t.equal((await auditRow(database.db, refused.json().requestId))[0]?.purpose, 'x')
  })

  t.test('414 for an over-long path parameter, in the error shape', async (t) => {
    // (A GET falls through to the web client's catch-all route and answers 404 instead.)
    const res = await injectAs(app, psych.token, { method: 'PATCH', url: `/api/v1/cases/${'x'.repeat(300)}`, payload: {} })
    checkShape(t, res, 414, 'uri_too_long')
    t.equal(res.headers['cache-control'], 'no-store')
    const esc = await app.inject({ method: 'GET', url: '/api/v1/cases/%E0%A4%A', headers: { 'accept-language': 'en' } })
    t.equal(checkShape(t, esc, 400, 'bad_request').message, 'Bad request')
  })
})

t.test('/docs is not served in production unless DOCS_PUBLIC=true', async (t) => {
  for (const [overrides, served] of [
    [{ NODE_ENV: 'production' as const }, false],
    [{ NODE_ENV: 'production' as const, DOCS_PUBLIC: true }, true],
    [{ NODE_ENV: 'development' as const }, true],
  ] as const) {
    const { app } = await buildTestApp(t, overrides)
    for (const url of ['/docs', '/docs/json', '/docs/yaml']) {
      const res = await app.inject({ method: 'GET', url })
      if (served) t.ok(res.statusCode < 400, `${url} served with ${JSON.stringify(overrides)}`)
      else t.equal(res.statusCode, 404, `${url} not served with ${JSON.stringify(overrides)}`)
    }
    await app.close()
  }
})

t.test('431 from the HTTP parser is in the error shape', async (t) => {
  const { app } = await buildTestApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`)
    })
    let data = ''
    socket.on('data', (c) => { data += String(c) })
    socket.on('end', () => resolve(data))
    socket.on('close', () => resolve(data))
    socket.on('error', (e) => (data ? resolve(data) : reject(e)))
  })
  const [head, body] = raw.split('\r\n\r\n') as [string, string]
  t.match(head, /^HTTP\/1\.1 431 /, 'status 431')
  t.match(head, /content-type: application\/json/i)
  const headers = Object.fromEntries(head.split('\r\n').slice(1).map((l) => [l.split(':')[0]!.toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
  checkShape(t, { statusCode: 431, body, headers }, 431, 'headers_too_large')
})

t.test('PostgreSQL errors caused by input values answer 400, not 500', async (t) => {
  const { database, drop } = await freshDatabase()
  const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info' }), jwtSecret: randomBytes(32).toString('hex') }
  const app = await buildApp({ config, database, logStream: new Writable({ write(_c, _e, cb) { cb() } }) })
  // Throwaway routes outside /api (the route guard covers /api only) that hand PostgreSQL a bad value.
  const values: Record<string, () => Promise<unknown>> = {
    date: () => database.db.execute(sql`select ${'0000-01-01'}::date`),
    impossible: () => database.db.execute(sql`select ${'2026-02-30'}::date`),
    nul: () => database.db.execute(sql`select ${'{"a":"\\u0000"}'}::jsonb ->> 'a'`),
    range: () => database.db.execute(sql`select ${'99999999999'}::int`),
    uuid: () => database.db.execute(sql`select ${'not-a-uuid'}::uuid`),
  }
  for (const [name, run] of Object.entries(values)) app.get(`/test-only/${name}`, async () => { await run(); return { ok: true } })
  await app.ready()
  t.teardown(async () => { await app.close(); await drop() })
  const issues: Record<string, string> = { date: 'invalid_date', impossible: 'invalid_date', nul: 'invalid_characters', range: 'out_of_range', uuid: 'invalid_format' }
  for (const name of Object.keys(values)) {
    const res: LightMyRequestResponse = await app.inject({ method: 'GET', url: `/test-only/${name}` })
    const body = checkShape(t, res, 400, 'validation_failed')
    t.equal(body.details?.[0]?.issue, issues[name], `${name}: ${issues[name]}`)
  }
  t.ok(randomUUID())
})
