import t from '../helpers/tap.js'
import { freshDatabase } from '../helpers/database.js'
import { openDatabase, queryRows, sql, type Db } from '../../src/db/database.js'
import { analyzeGrown, serverAnalyzesItself } from '../../src/db/auto-analyze.js'

/** The server's autovacuum setting (null: the embedded database, which has none). */
async function serverAutovacuum(): Promise<string | null> {
  if (!process.env.TEST_DATABASE_URL) return null
  const { database, drop } = await freshDatabase()
  try {
    return (await queryRows<{ v: string }>(database.db, sql`select current_setting('autovacuum') as v`))[0]!.v
  } finally {
    await drop()
  }
}
const autovacuum = await serverAutovacuum()
// A server whose autovacuum runs analyzes tables itself (and may do so in the middle of these checks).
const withoutAutovacuum = autovacuum === 'on' ? 'a server whose autovacuum runs: it analyzes tables itself' : false

const planOf = async (db: Db, query: string) =>
  (await queryRows<{ 'QUERY PLAN': string }>(db, sql.raw(`explain ${query}`))).map((r) => r['QUERY PLAN']).join(' | ')
const statsOf = async (db: Db, table: string) =>
  (await queryRows<{ relpages: number; reltuples: number }>(db, sql`select relpages, reltuples from pg_class where oid = ${table}::regclass`))[0]!

t.test('a table that grew is analyzed, and the plan cached while it was small is replaced', { skip: withoutAutovacuum }, async (t) => {
  const { database, drop } = await freshDatabase()
  t.teardown(drop)
  const { db } = database
  // The migrated database as it starts: whatever it holds counts as analyzed from here.
  await analyzeGrown(db)
  t.same(await analyzeGrown(db), [], 'nothing grew since the last pass')

  await db.execute(sql`create table grow_probe (id int primary key, k int not null, v text)`)
  await db.execute(sql`create index on grow_probe (k)`)
  await db.execute(sql`analyze grow_probe`)
  // A statement planned while the table was empty: after five runs PostgreSQL keeps one generic plan.
  await db.execute(sql`prepare by_k(int) as select v from grow_probe where k = $1`)
  for (let i = 0; i < 8; i++) await db.execute(sql.raw(`execute by_k(${i})`))
  await db.execute(sql`insert into grow_probe select i, i % 5000, 'x' from generate_series(1, 50000) i`)
  t.match(await planOf(db, 'execute by_k(7)'), /^Seq Scan on grow_probe/, 'control: the cached plan reads the whole table')

  t.same(await analyzeGrown(db), ['public.grow_probe'], 'the table that grew, and only it')
  const after = await statsOf(db, 'grow_probe')
  t.equal(after.reltuples, 50_000, 'its statistics count its rows')
  t.match(await planOf(db, 'execute by_k(7)'), /Index Scan/, 'the statement is planned again, through the index')
  t.same(await analyzeGrown(db), [], 'analyzed once: nothing grew since')

  // Less than a tenth more: the statistics are still close enough.
  await db.execute(sql`insert into grow_probe select i, i % 5000, 'x' from generate_series(50001, 52000) i`)
  t.same(await analyzeGrown(db), [], 'a table that grew by less than a tenth is left alone')
  await db.execute(sql`insert into grow_probe select i, i % 5000, 'x' from generate_series(52001, 60000) i`)
  t.same(await analyzeGrown(db), ['public.grow_probe'], 'and analyzed again once it grew by more')
  t.equal((await statsOf(db, 'grow_probe')).reltuples, 60_000)

  // A small sample (as the embedded database's passes take): the row count is still right, and
  // the histogram has the sample's size.
  const buckets = async () => (await queryRows<{ n: number }>(db, sql`
    select cardinality(histogram_bounds::text::int[]) as n from pg_stats where tablename = 'grow_probe' and attname = 'k'`))[0]!.n
  t.equal(await buckets(), 101, 'a full ANALYZE: 100 buckets')
  await db.execute(sql`insert into grow_probe select i, i % 5000, 'x' from generate_series(60001, 70000) i`)
  t.same(await analyzeGrown(db, { target: 10 }), ['public.grow_probe'])
  t.equal(await buckets(), 11, 'a target of 10: 10 buckets')
  t.equal((await statsOf(db, 'grow_probe')).reltuples, 70_000, 'the row count is exact all the same (the sample covers it)')
  t.match(await planOf(db, 'execute by_k(7)'), /Index Scan/, 'and the plan reads through the index')
})

t.test('openDatabase with autoAnalyze: a pass on its timer; close stops the timer', { skip: withoutAutovacuum }, async (t) => {
  const autoAnalyze = { everyMs: 30, onError: (err: unknown) => t.fail(`auto-analyze failed: ${String(err)}`) }
  // On a server (with autovacuum off): a fresh database of its own, opened with the timer.
  const server = process.env.TEST_DATABASE_URL ? await freshDatabase() : undefined
  if (server) t.teardown(server.drop)
  const database = await openDatabase(server ? { url: server.url!, poolMax: 2, autoAnalyze } : { memory: true, autoAnalyze })
  let closed = false
  t.teardown(async () => { if (!closed) await database.close() })
  const { db } = database
  // Made, filled and looked at in one transaction: no pass can see the table before it commits.
  const made = await db.transaction(async (tx) => {
    await tx.execute(sql`create table grow_probe (id int primary key)`)
    await tx.execute(sql`insert into grow_probe select generate_series(1, 20000)`)
    return statsOf(tx as unknown as Db, 'grow_probe')
  })
  t.equal(made.reltuples, -1, 'control: never analyzed yet')
  let stats = await statsOf(db, 'grow_probe')
  for (let i = 0; i < 200 && stats.reltuples !== 20_000; i++) {
    await new Promise((ok) => setTimeout(ok, 25))
    stats = await statsOf(db, 'grow_probe')
  }
  t.equal(stats.reltuples, 20_000, 'the timer analyzed the table that grew')
  await t.resolves(database.close(), 'close waits for a pass under way, then closes')
  closed = true
  // A pass after close would fail on the closed database and report it through onError.
  await new Promise((ok) => setTimeout(ok, 150))
})

t.test('a server is left to its autovacuum when that runs, and analyzed by the app when it is off', { skip: process.env.TEST_DATABASE_URL ? false : 'a server setting' }, async (t) => {
  const { database, drop } = await freshDatabase()
  t.teardown(drop)
  t.equal(await serverAnalyzesItself(database.db), autovacuum === 'on', `autovacuum is ${autovacuum}`)
  // The same question with autovacuum off for this session's view of it (a server-wide setting
  // cannot be changed here; track_counts, which autovacuum needs too, can be, by a superuser).
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`set local track_counts = off`)
    t.equal(await serverAnalyzesItself(tx as unknown as Db), false, 'without change counters autovacuum cannot run: the app analyzes')
  })
})

t.test('on a server, rows an ANALYZE could not see yet bring the table back once they commit', { skip: process.env.TEST_DATABASE_URL ? false : 'the embedded database runs one statement at a time' }, async (t) => {
  const { database, drop } = await freshDatabase()
  t.teardown(drop)
  const { db } = database
  await analyzeGrown(db)
  await db.execute(sql`create table late_probe (id int primary key)`)
  await db.execute(sql`analyze late_probe`)
  // An ANALYZE (another connection) while 20,000 inserted rows are not yet committed: it records
  // their pages but not their rows.
  await db.transaction(async (tx) => {
    await tx.execute(sql`insert into late_probe select generate_series(1, 20000)`)
    await db.execute(sql`analyze late_probe`)
  })
  const stale = await queryRows<{ pages_grown: boolean; reltuples: number }>(db, sql`
    select pg_relation_size(oid) / current_setting('block_size')::int >= relpages * 1.1 + 4 as pages_grown, reltuples
    from pg_class where oid = 'late_probe'::regclass`)
  t.same(stale[0], { pages_grown: false, reltuples: 0 }, 'control: by its pages the table did not grow, and its statistics count no row')
  // The committed rows reach the change counters within a second or so.
  let analyzed: string[] = []
  for (let i = 0; i < 100 && !analyzed.includes('public.late_probe'); i++) {
    analyzed = await analyzeGrown(db)
    if (!analyzed.includes('public.late_probe')) await new Promise((ok) => setTimeout(ok, 50))
  }
  t.ok(analyzed.includes('public.late_probe'), 'analyzed again: 20,000 rows changed since its last ANALYZE')
  t.equal((await statsOf(db, 'late_probe')).reltuples, 20_000)
})
