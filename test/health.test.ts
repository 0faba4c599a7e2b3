import t from './helpers/tap.js'
import { sharedTestApp } from './helpers/app.js'

t.test('healthz and readyz answer, migrations are current', async (t) => {
  const { app } = await sharedTestApp()
  const h = await app.inject('/healthz')
  t.equal(h.statusCode, 200)
  t.same(h.json(), { status: 'ok' })
  const r = await app.inject('/readyz')
  t.equal(r.statusCode, 200)
  const body = r.json()
  t.equal(body.status, 'ready')
  t.equal(body.migrations.applied, body.migrations.expected)
  t.ok(body.migrations.expected >= 2)
})

t.test('OpenAPI document is served', async (t) => {
  const { app } = await sharedTestApp()
  const res = await app.inject('/docs/json')
  t.equal(res.statusCode, 200)
  const doc = res.json()
  t.match(doc.openapi, /^3\./)
  t.ok(doc.paths['/api/v1/auth/login'])
})
