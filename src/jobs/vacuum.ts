import { sql } from 'drizzle-orm'
import type { JobContext, JobCounts } from './runner.js'

/**
 * VACUUM (ANALYZE) of the embedded database. The embedded PostgreSQL (PGlite) runs in one
 * process without the autovacuum launcher, so nothing else ever removes the dead rows that
 * updates leave (measured: none after 70 s, where a server's autovacuum looks every 60 s).
 * Without it, tables and indexes only grow. The statistics of tables that grow are refreshed
 * while the server runs (src/db/auto-analyze.ts); this pass also refreshes those of tables that
 * changed without growing. On a server autovacuum does this, and the job does nothing.
 */
export async function vacuumEmbedded({ database }: Pick<JobContext, 'database'>): Promise<JobCounts> {
  if (database.kind !== 'embedded') return { vacuumed: false, reason: 'server: autovacuum' }
  const started = performance.now()
  await database.db.execute(sql`vacuum (analyze)`)
  return { vacuumed: true, ms: Math.round(performance.now() - started) }
}
