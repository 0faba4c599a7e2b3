import t from '../helpers/tap.js'
import { messages, PGlite, types, type QueryOptions } from '@electric-sql/pglite'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/pglite'
import { bigint, boolean, date, integer, jsonb, numeric, pgTable, text, timestamp } from 'drizzle-orm/pg-core'
import { openDatabase, queryRows, type Database } from '../../src/db/database.js'
import { EmbeddedStatements } from '../../src/db/embedded-prepared.js'
import { fromDatabaseError } from '../../src/db/errors.js'
import { AppError } from '../../src/lib/errors.js'
import { callsDuring } from '../helpers/pglite-calls.js'

/**
 * The embedded database runs drizzle's statements as named prepared statements
 * (src/db/embedded-prepared.ts) in place of PGlite's query(). Whatever query() gave must come
 * back the same: values, fields and counts, errors and their fields; and the cache of names
 * must stay right after DDL, when it is full, and after an error inside a transaction.
 */

/**
 * PGlite alone, whatever TEST_DATABASE_URL names: the PostgreSQL server run would give the
 * embedded run's answers again (as the data-folder tests do, it says so and skips).
 */
const serverRun = Boolean(process.env.TEST_DATABASE_URL)
if (serverRun) t.plan(0, 'the embedded driver only: the embedded run covers it')
const test: typeof t.test = serverRun ? ((() => {}) as unknown as typeof t.test) : t.test.bind(t)

/**
 * An empty cluster, made once per file and loaded by each test: loading it takes about a third
 * of what making one (initdb) takes.
 */
let emptyCluster: Promise<Blob> | undefined
function cluster(): Promise<Blob> {
  emptyCluster ??= PGlite.create().then(async (pg) => {
    try {
      return await pg.dumpDataDir('none')
    } finally {
      await pg.close()
    }
  })
  return emptyCluster
}

/** As the app opens it (src/db/database.ts): dates stay 'YYYY-MM-DD'. */
async function embedded(max?: number) {
  const pg = await PGlite.create({ loadDataDir: await cluster(), parsers: { [types.DATE]: (x: string) => x } })
  const statements = new EmbeddedStatements(pg, max)
  return { pg, statements, client: statements.client() }
}

/** The two configurations drizzle's pglite session passes (drizzle-orm/pglite/session.js). */
const keepAsText = Object.fromEntries([types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182].map((oid) => [oid, (v: string) => v]))
const configs: Array<[string, QueryOptions | undefined]> = [
  ['no options', undefined],
  ['drizzle, rows as arrays', { rowMode: 'array', parsers: keepAsText }],
  ['drizzle, raw SQL', { rowMode: 'object', parsers: keepAsText }],
]

const COLUMNS = `k int primary key, i2 int2, i4 int4, i8 int8, n numeric, f4 float4, f8 float8, b bool, tx text, vc varchar(10),
  ch char(3), u uuid, d date, ts timestamp, tz timestamptz, iv interval, tm time, j json, jb jsonb, by bytea,
  ai int[], atx text[], ad date[], atz timestamptz[], an numeric[], ajb jsonb[]`
const INSERT = `insert into v values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)`
const ROWS: unknown[][] = [
  [1, 32767, 2147483647, 9007199254740993n, '12345.678900', 1.5, 0.1, true, '心安 "quoted" \\ back\ttab', 'abc',
    'ab', '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f', '2024-02-29', '2024-01-02 03:04:05.678', new Date('2024-01-02T03:04:05.678Z'), '1 day 02:03:04', '12:34:56',
    { a: [1, 'x'] }, { b: { c: null }, 'é': 1 }, new Uint8Array([0, 1, 255]),
    [1, 2, null], ['a', 'b,c', '"q"', null, ''], ['2024-01-01', null], [new Date('2023-06-01T00:00:00Z')], ['1.50', '-2'], [{ x: 1 }, null]],
  [2, -32768, -1, 42n, '-0.0001', -Infinity, NaN, false, '', '',
    'xyz', '00000000-0000-0000-0000-000000000000', 'infinity', '-infinity', 'infinity', '-00:00:01', '00:00:00',
    '"a string"', [], new Uint8Array([]),
    [], [], [], [], [], []],
  [3, ...Array(25).fill(null)],
  [4, 1, 2, '3', 4, '5.5', '6', 'yes', 7, 8, 9, null, new Date('2024-03-04T05:06:07Z'), new Date('2024-03-04T05:06:07Z'), 0, '1 mon', null, 'null', '{"n":1}', null,
    [[1, 2], [3, 4]], [['a']], null, null, null, null],
]

test('values come back as PGlite query() gives them, for every type the app stores', async (t) => {
  const { pg, client } = await embedded()
  t.teardown(() => pg.close())
  await pg.exec(`create table v (${COLUMNS}); create table w (${COLUMNS})`)
  for (const row of ROWS) {
    t.strictSame(await client.query(INSERT, row), await pg.query(INSERT.replace('into v', 'into w'), row), `insert ${String(row[0])}: same result`)
  }
  t.strictSame(
    (await pg.query<unknown[]>('select * from v order by k', [], { rowMode: 'array' })).rows,
    (await pg.query<unknown[]>('select * from w order by k', [], { rowMode: 'array' })).rows,
    'parameters were stored the same as through query()')

  const reads: Array<[string, unknown[]]> = [
    ['select * from v order by k', []],
    ['select * from v where k = $1', [1]],
    ['select * from v where k = $1', [99]],
    ['select k, i8 * 1000 as big, n * 2 as n2, d + 1 as next, tz at time zone \'UTC\' as local, jb -> \'b\' as sub from v where k = any($1::int[]) order by k', [[1, 4]]],
    ['select $1::text as t, $2::int as i, $3::bool as b, $4::jsonb as j, $5::timestamptz as at, $6::bytea as raw, $7::date as d', ['x', 5, false, { z: [1] }, new Date(0), new Uint8Array([9]), '2024-12-31']],
    ['select count(*) as n, null as nothing, \'\' as empty', []],
    ['', []],
  ]
  for (const [name, options] of configs) {
    for (const [q, params] of reads) {
      for (const round of [1, 2]) {
        t.strictSame(await client.query(q, params, options), await pg.query(q, params, options), `${name}, ${round === 1 ? 'first' : 'prepared'}: ${q.slice(0, 60)}`)
      }
    }
    const viaTx = await client.transaction((tx) => tx.query('select * from v order by k', [], options))
    t.strictSame(viaTx, await pg.transaction((tx) => tx.query('select * from v order by k', [], options)), `${name}: the same in a transaction`)
  }
  const row = (await client.query<Record<string, unknown>>('select * from v where k = 1')).rows[0]!
  t.equal(row.d, '2024-02-29', 'a date stays a string')
  t.equal(row.i8, 9007199254740993n, 'an int8 past 2^53 is a bigint')
  t.strictSame(row.by, new Uint8Array([0, 1, 255]), 'bytea is bytes')
  t.strictSame(row.ai, [1, 2, null], 'an int array with its null')
  t.ok(row.tz instanceof Date, 'timestamptz without drizzle options is a Date, as query() gives it')
})

test('row counts and command tags are the same for writes', async (t) => {
  const { pg, client } = await embedded()
  t.teardown(() => pg.close())
  await pg.exec(`create table c (id int primary key, v text); insert into c select g, 'x' || g from generate_series(1, 5) g`)
  const writes: Array<[string, unknown[]]> = [
    ['insert into c values ($1, $2)', [10, 'a']],
    ['insert into c values ($1, $2) returning *', [11, 'b']],
    ['insert into c select g, null from generate_series($1::int, $2::int) g', [20, 24]],
    ['update c set v = $1 where id <= $2', ['y', 3]],
    ['update c set v = $1 where id = $2 returning id, v', ['z', 4]],
    ['delete from c where id > $1', [100]],
    ['delete from c where id = $1 returning *', [5]],
    ['select set_config($1, $2, true) as s', ['app.x', '1']],
    ['create temp table tt (x int)', []],
  ]
  for (const [name, options] of configs) {
    for (const [q, params] of writes) {
      // Each in a transaction rolled back, so both paths start from the same rows.
      const mine = await client.transaction(async (tx) => { const r = await tx.query(q, params, options); await tx.rollback(); return r })
      const theirs = await pg.transaction(async (tx) => { const r = await tx.query(q, params, options); await tx.rollback(); return r })
      t.strictSame(mine, theirs, `${name}: ${q}`)
    }
  }
  const r = await client.query('update c set v = $1 where id <= $2', ['q', 2])
  t.equal(r.affectedRows, 2, 'affectedRows outside a transaction')
  t.equal((r as { rowCount?: number }).rowCount, 2)
})

test('through drizzle, the query builder reads and writes the same', async (t) => {
  const { pg, client } = await embedded()
  t.teardown(() => pg.close())
  await pg.exec(`create table d (id integer primary key, big bigint, amount numeric, ok boolean, day date, at timestamptz, data jsonb, note text)`)
  const d = pgTable('d', {
    id: integer('id').primaryKey(), big: bigint('big', { mode: 'number' }), amount: numeric('amount'), ok: boolean('ok'), day: date('day'),
    at: timestamp('at', { withTimezone: true }), data: jsonb('data'), note: text('note'),
  })
  const mine = drizzle({ client: client as unknown as PGlite })
  const theirs = drizzle({ client: pg })
  const inserted = await mine.insert(d).values([
    { id: 1, big: 2 ** 40, amount: '3.14', ok: true, day: '2024-05-06', at: new Date('2024-05-06T07:08:09.123Z'), data: { k: ['v', 1] }, note: '注' },
    { id: 2, big: null, amount: null, ok: false, day: null, at: null, data: null, note: null },
  ]).returning()
  t.strictSame(inserted, await theirs.select().from(d).orderBy(d.id), 'returning gives what a select through query() gives')
  t.strictSame(await mine.select().from(d).orderBy(d.id), await theirs.select().from(d).orderBy(d.id), 'select')
  t.strictSame(await mine.select({ day: d.day, at: d.at }).from(d).where(sql`${d.id} = ${1}`), [{ day: '2024-05-06', at: new Date('2024-05-06T07:08:09.123Z') }], 'date and timestamptz as drizzle maps them')
  t.strictSame(await mine.execute(sql`select ${d.data} from ${d} order by ${d.id}`), await theirs.execute(sql`select ${d.data} from ${d} order by ${d.id}`), 'execute')
})

test('errors are PGlite errors with the same fields', async (t) => {
  const { pg, client } = await embedded()
  t.teardown(() => pg.close())
  await pg.exec(`create table p (id int primary key);
    create table e (id int primary key, code text not null constraint e_code_uq unique, n int check (n > 0), p int references p(id));
    insert into p values (1); insert into e values (1, 'a', 1, 1)`)
  const failing: Array<[string, string, unknown[]]> = [
    ['23505', 'insert into e (id, code) values ($1, $2)', [2, 'a']],
    ['23502', 'insert into e (id, code) values ($1, $2)', [3, null]],
    ['23514', 'insert into e (id, code, n) values ($1, $2, $3)', [4, 'd', -1]],
    ['23503', 'insert into e (id, code, p) values ($1, $2, $3)', [5, 'e', 9]],
    ['42601', 'selec 1', []],
    ['42703', 'select nope from e', []],
    ['42P01', 'select * from nowhere', []],
    ['22012', 'select 1 / $1::int as x', [0]],
    ['22P02', 'select $1::int as x', ['abc']],
    ['08P01', 'select $1::int as x', [1, 2]],
    ['42601', 'select 1; select 2', []],
  ]
  const fields = ['name', 'message', 'severity', 'code', 'detail', 'hint', 'position', 'schema', 'table', 'column', 'dataType', 'constraint', 'routine', 'query', 'params'] as const
  const caught = async (p: Promise<unknown>) => p.then(() => { throw new Error('did not fail') }, (e: unknown) => e as Record<string, unknown>)
  for (const [code, q, params] of failing) {
    const theirs = await caught(pg.query(q, params))
    t.equal(theirs.code, code, `query() fails with ${code}: ${q}`)
    for (const round of ['first', 'again']) {
      const mine = await caught(client.query(q, params))
      t.ok(mine instanceof messages.DatabaseError, `${round}: a DatabaseError`)
      // The one difference: a Bind that does not fit its statement names the statement, now a named one.
      const mineFields = Object.fromEntries(fields.map((f) => [f, f === 'message' ? String(mine[f]).replace(/statement "xinan_\d+"/, 'statement ""') : mine[f]]))
      t.strictSame(mineFields, Object.fromEntries(fields.map((f) => [f, theirs[f]])), `${round}: ${code} with the same fields`)
    }
  }
  t.strictSame((await client.query('select count(*)::int as n from e')).rows, [{ n: 1 }], 'nothing was written, and the session still answers')
})

test('a unique violation on the embedded database still maps to a 409 naming the field', async (t) => {
  const database = await openDatabase({ memory: true, loadDataDir: await cluster() })
  t.teardown(() => database.close())
  await database.db.execute(sql`create table students (id int primary key, student_no text, constraint students_school_no_uq unique (student_no))`)
  await database.db.execute(sql`insert into students values (${1}, ${'S1'})`)
  const err = await database.db.execute(sql`insert into students values (${2}, ${'S1'})`).then(() => null, (e: unknown) => e)
  const mapped = fromDatabaseError(err)
  t.ok(mapped instanceof AppError, 'a typed error')
  t.equal((mapped as AppError).statusCode, 409)
  t.strictSame((mapped as AppError).details, { fields: ['studentNo'] })
})

test("the app's embedded database prepares drizzle's statements by name", async (t) => {
  const database = await openDatabase({ memory: true, loadDataDir: await cluster() })
  t.teardown(() => database.close())
  const rows = await queryRows<{ one: number }>(database.db, sql`select ${1}::int as one`)
  t.strictSame(rows, [{ one: 1 }])
  const names = await rawRows<{ statement: string }>(database, 'select statement from pg_prepared_statements')
  t.ok(names.some((r) => r.statement === 'select $1::int as one'), 'the statement is prepared under a name')
  // COPY from '/dev/blob' stays on PGlite's own path, in a transaction and out of one.
  await database.db.execute(sql`create table cp (a int, b text)`)
  t.equal(await database.copyRows('cp', ['a', 'b'], [[1, 'x'], [2, null]]), 2)
  await database.db.transaction((tx) => database.copyRows('cp', ['a', 'b'], [[3, 'y']], tx))
  // Inside a transaction of EmbeddedStatements, a statement with a blob gives what PGlite's own query() gives.
  const { pg, client } = await embedded()
  t.teardown(() => pg.close())
  await pg.exec('create table cq (a int, b text)')
  const copy = `copy cq (a, b) from '/dev/blob'`
  const blob = () => new Blob(['1\tx\n2\t\\N\n'])
  const mine = await client.transaction((tx) => tx.query(copy, [], { blob: blob() }))
  const theirs = await pg.transaction((tx) => tx.query(copy, [], { blob: blob() }))
  t.strictSame(mine, theirs, 'COPY in a transaction: the same result')
  t.strictSame((await pg.query('select a, b from cq order by a, b')).rows, [{ a: 1, b: 'x' }, { a: 1, b: 'x' }, { a: 2, b: null }, { a: 2, b: null }])
  const exported = await client.transaction((tx) => tx.query(`copy (select 7 as n) to '/dev/blob'`, [], { blob: new Blob([]) }))
  t.equal(await exported.blob?.text(), '7\n', 'COPY TO a blob inside a transaction hands the blob back')
  t.strictSame(await queryRows(database.db, sql`select a, b from cp order by a`), [{ a: 1, b: 'x' }, { a: 2, b: null }, { a: 3, b: 'y' }])
})

test('after DDL a cached statement answers with the new shape', async (t) => {
  const { pg, statements, client } = await embedded()
  t.teardown(() => pg.close())
  await pg.exec(`create table s (id int primary key, v text); insert into s values (1, '5')`)
  const read = 'select * from s'
  t.strictSame((await client.query(read)).rows, [{ id: 1, v: '5' }])

  await client.query('alter table s alter column v type int using v::int')
  t.strictSame((await client.query(read)).rows, [{ id: 1, v: 5 }], 'DDL through the client: the result type changed')

  await client.transaction(async (tx) => {
    t.strictSame((await tx.query(read)).rows, [{ id: 1, v: 5 }])
    await tx.query('alter table s add column w text default $$w$$')
    t.strictSame((await tx.query(read)).rows, [{ id: 1, v: 5, w: 'w' }], 'and inside a transaction, the new column')
  })

  // DDL the client did not see: PostgreSQL refuses the cached plan ("cached plan must not change result type").
  await pg.exec('alter table s drop column w')
  t.strictSame((await client.query(read)).rows, [{ id: 1, v: 5 }], 'outside a transaction it is prepared again')
  await pg.exec(`alter table s add column x int default 7`)
  t.strictSame((await client.query(read)).rows, [{ id: 1, v: 5, x: 7 }], 'once more')
  await pg.exec(`alter table s drop column x`)
  const inTx = await client.transaction((tx) => tx.query(read)).then(() => null, (e: { code?: string }) => e.code)
  t.equal(inTx, '0A000', 'inside a transaction the error aborts it: it cannot be retried there')
  t.strictSame(await client.transaction(async (tx) => (await tx.query(read)).rows), [{ id: 1, v: 5 }], 'the next transaction prepares it again')
  t.ok(statements.size <= 2, 'no name is kept twice for a text')
})

test('the cache holds the most recently used statements, and evicted names are closed', async (t) => {
  const { pg, statements, client } = await embedded(3)
  t.teardown(() => pg.close())
  const texts = ['select 1 as a', 'select 2 as b', 'select 3 as c', 'select 4 as d']
  const prepared = async () => (await pg.query<{ statement: string }>('select statement from pg_prepared_statements order by statement')).rows.map((r) => r.statement)
  for (const q of texts.slice(0, 3)) await client.query(q)
  await client.query(texts[0]!) // a is now the most recent; b the least
  await client.query(texts[3]!)
  t.equal(statements.size, 3)
  await client.query(texts[3]!) // carries the Close of the evicted name
  t.strictSame(await prepared(), ['select 1 as a', 'select 3 as c', 'select 4 as d'], 'b was evicted and closed in the database')
  t.strictSame((await client.query(texts[1]!)).rows, [{ b: 2 }], 'an evicted statement is prepared again')
  for (let i = 0; i < 20; i++) t.strictSame((await client.query(`select ${i} as n, $1::int as p`, [i])).rows, [{ n: i, p: i }])
  await client.query(texts[0]!)
  t.equal(statements.size, 3)
  t.equal((await prepared()).length, 3, 'the database holds no more names than the cache')
})

test('a name evicted inside an aborted transaction is still closed', async (t) => {
  const { pg, client } = await embedded(1)
  t.teardown(() => pg.close())
  await client.query('select 2 as b')
  const codes = await client.transaction(async (tx) => {
    const first = await tx.query('select 1 / 0 as x').then(() => null, (e: { code?: string }) => e.code) // evicts b
    const next = await tx.query('select 1 / 0 as x').then(() => null, (e: { code?: string }) => e.code) // carries b's Close
    return [first, next]
  }).then(() => 'committed', (e: { code?: string }) => e.code)
  t.equal(codes, '25P02', 'the transaction was aborted')
  // BEGIN, COMMIT and ROLLBACK are prepared once, outside the cache.
  t.strictSame((await pg.query(`select statement from pg_prepared_statements where statement not in ('begin', 'commit', 'rollback')`)).rows, [{ statement: 'select 1 / 0 as x' }], 'b is gone')
})

test('an error inside a transaction rolls it back and leaves the session clean', async (t) => {
  const database = await openDatabase({ memory: true, loadDataDir: await cluster() })
  t.teardown(() => database.close())
  const { db } = database
  const pg = (db as unknown as { $client: PGlite }).$client
  await db.execute(sql`create table r (id int primary key)`)
  const failed = await db.transaction(async (tx) => {
    await tx.execute(sql`insert into r values (${1})`)
    await tx.execute(sql`insert into r values (${1})`)
  }).then(() => null, (e: { cause?: { code?: string } }) => e.cause?.code)
  t.equal(failed, '23505', 'the transaction fails with the statement\'s error')
  t.equal(pg.isInTransaction(), false, 'no transaction is left open')
  t.strictSame(await queryRows(db, sql`select id from r`), [], 'the first insert was rolled back')

  const after = await db.transaction(async (tx) => {
    await tx.execute(sql`insert into r values (${2})`)
    const e = await tx.execute(sql`insert into r values (${2})`).then(() => null, (e: { cause?: { code?: string } }) => e.cause?.code)
    const next = await tx.execute(sql`select ${3}::int as n`).then(() => null, (e: { cause?: { code?: string } }) => e.cause?.code)
    return [e, next]
  }).then(() => 'committed', (e: { code?: string }) => e.code)
  t.equal(after, '25P02', 'a statement after the failed one is refused, and COMMIT rolls back, as with query()')

  await db.transaction(async (tx) => {
    await tx.execute(sql`insert into r values (${4})`)
    await tx.transaction(async (sp) => {
      await sp.execute(sql`insert into r values (${5})`)
      await sp.execute(sql`insert into r values (${4})`)
    }).catch(() => undefined)
    await tx.execute(sql`insert into r values (${6})`)
  })
  t.strictSame(await queryRows(db, sql`select id from r order by id`), [{ id: 4 }, { id: 6 }], 'a failed savepoint rolls back to itself; the rest commits')
})

test('statements from concurrent requests do not mix', async (t) => {
  const { pg, client } = await embedded()
  t.teardown(() => pg.close())
  await pg.exec('create table q (id int primary key, v int)')
  const jobs = Array.from({ length: 60 }, (_, i) => i % 3 === 0
    ? client.transaction(async (tx) => {
      await tx.query('insert into q values ($1, $2)', [i, i * 2])
      return (await tx.query<{ v: number }>('select v from q where id = $1', [i])).rows[0]!.v
    })
    : client.query<{ v: number }>('select $1::int * 2 as v', [i]).then((r) => r.rows[0]!.v))
  t.strictSame(await Promise.all(jobs), Array.from({ length: 60 }, (_, i) => i * 2))
  t.equal(pg.isInTransaction(), false)
})

async function rawRows<T>(database: Database, q: string): Promise<T[]> {
  const pg = (database.db as unknown as { $client: PGlite }).$client
  return (await pg.query<T>(q)).rows
}

test('a transaction sends BEGIN with its first statement, queued statements with the next, COMMIT with the last', async (t) => {
  const { pg, client } = await embedded()
  t.teardown(() => pg.close())
  await pg.exec(`create table a (id int primary key, v text)`)
  const once = async () => client.transaction(async (tx) => {
    const settings = tx.ahead<{ s: string }>(`select set_config('app.x', $1, true) as s`, ['7'])
    const row = (await tx.query<{ x: string }>(`select current_setting('app.x') as x`)).rows[0]!
    const audit = tx.ahead(`insert into a values ($1, $2)`, [Number(row.x), 'audit'])
    return { settings: (await settings).rows, row, audit }
  })
  await once().then(() => pg.query('delete from a')) // prepares the statements
  const { value, calls } = await callsDuring(pg, once)
  t.equal(calls, 2, 'BEGIN, the queued settings and the read in one call; the queued insert and COMMIT in the next')
  t.strictSame(value.settings, [{ s: '7' }], 'the queued statement ran first and its rows came back')
  t.strictSame(value.row, { x: '7' }, 'the statement after it saw its setting')
  t.equal((await value.audit).affectedRows, 1)
  t.strictSame((await pg.query('select id, v from a')).rows, [{ id: 7, v: 'audit' }], 'the statement queued last was committed with COMMIT')
  t.equal(pg.isInTransaction(), false)

  const read = () => client.transaction((tx) => tx.query('select id from a'))
  const first = await callsDuring(pg, read)
  t.equal(first.calls, 4, 'the first time: BEGIN, then the statement parsed inside the transaction, then run, then COMMIT')
  const bare = await callsDuring(pg, read)
  t.equal(bare.calls, 2, 'a read alone: BEGIN and it, then COMMIT (PGlite\'s transaction() makes four)')
  const nothing = await callsDuring(pg, () => client.transaction(async () => 'no statement'))
  t.strictSame(nothing, { value: 'no statement', calls: 0 }, 'a transaction that ran nothing sends nothing')
  const queuedOnly = () => client.transaction(async (tx) => {
    const s = tx.ahead<{ n: number }>('select 1::int as n')
    await tx.flush()
    return (await s).rows
  })
  await queuedOnly()
  const flushed = await callsDuring(pg, queuedOnly)
  t.strictSame(flushed, { value: [{ n: 1 }], calls: 2 }, 'flush() sends what is queued when nothing follows it')
})

test('commitWithNext(): the next statement carries the COMMIT, in one call with what was queued', async (t) => {
  const { pg, client } = await embedded()
  t.teardown(() => pg.close())
  await pg.exec(`create table c (id int primary key, v text)`)
  await pg.exec(`insert into c values (1, 'one')`)
  const code = (e: unknown) => (e as { code?: string }).code
  const read = (id: number) => client.transaction(async (tx) => {
    const settings = tx.ahead<{ s: string }>(`select set_config('app.x', $1, true) as s`, ['7'])
    tx.commitWithNext()
    const rows = (await tx.query<{ v: string; x: string }>(`select v, current_setting('app.x') as x from c where id = $1`, [id])).rows
    return { rows, settings: (await settings).rows, closed: tx.closed }
  })
  await read(1) // prepares the statements
  const once = await callsDuring(pg, () => read(1))
  t.equal(once.calls, 1, 'BEGIN, the queued settings, the read and COMMIT in one call')
  t.strictSame(once.value, { rows: [{ v: 'one', x: '7' }], settings: [{ s: '7' }], closed: true }, 'the read saw the setting sent ahead of it; the transaction is closed')
  t.equal(pg.isInTransaction(), false, 'and committed')
  t.strictSame((await pg.query<{ x: string }>(`select current_setting('app.x', true) as x`)).rows, [{ x: '' }], 'the setting ended with it')

  const after = await client.transaction(async (tx) => {
    tx.commitWithNext()
    await tx.query('insert into c values ($1, $2)', [2, 'two'])
    return tx.query('select 1').then(() => 'ran', (e: Error) => e.message)
  })
  t.equal(after, 'Transaction is closed', 'a statement after the last one fails')
  t.strictSame((await pg.query('select id from c order by id')).rows, [{ id: 1 }, { id: 2 }], 'what the last statement wrote was committed')

  // All in one call and all prepared (no BEGIN or COMMIT is needed): still one transaction.
  const pair = (id: number, last: string) => client.transaction(async (tx) => {
    const first = tx.ahead('insert into c values ($1, $2)', [id, 'queued'])
    tx.commitWithNext()
    const r = await tx.query(last, [id]).then(() => 'ran', code)
    return { r, first: await first.then(() => 'ran', code), inTransaction: pg.isInTransaction() }
  })
  t.strictSame(await pair(10, 'select $1::int / 1'), { r: 'ran', first: 'ran', inTransaction: false }, 'prepares both statements')
  t.strictSame(await callsDuring(pg, () => pair(11, 'select $1::int / 1')), { value: { r: 'ran', first: 'ran', inTransaction: false }, calls: 1 })
  await pair(13, 'select 1 / ($1::int - 12)')
  const broken = await callsDuring(pg, () => pair(12, 'select 1 / ($1::int - 12)'))
  t.strictSame(broken, { value: { r: '22012', first: 'ran', inTransaction: false }, calls: 1 }, 'the second statement fails in the same call')
  t.strictSame((await pg.query('select id from c where id >= 10 order by id')).rows, [{ id: 10 }, { id: 11 }, { id: 13 }], 'and the first one\'s insert was rolled back with it')

  // The last statement fails: COMMIT did not run, and the transaction is rolled back even when fn goes on.
  const failed = await client.transaction(async (tx) => {
    await tx.query('insert into c values ($1, $2)', [3, 'three'])
    tx.commitWithNext()
    const e = await tx.query('insert into c values ($1, $2)', [1, 'again']).then(() => null, code)
    return { e, inTransaction: pg.isInTransaction() }
  })
  t.strictSame(failed, { e: '23505', inTransaction: false }, 'the failed last statement rolled the transaction back at once')
  t.strictSame((await pg.query('select id from c where id < 10 order by id')).rows, [{ id: 1 }, { id: 2 }], 'the insert before it was not kept')

  // A transaction a caught failure aborted: COMMIT answers ROLLBACK, and the last statement fails.
  const aborted = await client.transaction(async (tx) => {
    await tx.query('select 1 / $1::int', [0]).catch(() => undefined)
    tx.commitWithNext()
    return tx.query('select 1').then(() => 'ran', code)
  })
  t.equal(aborted, '25P02', 'the statement after the failure says the transaction is aborted')
  t.equal(pg.isInTransaction(), false)
})

test('a queued statement that fails stops the ones after it, and the transaction rolls back', async (t) => {
  const { pg, client } = await embedded()
  t.teardown(() => pg.close())
  await pg.exec(`create table b (id int primary key)`)
  const code = (e: unknown) => (e as { code?: string }).code
  let queued: Promise<unknown> = Promise.resolve()
  const failed = await client.transaction(async (tx) => {
    await tx.query('insert into b values ($1)', [1])
    queued = tx.ahead('insert into b values ($1)', [1])
    return tx.query('insert into b values ($1)', [2])
  }).then(() => 'committed', code)
  t.equal(failed, '23505', 'the statement after the failed one fails with its error')
  t.equal(await queued.then(() => 'ran', code), '23505', 'the queued statement fails with its own error')
  t.equal(pg.isInTransaction(), false, 'no transaction is left open')
  t.strictSame((await pg.query('select id from b')).rows, [], 'the first insert was rolled back')

  // As an audit append that fails just before COMMIT: COMMIT does not run, and nothing is kept.
  const atCommit = await client.transaction(async (tx) => {
    await tx.query('insert into b values ($1)', [3])
    queued = tx.ahead('select 1 / $1::int as x', [0])
  }).then(() => 'committed', code)
  t.equal(atCommit, '22012', 'the transaction fails with the queued statement\'s error')
  t.equal(await queued.then(() => 'ran', code), '22012')
  t.equal(pg.isInTransaction(), false, 'the transaction left open by the skipped COMMIT was rolled back')
  t.strictSame((await pg.query('select id from b')).rows, [], 'the insert before it was not committed')

  // fn fails before anything was sent: nothing ran, and the queued statement says so.
  const early = await client.transaction(async (tx) => {
    queued = tx.ahead('insert into b values ($1)', [4])
    throw new Error('fn failed')
  }).then(() => 'committed', (e: Error) => e.message)
  t.equal(early, 'fn failed')
  t.equal(await queued.then(() => 'ran', (e: Error) => e.message), 'fn failed', 'the queued statement was not sent')
  t.strictSame((await pg.query('select id from b')).rows, [])

  // rollback(), exec() and a closed transaction, as PGlite's.
  const rolled = await client.transaction(async (tx) => {
    await tx.exec('insert into b values (5); insert into b values (6)')
    await tx.rollback()
    return tx.closed
  })
  t.equal(rolled, true, 'rollback() closes the transaction')
  t.strictSame((await pg.query('select id from b')).rows, [], 'and what exec() wrote is gone')
  let kept: Parameters<Parameters<typeof client.transaction>[0]>[0] | undefined
  await client.transaction(async (tx) => { kept = tx })
  await t.rejects(kept!.query('select 1'), /Transaction is closed/, 'a statement on a finished transaction is refused')
})
