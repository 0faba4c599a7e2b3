import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { createRelease, RELEASE_STATEMENT_TIMEOUT_MS } from '../../src/modules/district/release.js'
import { buildTestApp, createSchool } from '../helpers/app.js'

/**
 * A release computed in a request (on demand, first read) reads the whole district: the
 * request's statement limit (10 s) must not cancel it once the district is large. It raises the
 * limits of its own transaction, never lowers them.
 */

const settings = async (ex: Parameters<typeof queryRows>[0]) => Object.fromEntries(
  (await queryRows<{ name: string; setting: string }>(ex, sql`select name, setting from pg_settings where name in ('statement_timeout', 'idle_in_transaction_session_timeout')`))
    .map((r) => [r.name, Number(r.setting)]),
)

t.test('a release raises its transaction\'s statement and idle limits to the release limit, and only raises them', async (t) => {
  const { database } = await buildTestApp(t)
  const school = await createSchool(database)
  const today = new Date().toISOString().slice(0, 10)

  const inRequest = await database.db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('statement_timeout', '10000', true), set_config('idle_in_transaction_session_timeout', '30000', true)`)
    await createRelease(tx, { districtId: school.districtId, today, trigger: 'first_read' })
    return settings(tx)
  })
  t.same(inRequest, { statement_timeout: RELEASE_STATEMENT_TIMEOUT_MS, idle_in_transaction_session_timeout: RELEASE_STATEMENT_TIMEOUT_MS }, 'the request limits are raised')

  const larger = RELEASE_STATEMENT_TIMEOUT_MS * 3
  const inJob = await database.db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('statement_timeout', ${String(larger)}, true), set_config('idle_in_transaction_session_timeout', '0', true)`)
    await createRelease(tx, { districtId: school.districtId, today, trigger: 'scheduled' })
    return settings(tx)
  })
  t.same(inJob, { statement_timeout: larger, idle_in_transaction_session_timeout: 0 }, 'a larger limit and "no limit" stay as they were')

  // Only the release's own transaction: the next one has the session's limits again.
  const after = await database.db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('statement_timeout', '10000', true)`)
    return settings(tx)
  })
  t.equal(after.statement_timeout, 10_000)
})
