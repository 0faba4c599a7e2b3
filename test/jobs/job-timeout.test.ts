import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { loadConfig, type Config } from '../../src/config.js'
import { openDatabase, queryRows, type Database } from '../../src/db/database.js'
import { defaultServerTimeouts } from '../../src/db/server-client.js'
import { runJob, type JobDefinition } from '../../src/jobs/runner.js'
import { freshDatabase } from '../helpers/database.js'

/**
 * A job's statements run under the job's own limit (JOB_STATEMENT_TIMEOUT_MS, SET LOCAL in its
 * transaction), not the request one (DB_STATEMENT_TIMEOUT_MS), and the server-mode watchdog,
 * which drops a connection silent for the request limit plus 2 s, waits as long as the job may.
 */

/** The request limit of the pool under test: tiny, so a short sleep outlives it and its watchdog (+2 s). */
const REQUEST_LIMIT_MS = 100
const config: Config = { ...loadConfig({ NODE_ENV: 'test', DB_STATEMENT_TIMEOUT_MS: String(REQUEST_LIMIT_MS) }), jwtSecret: 'x'.repeat(32) }

const sleeper = (seconds: number): JobDefinition => ({
  name: 'test-sleeper', schedule: '* * * * *', description: 'sleeps',
  run: async ({ tx }) => {
    const [row] = await queryRows<{ limit: string }>(tx, sql`select current_setting('statement_timeout') as limit, pg_sleep(${seconds})`)
    return { limit: row!.limit }
  },
})

async function setup(t: { teardown(fn: () => unknown): void }): Promise<{ database: Database; server: boolean }> {
  const fresh = await freshDatabase()
  t.teardown(() => fresh.drop())
  if (!fresh.url) return { database: fresh.database, server: false }
  // One connection, so the job and the statements after it share it.
  const database = await openDatabase({ url: fresh.url, poolMax: 1, timeouts: { ...defaultServerTimeouts, statementTimeoutMs: REQUEST_LIMIT_MS } })
  t.teardown(() => database.close())
  return { database, server: true }
}

t.test('a job statement outliving the request limit and its watchdog is not cancelled', async (t) => {
  const { database, server } = await setup(t)
  if (server) {
    await t.rejects(database.db.execute(sql`select pg_sleep(0.5)`), { cause: { code: '57014' } },
      'outside a job the same pool cancels a 0.5 s statement (the request limit)')
  }
  const started = performance.now()
  const r = await runJob(database, sleeper(2.4), { now: new Date(), config })
  t.match(r, { status: 'ok', error: null, counts: { limit: '10min' } }, 'the job ran under its own 10-minute limit')
  t.ok(performance.now() - started >= 2_400, 'its statement slept 2.4 s')
  if (server) {
    const [after] = await queryRows<{ limit: string }>(database.db, sql`select current_setting('statement_timeout') as limit`)
    t.equal(after!.limit, `${REQUEST_LIMIT_MS}ms`, 'the job limit ended with its transaction (SET LOCAL)')
    await t.rejects(database.db.execute(sql`select pg_sleep(0.5)`), { cause: { code: '57014' } },
      'after the job the connection cancels at the request limit again')
  }
})

t.test('the job limit is configurable and is applied', { skip: process.env.TEST_DATABASE_URL ? false : 'server mode: the embedded database cancels no statement' }, async (t) => {
  const { database } = await setup(t)
  const r = await runJob(database, sleeper(1), { now: new Date(), config: { ...config, JOB_STATEMENT_TIMEOUT_MS: 300 } })
  t.match(r, { status: 'failed', error: 'database error 57014' }, 'a statement over JOB_STATEMENT_TIMEOUT_MS is cancelled')
})
