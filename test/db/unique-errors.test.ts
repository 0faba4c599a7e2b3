import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { fromDatabaseError, UNIQUE_FIELDS } from '../../src/db/errors.js'
import { AppError } from '../../src/lib/errors.js'
import { humanParams } from '../../src/lib/error-words.js'
import { freshDatabase } from '../helpers/database.js'

/**
 * A duplicate answers 409 with a message that names what already exists ("记录已存在：学号"),
 * never "记录已存在：" with nothing after it. One mapper (src/db/errors.ts) knows every unique
 * constraint; this reads the constraints from the database itself, so a new one fails here
 * until it is named.
 */
t.test('every unique constraint and unique index of the schema is named for the caller', async (t) => {
  const { database, drop } = await freshDatabase()
  t.teardown(drop)
  const rows = await queryRows<{ name: string; table: string }>(database.db, sql`
    select i.relname as name, c.relname as "table"
    from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class c on c.oid = x.indrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and x.indisunique and not x.indisprimary
    order by 1`)
  t.ok(rows.length >= 20, `the schema's unique constraints were read (${rows.length})`)
  for (const { name, table } of rows) {
    t.test(`${table}: ${name}`, async (t) => {
      const err = fromDatabaseError(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505', constraint_name: name }))
      t.ok(err instanceof AppError, 'becomes a typed error')
      const e = err as AppError
      t.equal(e.statusCode, 409)
      t.equal(e.code, 'duplicate')
      const what = String(e.params.what ?? '')
      t.not(what, '', 'names what exists')
      t.match(e.details, { fields: [/\w/] }, 'names the field to change')
      const zh = String(humanParams('duplicate', e.params, 'zh-CN').what)
      const en = String(humanParams('duplicate', e.params, 'en').what)
      t.match(zh, /[\u4e00-\u9fff]/, `in Chinese words (${zh})`)
      t.ok(en.length > 0 && !/_|[a-z][A-Z]/.test(en), `in English words, not a code (${en})`)
    })
  }
  const unknown = fromDatabaseError(Object.assign(new Error('x'), { code: '23505', constraint_name: 'no_such_uq' })) as AppError
  t.same(unknown.params, { what: '' }, 'an unknown constraint is not given a made-up name')
  t.equal(Object.keys(UNIQUE_FIELDS).filter((k) => !rows.some((r) => r.name === k)).length, 0, 'no name for a constraint that does not exist')
})

t.test('a database error that is not a clash keeps only its SQLSTATE', async (t) => {
  const raw = Object.assign(new Error('value too long: 王小明 13800000000'), { code: '22001' })
  const e = fromDatabaseError(raw) as Error
  t.equal(e.message, 'database error 22001')
  t.notMatch(e.message, /王小明|13800000000/)
  t.equal((fromDatabaseError(Object.assign(new Error('fk'), { code: '23503' })) as AppError).code, 'in_use')
})
