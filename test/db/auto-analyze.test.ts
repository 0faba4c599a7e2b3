import t from '../helpers/tap.js'
import { freshDatabase } from '../helpers/database.js'
import { openDatabase, queryRows, sql, type Db } from '../../src/db/database.js'
import { analyzeGrown } from '../../src/db/auto-analyze.js'

// On a server autovacuum analyzes tables itself (and may do so in the middle of these checks).
const embeddedOnly = process.env.TEST_DATABASE_URL ? 'the embedded database: a server has autovacuum' : false

const planOf = async (db: Db, query: string) =>
  (await queryRows<{ 'QUERY PLAN': string }>(db, sql.raw(`explain ${query}`))).map((r) => r['QUERY PLAN']).join(' | ')
const statsOf = async (db: Db, table: string) =>
  (await queryRows<{ relpages: number; reltuples: number }>(db, sql`select relpages, reltuples from pg_class where oid = ${table}::regclass`))[0]!

t.test('a table that grew is analyzed, and the plan cached while it was small is replaced', { skip: embeddedOnly }, async (t) => {
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
})

t.test('openDatabase with autoAnalyze: a pass on its timer; close stops the timer', { skip: embeddedOnly }, async (t) => {
  const database = await openDatabase({ memory: true, autoAnalyze: { everyMs: 30, onError: (err) => t.fail(`auto-analyze failed: ${String(err)}`) } })
  let closed = false
  t.teardown(async () => { if (!closed) await database.close() })
  const { db } = database
  await db.execute(sql`create table grow_probe (id int primary key)`)
  await db.execute(sql`insert into grow_probe select generate_series(1, 20000)`)
  t.equal((await statsOf(db, 'grow_probe')).reltuples, -1, 'control: never analyzed yet')
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
