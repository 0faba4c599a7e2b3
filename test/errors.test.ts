import t from './helpers/tap.js'
import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { sql } from 'drizzle-orm'
import type { LightMyRequestResponse } from 'fastify'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { freshDatabase } from './helpers/database.js'
import { buildTestApp, rid } from './helpers/app.js'

type Tap = Parameters<Parameters<typeof t.test>[0]>[0]
const CJK = /[\u4e00-\u9fff]/
const SHAPE = ['code', 'message', 'requestId', 'statusCode']

/** The public error shape, and the response header carrying the same request id. */
function checkError(t: Tap, res: LightMyRequestResponse, status: number, code: string, keys = SHAPE) {
  t.equal(res.statusCode, status, `status ${status}`)
  t.match(res.headers['content-type'], /^application\/json/)
  const body = res.json()
  t.same(Object.keys(body).sort(), keys, 'error shape')
  t.equal(body.statusCode, status, 'statusCode in body')
  t.equal(body.code, code, `code ${code}`)
  t.type(body.message, 'string')
  t.ok(body.message.length > 0)
  t.type(body.requestId, 'string')
  t.ok(body.requestId.length >= 8)
  t.equal(res.headers['x-request-id'], body.requestId, 'x-request-id header equals the body requestId')
  return body
}

t.test('error shape, language and request id', async (t) => {
  const { app, config } = await buildTestApp(t)

  t.test('404 unknown route', async (t) => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/no-such-thing-${rid()}` })
    const body = checkError(t, res, 404, 'route_not_found')
    t.match(body.message, CJK, 'zh-CN by default')
    t.equal(body.message, '接口不存在')
    const en = await app.inject({ method: 'GET', url: '/api/v1/nope', headers: { 'accept-language': 'en' } })
    const enBody = checkError(t, en, 404, 'route_not_found')
    t.equal(enBody.message, 'Route not found')
    t.notMatch(enBody.message, CJK)
    const enUs = await app.inject({ method: 'DELETE', url: '/nope', headers: { 'accept-language': 'en-US,en;q=0.9' } })
    t.equal(checkError(t, enUs, 404, 'route_not_found').message, 'Route not found')
    const fr = await app.inject({ method: 'GET', url: '/api/nope', headers: { 'accept-language': 'fr-FR' } })
    t.match(checkError(t, fr, 404, 'route_not_found').message, CJK, 'unsupported language falls back to zh-CN')
  })

  t.test('400 validation: unknown field rejected, no values echoed', async (t) => {
    const secret = `Canary-${rid()}`
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'someone', password: secret, isAdmin: true } })
    const body = checkError(t, res, 400, 'validation_failed', [...SHAPE, 'details'].sort())
    t.match(body.message, CJK)
    t.ok(Array.isArray(body.details) && body.details.length > 0, 'details name the problem')
    // The unknown key's name is echoed (it is the client's own field name, never a value).
    t.same(body.details[0], { field: 'body', issue: 'unrecognized_keys', keys: ['isAdmin'] })
    t.notMatch(res.body, secret, 'submitted value not echoed')
    t.notMatch(res.body, 'someone')

    const en = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'accept-language': 'en' }, payload: { username: 42, password: secret } })
    const enBody = checkError(t, en, 400, 'validation_failed', [...SHAPE, 'details'].sort())
    t.equal(enBody.message, 'The request data is invalid: Username (missing or of the wrong type)', 'the field named in words')
    t.same(enBody.details, [{ field: 'body.username', issue: 'invalid_type' }])
    t.notMatch(en.body, secret)

    const missing = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: {} })
    checkError(t, missing, 400, 'validation_failed', [...SHAPE, 'details'].sort())

    const badJson = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: `{"username": ${secret}` })
    checkError(t, badJson, 400, 'bad_request')
    t.notMatch(badJson.body, secret, 'the parser error text (which quotes the body) is not echoed')
  })

  t.test('401 without a token, in both languages', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/auth/me' })
    t.equal(checkError(t, res, 401, 'unauthorized').message, '请先登录')
    const en = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { 'accept-language': 'en' } })
    t.equal(checkError(t, en, 401, 'unauthorized').message, 'Authentication required')
    const bad = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: 'Bearer x.y.z' } })
    t.match(checkError(t, bad, 401, 'invalid_token').message, CJK)
  })

  t.test('body over BODY_LIMIT_BYTES → 413 payload_too_large', async (t) => {
    const limit = config.BODY_LIMIT_BYTES
    const over = JSON.stringify({ username: 'a', password: 'x'.repeat(limit) })
    t.ok(Buffer.byteLength(over) > limit)
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: over })
    const body = checkError(t, res, 413, 'payload_too_large')
    t.match(body.message, CJK)
    t.ok(res.body.length < 500, 'the body is not echoed')
    // Just under the limit the body is read and validated instead.
    const under = JSON.stringify({ username: 'a', password: 'x'.repeat(limit - 100) })
    t.ok(Buffer.byteLength(under) <= limit)
    const ok = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: under })
    checkError(t, ok, 400, 'validation_failed', [...SHAPE, 'details'].sort())
  })

  t.test('a client request id is kept on a request with a token; a malformed one is replaced', async (t) => {
    const given = `client-${rid()}-req`
    const res = await app.inject({ method: 'GET', url: '/api/nope', headers: { 'x-request-id': given, authorization: 'Bearer some.token.value' } })
    t.equal(checkError(t, res, 404, 'route_not_found').requestId, given)
    const anon = await app.inject({ method: 'GET', url: '/api/nope', headers: { 'x-request-id': given } })
    t.not(checkError(t, anon, 404, 'route_not_found').requestId, given, 'not without a token')
    const bad = await app.inject({ method: 'GET', url: '/api/nope', headers: { 'x-request-id': 'a b<script>', authorization: 'Bearer some.token.value' } })
    t.not(checkError(t, bad, 404, 'route_not_found').requestId, 'a b<script>')
    const ok = await app.inject({ method: 'GET', url: '/healthz' })
    t.equal(ok.statusCode, 200)
    t.ok(ok.headers['x-request-id'], 'successful answers carry the header too')
  })
})

t.test('500 from a failing database: code internal, nothing internal in the body', async (t) => {
  const { app, database, logs } = await buildTestApp(t)
  // Break the table the login query reads: the query itself fails inside the service.
  await database.db.execute(sql`alter table users rename to users_gone`)
  const username = `canary_${rid()}`
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: 'Whatever-123456' } })
  const body = checkError(t, res, 500, 'internal')
  t.equal(body.message, '服务器内部错误')
  for (const leak of ['stack', 'Failed query', 'users', 'select', 'relation', username, 'node_modules', '.ts:']) {
    t.notMatch(res.body, leak, `body does not contain ${leak}`)
  }
  const en = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'accept-language': 'en' }, payload: { username, password: 'x' } })
  t.equal(checkError(t, en, 500, 'internal').message, 'Internal server error')
  const line = logs.find((l) => l.includes('"level":50'))
  t.ok(line, 'the failure is logged for operators')
  t.match(line, body.requestId, 'under the request id')
})

t.test('500 from an unexpected throw in a handler', async (t) => {
  const { database, drop } = await freshDatabase()
  const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info' }), jwtSecret: randomBytes(32).toString('hex') }
  const logs: string[] = []
  const app = await buildApp({ config, database, logStream: new Writable({ write(c, _e, cb) { logs.push(String(c)); cb() } }) })
  const secret = `internal-detail-${rid()}`
  // A throwaway route outside /api (the route guard only covers /api).
  app.get('/test-only/boom', async () => { throw new TypeError(`cannot handle ${secret}`) })
  app.get('/test-only/reject', async () => Promise.reject(Object.assign(new Error(secret), { statusCode: 503, code: 'EBOOM' })))
  await app.ready()
  t.teardown(async () => { await app.close(); await drop() })

  const res = await app.inject({ method: 'GET', url: '/test-only/boom' })
  const body = checkError(t, res, 500, 'internal')
  t.equal(body.message, '服务器内部错误')
  t.notMatch(res.body, secret)
  t.notMatch(res.body, 'TypeError')
  t.notMatch(res.body, 'stack')
  t.notMatch(res.body, 'errors.test')

  // An error carrying its own 5xx status still answers with nothing internal.
  const rej = await app.inject({ method: 'GET', url: '/test-only/reject', headers: { 'accept-language': 'en' } })
  t.ok(rej.statusCode >= 500, '5xx')
  const rb = rej.json()
  t.notMatch(rej.body, secret)
  t.notMatch(rej.body, 'EBOOM')
  t.equal(rb.message, 'Internal server error')
  t.equal(rej.headers['x-request-id'], rb.requestId)
  const line = logs.find((l) => l.includes('"level":50') && l.includes(body.requestId))
  t.ok(line, 'logged for operators')
  t.equal((JSON.parse(line!) as { err: { kind: string } }).err.kind, 'TypeError', 'with the error kind')
})
