import t from '../helpers/tap.js'
import type { Action } from '../../src/access/define.js'
import { sharedTestApp } from '../helpers/app.js'
import { catalogue as otherModules } from '../access/cases/index.js'
import { rosterCases } from '../access/cases/roster.js'
import { actorOf, reached } from '../access/expect.js'
import { buildWorld, MatrixRoles, Variants } from '../access/world.js'

const ROSTER_RESOURCES = new Set(['students', 'guardians', 'classes', 'grades', 'terms', 'holidays', 'users', 'user_roles'])

/**
 * The roster's matrix entries run the way test/access/matrix.test.ts runs them, so a wrong
 * entry shows up here, next to the module, before the shared matrix consumes it.
 */
t.test('roster catalogue: every roster route × role × scope answers as the policy says', async (t) => {
  const { app, database } = await sharedTestApp()
  const world = await buildWorld(app, database)
  const routes = app.declaredRoutes.filter((r) => !('public' in r.access) && r.access.resource !== 'self')
  const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`

  const unlisted = routes.filter((r) => 'resource' in r.access && ROSTER_RESOURCES.has(r.access.resource) && !otherModules[key(r)] && !rosterCases[key(r)])
  t.same(unlisted.map(key), [], 'every roster route has an entry')
  const stale = Object.keys(rosterCases).filter((k) => !routes.some((r) => key(r) === k))
  t.same(stale, [], 'every entry names a registered route')

  const failures: string[] = []
  let cases = 0
  // The global rate limit (600 a minute per address) is below this suite's request count.
  const address = () => `10.${Math.floor(cases / 500)}.${Math.floor((cases % 500) / 250)}.${(cases % 250) + 1}`
  for (const route of routes) {
    const c = rosterCases[key(route)]
    if (!c || 'public' in route.access) continue
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
          remoteAddress: address(),
        })
        const inScope = reached(decision, variant, { paired: world.pairedReach })
        const expected = !decision ? (hasIdParam ? 404 : 403) : c.kind === 'collection' && !hasIdParam ? c.ok : inScope ? c.ok : 404
        cases++
        const label = `${key(route)} as ${role} on ${variant}`
        if (res.statusCode !== expected) failures.push(`${label}: expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 200)}`)
        else if (c.kind === 'collection' && !hasIdParam && decision && c.contains && req.targetId && c.contains(res.json(), req.targetId) !== inScope) {
          failures.push(`${label}: target ${inScope ? 'missing from' : 'leaked into'} the list`)
        }
      }
    }
  }
  t.same(failures, [], 'every case answers as the policy says')
  t.ok(cases >= Object.keys(rosterCases).length * MatrixRoles.length * Variants.length, `${cases} cases ran`)
})
