/**
 * What durable embedded commits cost: one-row INSERT commits per second on a PGlite data
 * folder with fsync on (the default: each commit's WAL is fsynced before COMMIT returns) and
 * with it off (PGlite's own default: the commit sits in the OS page cache, lost on a power
 * cut), and the fsync calls per commit. Embedded only: a PostgreSQL server syncs its own WAL.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase, sql } from '../../src/db/database.js'
import { fsyncStats } from '../../src/db/durable-fs.js'
import { note, round, type Metric, type SectionOptions } from './common.js'

async function commitsPerSecond(dir: string, durable: boolean, n: number): Promise<{ perS: number; fsyncsPerCommit: number }> {
  const database = await openDatabase({ dataDir: dir, durable })
  try {
    await database.db.execute(sql`create table if not exists bench_commit (id serial primary key, v text not null)`)
    for (let i = 0; i < 20; i++) await database.db.execute(sql`insert into bench_commit (v) values ('warm')`)
    const f0 = fsyncStats.calls
    const t0 = performance.now()
    for (let i = 0; i < n; i++) await database.db.execute(sql`insert into bench_commit (v) values (${`row ${i}`})`)
    const s = (performance.now() - t0) / 1000
    return { perS: n / s, fsyncsPerCommit: (fsyncStats.calls - f0) / n }
  } finally {
    await database.close()
  }
}

export async function benchDurability(o: SectionOptions): Promise<Metric[]> {
  if (o.url) return []
  const n = o.quick ? 300 : 2000
  const dir = mkdtempSync(join(tmpdir(), 'xinan-bench-fsync-'))
  try {
    note('creating a data folder (initdb)')
    // Alternate and keep the better of two rounds each: other load on a shared machine otherwise decides the ratio.
    const on: number[] = []
    const off: number[] = []
    let perCommit = 0
    for (let r = 1; r <= 2; r++) {
      const d = await commitsPerSecond(join(dir, 'pgdata'), true, n)
      on.push(d.perS)
      perCommit = d.fsyncsPerCommit
      off.push((await commitsPerSecond(join(dir, 'pgdata'), false, n)).perS)
      note(`round ${r}: fsync on ${d.perS.toFixed(0)}/s, off ${off.at(-1)!.toFixed(0)}/s`)
    }
    const best = (xs: number[]) => Math.max(...xs)
    return [
      { name: 'commits_per_s_fsync_embedded', value: round(best(on), 0), unit: 'one-row INSERT commits/s, data folder, fsync on (default)' },
      { name: 'commits_per_s_nofsync_embedded', value: round(best(off), 0), unit: 'the same with fsync off (PGlite default: not power-cut safe)' },
      { name: 'durable_commit_ratio_embedded', value: round(best(on) / best(off), 2), unit: 'fsync on / off' },
      { name: 'fsyncs_per_commit_embedded', value: round(perCommit, 2), unit: 'fsync calls per committed transaction' },
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
