import t from '../helpers/tap.js'
import { readdirSync, readFileSync } from 'node:fs'

/**
 * drizzle's migrator applies, on a database already migrated, only the migrations whose journal
 * time is later than the last one applied: a migration whose time is earlier than its
 * predecessor's would be skipped on every existing installation (and applied on a new one).
 */
t.test('the migration journal is in order, one entry per file', async (t) => {
  const dir = new URL('../../db/migrations/', import.meta.url)
  const journal = JSON.parse(readFileSync(new URL('meta/_journal.json', dir), 'utf8')) as { entries: Array<{ idx: number; when: number; tag: string }> }
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()
  t.same(journal.entries.map((e) => `${e.tag}.sql`), files, 'every migration file has its entry, in order')
  const late = journal.entries.filter((e, i) => i > 0 && e.when <= journal.entries[i - 1]!.when).map((e) => e.tag)
  t.same(late, [], 'each entry\'s time is later than the one before')
  t.same(journal.entries.map((e) => e.idx), journal.entries.map((_, i) => i), 'indexes count up from 0')
})
