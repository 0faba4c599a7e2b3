import t from '../helpers/tap.js'
import { randomUUID } from 'node:crypto'
import { getTableColumns, sql } from 'drizzle-orm'
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core'
import type { Action } from '../../src/access/define.js'
import { queryRows } from '../../src/db/database.js'
import { buildTestApp } from '../helpers/app.js'
import { catalogue } from './cases/index.js'
import { actorOf } from './expect.js'
import { buildWorld, MatrixRoles } from './world.js'
import { testsOf } from '../helpers/once.js'

const test = testsOf(t, 'generated')

function sampleValue(col: PgColumn): unknown {
  switch (col.columnType) {
    case 'PgUUID': return randomUUID()
    case 'PgDateString': case 'PgDate': return '2020-01-02'
    case 'PgBoolean': return true
    case 'PgSmallInt': case 'PgInteger': case 'PgBigInt53': case 'PgBigInt64': return 3
    case 'PgTimestamp': case 'PgTimestampString': return '2020-01-02T03:04:05.000Z'
    case 'PgArray': return []
    default: return 'x'
  }
}

/**
 * Mass assignment: on every write route, every field the caller's roles may not
 * write is sent alongside a valid body; each attempt answers 400 and no table changes.
 */
test('mass assignment: every non-writable field on every write route', async (t) => {
  const { app, database } = await buildTestApp(t)
  const world = await buildWorld(app, database)
  const { db } = database
  // Every policy table's rows, hashed in one statement (one round trip instead of one per table:
  // it runs twice per attempt, and the round trips were most of this file's time).
  const perTable = app.policies.all().filter((p) => p.resource !== 'audit_log').map((p) =>
    sql`(select ${p.resource}::text || ':' || md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from ${p.table as PgTable} x)`)
  const fingerprintQuery = sql`select ${sql.join(perTable, sql` || ',' || `)} as h`
  const fingerprint = async () => (await queryRows<{ h: string }>(db, fingerprintQuery))[0]!.h

  let attempts = 0
  const failures: string[] = []
  const writeRoutes = app.declaredRoutes.filter((r) => ['POST', 'PATCH', 'PUT'].includes(r.method) && !('public' in r.access) && r.access.resource !== 'self')
  for (const route of writeRoutes) {
    const key = `${route.method} ${route.url}`
    const c = catalogue[key]
    if (!c || 'public' in route.access) continue
    const { resource, action } = route.access
    if (!['create', 'update'].includes(action)) continue
    const policy = app.policies.get(resource)!
    const columns = getTableColumns(policy.table) as Record<string, PgColumn>
    for (const role of MatrixRoles) {
      const user = world.users[role]
      const decision = app.policies.decide(await actorOf(app, user), resource, action as Action)
      if (!decision) continue
      const writable = decision.writableFields()
      for (const [field, col] of Object.entries(columns)) {
        if (writable.has(field)) continue
        const req = await c.request(world, 'ownClass', user)
        if (!req.payload || typeof req.payload !== 'object') continue
        const before = await fingerprint()
        const res = await app.inject({
          method: route.method as 'POST',
          url: req.url,
          payload: { ...(req.payload as Record<string, unknown>), [field]: sampleValue(col) },
          headers: { ...(req.headers ?? {}), authorization: `Bearer ${user.token}` },
        })
        attempts++
        const after = await fingerprint()
        if (res.statusCode !== 400) failures.push(`${key} as ${role} with ${field}: ${res.statusCode}`)
        else if (res.json().code === 'field_not_writable' && !JSON.stringify(res.json().details).includes(field)) failures.push(`${key} as ${role}: 400 does not name ${field}`)
        if (before !== after) failures.push(`${key} as ${role} with ${field}: data changed`)
      }
    }
  }
  t.same(failures, [], 'every forbidden field is refused and nothing changes')
  console.log(`# mass assignment: ${attempts} attempts, ${failures.length} failures`)
})
