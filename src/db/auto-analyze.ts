import { sql } from 'drizzle-orm'
import { queryRows, type Db } from './database.js'

/**
 * The planner's statistics of the embedded database, and of a server whose autovacuum is off,
 * kept current while it runs.
 *
 * PGlite has no autovacuum launcher, and its per-table change counters stay at zero (they are
 * only flushed by a server's backends), so nothing re-analyzes a table as it grows until the
 * nightly vacuum job. Meanwhile the plans cached for prepared statements, chosen while a table
 * was small, stay in use: a talk-log POST scanned every talk log, and measured one at a time it
 * went from 2.4 ms to 7.5, 11 and 20 ms as 10,000, 20,000 and 30,000 logs were written; an
 * ANALYZE brought it back to 3 ms, where it stayed as the table grew further.
 *
 * A server with autovacuum turned off (autovacuum = off, as on some CI and test machines) is in
 * the same place, and so are PL/pgSQL functions' cached plans: a pooled connection that first
 * appended to the audit chain while audit_log was nearly empty kept reading the chain's head
 * by a sequential scan of the whole log (measured: 867 such scans reading 4.1 million rows in
 * 25 s of talk-log POSTs), so every write slowed as the log grew.
 *
 * Every `everyMs` this analyzes the tables that grew since their statistics were taken: whose
 * main fork has at least 10% and 4 pages more than the page count the last ANALYZE or VACUUM
 * recorded (pg_class.relpages). That is the server's autoanalyze rule (50 rows and 10% of the
 * table) counted in pages, which PostgreSQL does keep. On a server the rule itself applies as
 * well, on the rows changed since the last ANALYZE (pg_stat_user_tables.n_mod_since_analyze,
 * which PGlite leaves at 0): an ANALYZE that ran while a large insert was still uncommitted
 * counted its pages but not its rows, and the page count alone would never bring it back.
 * ANALYZE also invalidates the cached plans of the statements that read the table, so they are
 * planned again. A table that keeps growing is analyzed each time it grew by a tenth: a few
 * dozen times on its way to a million rows, each reading a sample of at most 30,000 rows.
 */
const GROWN = sql`
  select format('%I.%I', n.nspname, c.relname) as name
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  left join pg_stat_user_tables s on s.relid = c.oid
  where c.relkind = 'r' and c.relpersistence = 'p' and n.nspname = 'public'
    and (pg_relation_size(c.oid) / current_setting('block_size')::int >= c.relpages * 1.1 + 4
      or coalesce(s.n_mod_since_analyze, 0) >= 50 + 0.1 * greatest(c.reltuples, 0))
  order by c.relname`

/**
 * Analyzes every table that grew since its statistics were taken; returns their names. With
 * `target`, each ANALYZE samples 300 × target rows (default_statistics_target, 100 unless set):
 * the embedded database answers nothing while it analyzes, and a full sample of a large table
 * took 190–280 ms there against 18–33 ms at 10 (the nightly vacuum job analyzes in full).
 */
export async function analyzeGrown(db: Db, opts: { target?: number } = {}): Promise<string[]> {
  const grown = await queryRows<{ name: string }>(db, GROWN)
  for (const { name } of grown) {
    if (opts.target === undefined) await db.execute(sql.raw(`analyze ${name}`))
    else {
      await db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('default_statistics_target', ${String(opts.target)}, true)`)
        await tx.execute(sql.raw(`analyze ${name}`))
      })
    }
  }
  return grown.map((g) => g.name)
}

/** Whether the server's autovacuum analyzes its tables: it is on, and so are the change counters it reads (track_counts). */
export async function serverAnalyzesItself(db: Db): Promise<boolean> {
  const rows = await queryRows<{ autovacuum: string; track_counts: string }>(db,
    sql`select current_setting('autovacuum') as autovacuum, current_setting('track_counts') as track_counts`)
  return rows[0]?.autovacuum === 'on' && rows[0]?.track_counts === 'on'
}

export interface AutoAnalyze {
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>
}

/** A failed pass is reported (by default as a warning naming no data) and tried again on the next tick. */
const warn = (err: unknown) => console.warn(`auto-analyze: ${err instanceof Error ? err.message : String(err)}`)

/** Runs analyzeGrown every `everyMs` (the timer does not keep the process alive). */
export function startAutoAnalyze(db: Db, opts: { everyMs?: number; target?: number; onError?: (err: unknown) => void } = {}): AutoAnalyze {
  const onError = opts.onError ?? warn
  let running: Promise<void> | null = null
  const timer = setInterval(() => {
    if (running) return
    running = analyzeGrown(db, { target: opts.target }).then(() => undefined, onError).finally(() => { running = null })
  }, opts.everyMs ?? 10_000)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
