import t from './helpers/tap.js'
import fc from 'fast-check'
import { randomUUID } from 'node:crypto'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import type { Action } from '../src/access/define.js'
import { sharedTestApp, createUser, login } from './helpers/app.js'
import { catalogue } from './access/cases/index.js'
import { actorOf } from './access/expect.js'
import { buildWorld, MatrixRoles, type WorldUser } from './access/world.js'
import { testsOf } from './helpers/once.js'

const test = testsOf(t, 'generated')

/**
 * Schema-driven fuzzing: every route × method the app registered, with the request fields
 * its OpenAPI description (generated from the zod schemas) names, is sent wrong types, nulls,
 * control characters, huge strings, impossible dates, malformed JSON and wrong content types.
 * Not one answer may be a 5xx, and every refusal is in the documented error shape.
 *
 * Bounded for CI: a fixed seed, a fixed set of bad values and a request budget.
 */

const SEED = 20261205
/** A cap in case routes multiply; today's routes need about half of it. */
const BUDGET = 5000

interface JsonSchema { type?: string | string[]; format?: string; pattern?: string; anyOf?: JsonSchema[]; items?: JsonSchema; properties?: Record<string, JsonSchema> }
interface OpenApiOp {
  parameters?: Array<{ in: string; name: string; schema?: JsonSchema }>
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> }
}

/** What the schema says a field is; dates are strings with a YYYY-MM-DD pattern or a date format. */
function kindOf(s: JsonSchema | undefined, name: string): 'date' | 'string' | 'number' | 'other' {
  if (!s) return /date|from|to|since|until/i.test(name) ? 'date' : 'other'
  const alt = s.anyOf?.find((x) => x.type !== 'null')
  if (alt) return kindOf(alt, name)
  if (s.format === 'date' || s.format === 'date-time' || (s.pattern ?? '').includes('\\d{4}') || /date$|^from$|^to$/i.test(name)) return 'date'
  const type = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type
  if (type === 'string') return 'string'
  if (type === 'number' || type === 'integer') return 'number'
  return 'other'
}

const BAD_DATES = ['0000-01-01', '2026-02-30', '1899-12-31', '9999-12-31', '2026-13-01', '-0001-01-01']
/** Sent to each body field by kind; one value of SPREAD follows, in turn over all fields. */
const BODY: Record<string, unknown[]> = {
  date: [null, 20260101, '0000-01-01', '2026-02-30', 'a\u0000b'],
  string: [null, 12345, 'a\u0000b', '\u0001\u001b\u007f'],
  number: [null, 'abc', 1e308, -1],
  other: [null, 'a\u0000b', 12345],
}
const SPREAD: unknown[] = [
  true, [], {}, [null], { a: 1 }, '', ' ', '\u0000', '\u0085\u2028', '\ud800', '𝌆表', '\t\n\r', 'x'.repeat(70_000),
  ...BAD_DATES, '2026-01-01T99:99:99Z', 'NaN', '-1', '1e999', 2 ** 64, "'; drop table students; --",
  '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
]
const QUERY: Record<string, string[]> = {
  date: ['a%00b', '0000-01-01', '2026-02-30'],
  string: ['a%00b', '%01%1F'],
  number: ['a%00b', 'abc', '99999999999999999999'],
  other: ['a%00b', 'abc'],
}
const QUERY_SPREAD = ['%00', '-1', '1e999', '%E0%A4%A', 'x'.repeat(5000), '', '1899-12-31', '9999-12-31', '%0A']
const PATH = ['a%00b', '%E0%A4%A', 'x'.repeat(200)]
const PATH_SPREAD = ['%00', '0000-01-01', 'not-a-uuid', '%F0%9F', '00000000-0000-0000-0000-000000000000', 'x'.repeat(2000)]
const RAW_BODIES = ['[]', 'null', '"\u0000"', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', '\u0000', '1e999']
const CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/xml']

type Tap = Parameters<Parameters<typeof t.test>[0]>[0]

test('fuzz: bad input on every route never answers 5xx, refusals in the error shape', async (t: Tap) => {
  const { app, database } = await sharedTestApp()
  const world = await buildWorld(app, database)
  // Own-account routes (logout, password) run as a throwaway account, so the others keep their tokens.
  const selfUser = await createUser(database, world.schoolA, [{ role: 'psych_teacher' }])
  const selfCaller: WorldUser = { ...selfUser, role: 'psych_teacher', token: (await login(app, selfUser.username)).accessToken }

  const spec = app.swagger() as { paths: Record<string, Record<string, OpenApiOp>> }
  const routes = app.declaredRoutes
  t.ok(routes.length > 50, `${routes.length} routes registered`)

  let sent = 0
  const fivexx: string[] = []
  const badShape: string[] = []
  const byStatus: Record<number, number> = {}

  function check(label: string, res: LightMyRequestResponse) {
    sent++
    byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1
    if (res.statusCode >= 500) fivexx.push(`${label}: ${res.statusCode} ${res.body.slice(0, 160)}`)
    if (res.statusCode < 400) return
    let body: Record<string, unknown> | undefined
    try { body = res.json() } catch { /* checked below */ }
    const keys = body ? Object.keys(body).filter((k) => k !== 'details').sort().join(',') : ''
    if (!body || keys !== 'code,message,requestId,statusCode' || body.statusCode !== res.statusCode
      || typeof body.code !== 'string' || typeof body.message !== 'string' || !body.message || typeof body.requestId !== 'string') {
      badShape.push(`${label}: ${res.statusCode} ${res.body.slice(0, 160)}`)
    }
  }

  async function callerFor(access: (typeof routes)[number]['access']): Promise<WorldUser | null> {
    if ('public' in access) return null
    if (access.resource === 'self') return selfCaller
    // The role that reaches the route (most often the psychology teacher), so input reaches the handler.
    for (const role of ['psych_teacher', 'school_admin', ...MatrixRoles] as const) {
      const u = world.users[role]
      if (app.policies.decide(await actorOf(app, u), access.resource, access.action as Action)) return u
    }
    return world.users.psych_teacher
  }

  const rng = fc.sample(fc.jsonValue({ maxDepth: 2 }), { seed: SEED, numRuns: 400 })
  let rngAt = 0
  let turn = 0
  const pick = <T>(list: T[]): T => list[turn++ % list.length]!
  const paramAt: number[] = []

  for (const route of routes) {
    if (sent >= BUDGET) break
    const key = `${route.method} ${route.url}`
    const method = route.method as InjectOptions['method']
    const caller = await callerFor(route.access)
    const headers = caller ? { authorization: `Bearer ${caller.token}` } : {}
    const op = spec.paths[route.url.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()] ?? {}
    const queryParams = (op.parameters ?? []).filter((p) => p.in === 'query')
    const bodyProps = Object.entries(op.requestBody?.content?.['application/json']?.schema?.properties ?? {})

    // A valid request where the access catalogue has one, so a single bad field is what fails.
    const c = catalogue[key]
    const base = c && caller ? await c.request(world, 'ownClass', caller) : undefined
    const url = base?.url ?? route.url.replace(/:\w+/g, () => randomUUID())
    const [path, qs] = url.split('?') as [string, string | undefined]
    const validBody = base?.payload && typeof base.payload === 'object' && !Array.isArray(base.payload) ? base.payload as Record<string, unknown> : {}
    const send = async (label: string, opts: Omit<InjectOptions, 'method'>) => {
      const res = await app.inject({ method, ...opts, headers: { ...(base?.headers ?? {}), ...headers, ...(opts.headers ?? {}) } })
      check(`${key} ${label}`, res)
    }

    // Path parameters: one at a time, the others as in the valid request.
    const routeSegs = route.url.split('/')
    const pathSegs = path.split('/')
    routeSegs.forEach((seg, at) => {
      if (seg.startsWith(':')) paramAt.push(at)
    })
    for (const at of paramAt.splice(0)) {
      for (const v of [...PATH, pick(PATH_SPREAD)]) {
        const bad = pathSegs.map((s, i) => (i === at ? v : s)).join('/')
        await send(`path ${routeSegs[at]}=${v.slice(0, 12)}`, { url: bad, ...(method !== 'GET' && method !== 'DELETE' ? { payload: validBody } : {}) })
      }
    }

    // Query string: every named parameter, and one the schema does not know.
    for (const { name, schema } of [...queryParams, { name: 'zz', schema: { type: 'string' } }]) {
      for (const v of [...QUERY[kindOf(schema, name)]!, pick(QUERY_SPREAD)]) {
        await send(`query ${name}=${v.slice(0, 12)}`, { url: `${path}?${qs ? qs + '&' : ''}${name}=${v}` })
      }
    }

    if (method === 'GET' || method === 'DELETE') continue

    // Body: each named field in turn, over a valid body.
    for (const [prop, schema] of bodyProps) {
      for (const v of [...BODY[kindOf(schema, prop)]!, pick(SPREAD)]) {
        await send(`body.${prop}=${JSON.stringify(v)?.slice(0, 16)}`, { url, payload: { ...validBody, [prop]: v } as Record<string, unknown> })
      }
    }
    // Whole bodies: random JSON, wrong shapes, malformed JSON, wrong content types.
    {
      const v = rng[rngAt++ % rng.length]
      await send('random json', { url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(v) ?? 'null' })
    }
    for (const raw of ['{"a":', pick(RAW_BODIES)]) {
      await send(`raw ${JSON.stringify(raw)}`, { url, headers: { 'content-type': 'application/json' }, payload: raw })
    }
    for (const ct of [pick(['text/plain', ...CONTENT_TYPES])]) {
      await send(`content-type ${ct}`, { url, headers: { 'content-type': ct }, payload: ct.startsWith('multipart') ? '--x\r\nbroken' : 'a=1&b=%00' })
    }
  }

  // Some mutations are valid and write: the database must still be healthy afterwards.
  const ready = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(ready.statusCode, 200, 'still ready after the run')
  t.comment(`fuzz: ${sent} requests over ${routes.length} routes; ${fivexx.length} × 5xx; by status ${JSON.stringify(byStatus)}`)
  console.log(`# fuzz: ${sent} requests, ${fivexx.length} x 5xx, ${badShape.length} outside the error shape`)
  t.same(fivexx.slice(0, 40), [], `no 5xx (${fivexx.length} of ${sent})`)
  t.same(badShape.slice(0, 40), [], `every refusal in the documented shape (${badShape.length} of ${sent})`)
})
