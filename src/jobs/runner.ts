import { eq, sql } from 'drizzle-orm'
import { jobRuns } from '../../db/schema/index.js'
import type { Config } from '../config.js'
import { queryRows, type Database, type Tx } from '../db/database.js'
import { withStatementAllowance } from '../db/server-client.js'
import { schoolDay } from '../lib/school-day.js'

export type JobCounts = Record<string, number | string | boolean | null>

/** What a job gets: the transaction it runs in (as the owner: jobs span schools) and the clock. */
export interface JobContext {
  tx: Tx
  /** The instant the job runs for; tests pass a fake clock. */
  now: Date
  /** `now` as the schools' calendar day. */
  today: string
  config: Config
  /** The database the transaction is on (a job may use a second connection of a server's pool). */
  database: Database
}

interface JobBase {
  name: string
  /** node-cron expression, evaluated in the schools' time zone. */
  schedule: string
  description: string
}

/** A job that does all its work in one transaction (every job but database upkeep). */
export interface TransactionJob extends JobBase {
  run(ctx: JobContext): Promise<JobCounts>
}

/**
 * Database upkeep that PostgreSQL will not run inside a transaction (VACUUM): no transaction is
 * opened for it (it uses `database` from its context) and no job lock is taken (it changes no
 * record, and a second run at once is harmless).
 */
export interface UpkeepJob extends JobBase {
  upkeep(ctx: Omit<JobContext, 'tx'>): Promise<JobCounts>
}

export type JobDefinition = TransactionJob | UpkeepJob

export interface JobRunResult {
  id: string
  job: string
  status: 'ok' | 'failed' | 'skipped'
  counts: JobCounts | null
  error: string | null
}

/** Advisory-lock namespace of the jobs (the audit chain and the demo seed use other keys). */
export const JOB_LOCK_SPACE = 727275

/** Stable 31-bit key of a job name (FNV-1a), the second half of its advisory lock. */
export function jobLockKey(name: string): number {
  let h = 0x811c9dc5
  for (const ch of Buffer.from(name, 'utf8')) {
    h ^= ch
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h & 0x7fffffff
}

/**
 * Runs one job: records the run in job_runs, takes the job's transaction-scoped advisory
 * lock without waiting — when another instance holds it, this run is recorded as 'skipped'
 * and does nothing — then does all its work in that one transaction, so a failure leaves
 * nothing half done; its statements may each run up to JOB_STATEMENT_TIMEOUT_MS. Jobs are
 * idempotent, so a run right after another changes nothing. An upkeep job runs outside any
 * transaction and without the lock.
 */
export async function runJob(database: Database, job: JobDefinition, opts: { now: Date; config: Config }): Promise<JobRunResult> {
  const { db } = database
  const [run] = await db.insert(jobRuns).values({ job: job.name }).returning({ id: jobRuns.id })
  const id = run!.id
  try {
    // The job's own statement limit, not the request one (DB_STATEMENT_TIMEOUT_MS): a nightly
    // job reads and writes the whole district, which grows with it.
    const limitMs = opts.config.JOB_STATEMENT_TIMEOUT_MS
    const today = schoolDay(opts.now, opts.config.TZ_SCHOOL)
    const ctx = { now: opts.now, today, config: opts.config, database }
    const counts = await withStatementAllowance(limitMs, async () => {
      if ('upkeep' in job) return { asOf: today, ...(await job.upkeep(ctx)) }
      return db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('statement_timeout', ${String(limitMs)}, true)`)
        const got = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${JOB_LOCK_SPACE}::int, ${jobLockKey(job.name)}::int) as locked`)
        if (!got[0]?.locked) return null
        return { asOf: today, ...(await job.run({ ...ctx, tx })) }
      })
    })
    const status = counts ? 'ok' : 'skipped'
    await db.update(jobRuns).set({ status, counts, finishedAt: sql`now()` }).where(eq(jobRuns.id, id))
    return { id, job: job.name, status, counts, error: null }
  } catch (err) {
    const error = safeError(err)
    await db.update(jobRuns).set({ status: 'failed', error, finishedAt: sql`now()` }).where(eq(jobRuns.id, id))
    return { id, job: job.name, status: 'failed', counts: null, error }
  }
}

/**
 * What of an error may be stored and logged: a database error's SQLSTATE and the first line
 * of its message, never the statement's parameters (drizzle appends them to its messages).
 */
export function safeError(err: unknown): string {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return `database error ${code}`
  }
  const message = err instanceof Error ? err.message : String(err)
  if (/^Failed query/.test(message)) return 'database error'
  return message.split('\n')[0]!.slice(0, 300)
}
