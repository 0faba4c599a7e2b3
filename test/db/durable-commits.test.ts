import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t from '../helpers/tap.js'
import { openDatabase, queryRows, sql } from '../../src/db/database.js'
import { fsyncStats } from '../../src/db/durable-fs.js'

// Starts real processes on new data folders (initdb each): slower than the suite's default limit on a busy 2-core machine.
t.setTimeout(600_000)

const root = resolve(import.meta.dirname, '..', '..')
const embeddedOnly = process.env.TEST_DATABASE_URL ? 'fsync of the embedded data folder; the PostgreSQL server syncs its own WAL' : false

const base = mkdtempSync(join(tmpdir(), 'xinan-fsync-'))
t.teardown(() => rmSync(base, { recursive: true, force: true }))
const pgdata = join(base, 'pgdata')

t.test('every embedded commit is fsynced before it returns: one fsync per transaction, none for reads', { skip: embeddedOnly }, async (t) => {
  const database = await openDatabase({ dataDir: pgdata })
  try {
    const settings = await queryRows<{ fsync: string; method: string }>(database.db, sql`select current_setting('fsync') as fsync, current_setting('wal_sync_method') as method`)
    t.same(settings[0], { fsync: 'on', method: 'fsync' }, 'PostgreSQL runs with fsync on, syncing the WAL through fsync()')
    await database.db.execute(sql`create table durable_rows (id serial primary key, v text not null)`)

    const perCommit: number[] = []
    for (let i = 0; i < 20; i++) {
      const before = fsyncStats.calls
      await database.db.execute(sql`insert into durable_rows (v) values (${`row ${i}`})`)
      perCommit.push(fsyncStats.calls - before)
    }
    t.same(perCommit, Array(20).fill(1), 'each of 20 commits made exactly one fsync before its promise resolved')

    let before = fsyncStats.calls
    await database.db.transaction(async (tx) => {
      for (let i = 0; i < 10; i++) await tx.execute(sql`insert into durable_rows (v) values ('in a batch')`)
    })
    t.equal(fsyncStats.calls - before, 1, 'ten inserts in one transaction (as the audit batcher does): one fsync')

    before = fsyncStats.calls
    for (let i = 0; i < 10; i++) await queryRows(database.db, sql`select count(*) from durable_rows`)
    t.equal(fsyncStats.calls - before, 0, 'reads write no WAL and sync nothing')
    t.ok(existsSync(join(pgdata, 'xinan-fsynced')), 'the folder initdb wrote without fsync was synced once, and marked')
  } finally {
    await database.close()
  }

  // PGlite's own behaviour, kept only for the bench's comparison: nothing reaches the disk.
  const fast = await openDatabase({ dataDir: pgdata, durable: false })
  try {
    const before = fsyncStats.calls
    for (let i = 0; i < 5; i++) await fast.db.execute(sql`insert into durable_rows (v) values ('unsynced')`)
    t.equal(fsyncStats.calls - before, 0, 'durable: false makes no fsync')
    const n = await queryRows<{ n: number }>(fast.db, sql`select count(*)::int as n from durable_rows`)
    t.equal(n[0]!.n, 35, 'the rows of the durable session are all there after reopening')
    t.notOk(existsSync(join(pgdata, 'xinan-fsynced')), 'a run without fsync removes the mark, so the next durable start syncs the folder again')
  } finally {
    await fast.close()
  }
})

function straceWorks(): string | false {
  const r = spawnSync('strace', ['-f', '-e', 'trace=fsync', 'true'], { encoding: 'utf8' })
  if (r.error) return 'strace is not installed (apt-get install -y strace)'
  if (r.status !== 0) return `strace cannot trace here: ${r.stderr.trim().split('\n')[0]}`
  return false
}

t.test('strace sees the fsync syscalls: one per commit, on the WAL segment', { skip: embeddedOnly || straceWorks() }, async (t) => {
  const out = join(base, 'strace.out')
  const n = 30
  const child = spawn('strace', ['-f', '-y', '-e', 'trace=fsync,fdatasync', '-o', out,
    process.execPath, '--import', 'tsx', join(import.meta.dirname, 'fixtures', 'commit-markers.ts'), pgdata, String(n)], { cwd: root, stdio: 'ignore' })
  const code = await new Promise<number | null>((ok) => child.on('exit', ok))
  t.equal(code, 0, 'the traced process ran')

  const lines = readFileSync(out, 'utf8').split('\n')
  const begin = lines.findIndex((l) => l.includes('begin-marker'))
  const end = lines.findIndex((l) => l.includes('end-marker'))
  t.ok(begin >= 0 && end > begin, 'both markers traced')
  // One line starts each call: `fsync(7</…>) = 0`, or, when another thread's call is written in
  // between (a loaded machine), `fsync(7</…> <unfinished ...>` and later a `<... fsync resumed>`
  // line that does not start one.
  const between = lines.slice(begin + 1, end).filter((l) => /\b(fsync|fdatasync)\(/.test(l))
  const wal = between.filter((l) => /fsync\(\d+<[^>]*\/pg_wal\/[0-9A-F]{24}>(\)| <unfinished)/.test(l))
  t.equal(between.length, n, `${n} commits → ${n} fsync syscalls`)
  t.equal(wal.length, n, 'each one on the WAL segment the commit was written to')
})
