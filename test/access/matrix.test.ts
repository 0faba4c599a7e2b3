import t from '../helpers/tap.js'
import type { Action } from '../../src/access/define.js'
import { buildTestApp } from '../helpers/app.js'
import { catalogue } from './cases/index.js'
import { actorOf, reached } from './expect.js'
import { buildWorld, MatrixRoles, Variants } from './world.js'
import { testsOf } from '../helpers/once.js'

const test = testsOf(t, 'generated')

/**
 * Authorization matrix, generated from the registered routes and the policies:
 * every route × role × where the target sits → the status the policy data implies.
 */
test('authorization matrix: route × role × scope', async (t) => {
  const { app, database } = await buildTestApp(t)
  const world = await buildWorld(app, database)
  const routes = app.declaredRoutes.filter((r) => !('public' in r.access) && r.access.resource !== 'self')
  t.ok(routes.length > 0, 'routes were registered')

  const missing = routes.map((r) => `${r.method} ${r.url}`).filter((k) => !catalogue[k])
  t.same(missing, [], 'every registered route has a matrix entry')
  const stale = Object.keys(catalogue).filter((k) => !routes.some((r) => `${r.method} ${r.url}` === k))
  t.same(stale, [], 'every matrix entry names a registered route')

  const paired = world.pairedReach
  let cases = 0
  const failures: string[] = []
  // A case may change the world for its own requests (the 升年级 cases end and restore class
  // grants) but must leave every role as it found it: otherwise every later route would be
  // checked against a narrower actor than the matrix claims to cover.
  const rolesOfAll = async () => JSON.stringify(await Promise.all(MatrixRoles.map(async (r) =>
    (await actorOf(app, world.users[r])).roles.map((g) => `${g.role}:${g.classId ?? ''}`).sort())))
  const worldRoles = await rolesOfAll()
  for (const route of routes) {
    const key = `${route.method} ${route.url}`
    const c = catalogue[key]
    if (!c || 'public' in route.access) continue
    if ((await rolesOfAll()) !== worldRoles) failures.push(`before ${key}: the world's roles were changed by an earlier case`)
    const { resource, action } = route.access
    const hasIdParam = /\/:id(\/|$)/.test(route.url)
    for (const role of MatrixRoles) {
      const user = world.users[role]
      const decision = app.policies.decide(await actorOf(app, user), resource, action as Action)
      for (const variant of Variants) {
        const req = await c.request(world, variant, user)
        const res = await app.inject({
          method: route.method as 'GET',
          url: req.url,
          ...(req.payload !== undefined ? { payload: req.payload as Record<string, unknown> } : {}),
          headers: { ...(req.headers ?? {}), authorization: `Bearer ${user.token}` },
        })
        const inScope = reached(decision, variant, { paired })
        let expected: number
        if (!decision) expected = hasIdParam ? 404 : 403
        else if (c.kind === 'collection' && !hasIdParam) expected = c.ok
        else expected = inScope ? c.ok : 404
        cases++
        const label = `${key} as ${role} on ${variant}`
        if (res.statusCode !== expected) {
          failures.push(`${label}: expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 200)}`)
          continue
        }
        if (c.kind === 'collection' && !hasIdParam && decision && c.contains && req.targetId) {
          const listed = c.contains(res.json(), req.targetId)
          if (listed !== inScope) failures.push(`${label}: target ${inScope ? 'missing from' : 'leaked into'} the list`)
          cases++
        }
      }
    }
    await c.cleanup?.(world)
  }
  t.same(failures, [], 'every matrix case answers as the policy says')
  t.comment(`authorization matrix: ${cases} cases over ${routes.length} routes × ${MatrixRoles.length} roles × ${Variants.length} scopes`)
  console.log(`# authorization matrix cases: ${cases}`)
})
