import { sql } from 'drizzle-orm'
import { serverAnalyzesItself } from '../db/auto-analyze.js'
import type { JobContext, JobCounts } from './runner.js'

/**
 * VACUUM (ANALYZE) of a database that nothing else vacuums. The embedded PostgreSQL (PGlite)
 * runs in one process without the autovacuum launcher, so nothing else ever removes the dead
 * rows that updates leave (measured: none after 70 s, where a server's autovacuum looks every
 * 60 s); neither does a server whose autovacuum is off (autovacuum = off, or the change
 * counters it reads, track_counts, off: some test and CI servers run so). Without it, tables
 * and indexes only grow. The statistics of tables that grow are refreshed while the app runs
 * (src/db/auto-analyze.ts); this pass also refreshes those of tables that changed without
 * growing. On a server whose autovacuum runs, the job does nothing.
 */
export async function vacuumUnattended({ database }: Pick<JobContext, 'database'>): Promise<JobCounts> {
  if (database.kind === 'server' && await serverAnalyzesItself(database.db)) return { vacuumed: false, reason: 'server: autovacuum' }
  const started = performance.now()
  await database.db.execute(sql`vacuum (analyze)`)
  return { vacuumed: true, ms: Math.round(performance.now() - started) }
}
