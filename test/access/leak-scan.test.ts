import t from '../helpers/tap.js'
import type { Action } from '../../src/access/define.js'
import { buildTestApp } from '../helpers/app.js'
import { catalogue } from './cases/index.js'
import { actorOf, scopeReaches } from './expect.js'
import { canariesIn, plantCanaries, type CanaryPlace } from './canary.js'
import { buildWorld, MatrixRoles, Variants } from './world.js'
import { testsOf } from '../helpers/once.js'

const test = testsOf(t, 'generated')

/** 转学 read paths that name the district's other schools (see below). */
const TRANSFER_ROUTES = new Set(['GET /api/v1/transfer-schools', 'GET /api/v1/transfers', 'GET /api/v1/transfers/:id', 'GET /api/v1/received-transfers', 'GET /api/v1/students/:id/transfers'])

/**
 * Field-leak scan: every policy table's text and date fields hold canaries naming
 * resource, field and place; every read path is called as every role, and any canary the
 * role may not read at that place is a leak — nested children and error bodies included.
 */
test('field-leak scan over every read path', async (t) => {
  const { app, database } = await buildTestApp(t)
  const world = await buildWorld(app, database)
  const routes = app.declaredRoutes.filter((r) => !('public' in r.access) && r.access.resource !== 'self')
  // Make each route's own fixtures first, so they carry canaries too.
  const prepared: Array<{ key: string; method: string; url: string; role: (typeof MatrixRoles)[number]; headers?: Record<string, string> }> = []
  for (const route of routes) {
    const key = `${route.method} ${route.url}`
    const c = catalogue[key]
    if (!c) continue
    for (const role of MatrixRoles) {
      for (const variant of Variants) {
        if (route.method !== 'GET') continue
        const req = await c.request(world, variant, world.users[role])
        prepared.push({ key, method: route.method, url: req.url, role, ...(req.headers ? { headers: req.headers } : {}) })
      }
    }
  }
  const planted = await plantCanaries(world, app.policies.all())
  t.ok(planted.size > 0, 'canaries were planted')

  const actors = new Map<string, Awaited<ReturnType<typeof actorOf>>>()
  for (const role of MatrixRoles) actors.set(role, await actorOf(app, world.users[role]))
  const mayRead = (role: string, resource: string, field: string, place: CanaryPlace, owner?: string) => {
    const actor = actors.get(role)!
    for (const action of ['read', 'list'] as Action[]) {
      const d = app.policies.decide(actor, resource, action)
      if (!d) continue
      for (const g of d.grants) {
        if (!g.readable.has(field)) continue
        // A row one user owns (their own settings) is theirs to read under an `own` grant.
        if (owner !== undefined && g.scope === 'own' && actor.userId === owner) return true
        // Both world schools lie in the district of the district staff's grant.
        if (g.scope === 'district' && (place === 'school' || place === 'otherSchool')) return true
        if (place === 'school' ? g.scope === 'school' : scopeReaches(g.scope, place, { paired: world.pairedReach })) return true
      }
    }
    return false
  }

  let checked = 0
  let seen = 0
  const leaks: string[] = []
  for (const p of prepared) {
    const res = await app.inject({ method: 'GET', url: p.url, headers: { ...(p.headers ?? {}), authorization: `Bearer ${world.users[p.role].token}` } })
    checked++
    for (const c of canariesIn(res.body, planted)) {
      seen++
      // 转学: a psychology teacher chooses the receiving school, and reads where a package came
      // from, by the names of the district's XinAn schools (reference data, names only).
      if (TRANSFER_ROUTES.has(p.key) && c.field === 'name' && [c.resource, ...(c.also ?? []).map((a) => a.resource)].includes('school_profile')) continue
      const views = [{ resource: c.resource, place: c.place, owner: c.owner }, ...(c.also ?? [])]
      if (!views.some((v) => mayRead(p.role, v.resource, c.field, v.place, v.owner))) leaks.push(`${p.key} as ${p.role}: ${c.resource}.${c.field} (${c.place})`)
    }
  }
  t.ok(checked > 0, 'read paths were called')
  t.ok(seen > 0, 'canaries reached responses, so the scan can see a leak')
  t.same([...new Set(leaks)], [], 'no response carries a field its reader may not read')
  console.log(`# field-leak scan: ${checked} responses checked, ${seen} canaries seen, ${leaks.length} leaks`)
})
