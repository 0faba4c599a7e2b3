/**
 * Shared pieces of `npm run bench`: the metric shape every section returns, opening
 * a benchmark database (embedded in a data folder on disk, or a server URL), scratch databases on a server,
 * a configuration for an in-process app, percentiles and an RSS sampler.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { loadConfig, type Config } from '../../src/config.js'
import { openDatabase, type Database } from '../../src/db/database.js'
import { runMigrations } from '../../src/db/migrate.js'
import { defaultServerTimeouts } from '../../src/db/server-client.js'
import { dayIn } from '../../src/modules/district/school-year.js'

/** One figure: `name` ends in _embedded or _server (the orchestrator adds the unsuffixed targets). */
export interface Metric { name: string; value: number; unit: string }

export type Mode = 'embedded' | 'server'

/**
 * What every section function takes: `url` is a (scratch) server database; absent = embedded.
 * `scale` (--students, --schools) sizes the district and duty sections' synthetic districts.
 */
export interface SectionOptions { quick: boolean; url?: string | undefined; scale?: { students: number; schools: number } | undefined }

export const modeOf = (url: string | undefined): Mode => (url ? 'server' : 'embedded')

/** Progress on stderr, so stdout stays the table. */
export function note(msg: string): void {
  process.stderr.write(`  · ${msg}\n`)
}

export const round = (x: number, digits = 1): number => Number(x.toFixed(digits))
export const mb = (bytes: number): number => Math.round(bytes / 1_048_576)

/** Nearest-rank percentile. */
export function pct(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!
}

/**
 * CPU used so far (ms) by this machine's PostgreSQL server processes, read from /proc (Linux);
 * null elsewhere. The difference over a load run, divided by its requests, is the database's
 * share of a request: unlike requests per second, it does not move when another process takes
 * a core for a while.
 */
export function postgresCpuMs(): number | null {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return null
  }
  let ticks = 0
  for (const pid of entries) {
    if (!/^[0-9]+$/.test(pid)) continue
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const close = stat.lastIndexOf(')')
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue
      const fields = stat.slice(close + 2).split(' ')
      ticks += Number(fields[11]) + Number(fields[12]) // utime, stime (fields 14 and 15 of stat)
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks * 10 // USER_HZ is 100 on Linux
}

/**
 * Runs `load` and says what CPU it took, in ms: this process's (app and load generator) and,
 * with `server`, the PostgreSQL processes' (postgresCpuMs; null without /proc).
 */
export async function measuredCpu<T>(server: boolean, load: () => Promise<T>): Promise<{ result: T; appMs: number; dbMs: number | null }> {
  const app0 = process.cpuUsage()
  const db0 = server ? postgresCpuMs() : null
  const result = await load()
  const app = process.cpuUsage(app0)
  const db1 = server ? postgresCpuMs() : null
  return { result, appMs: (app.user + app.system) / 1000, dbMs: db0 !== null && db1 !== null ? db1 - db0 : null }
}

/**
 * A migrated database: the server database at `url`, or embedded as `npm start` runs it — a
 * data folder on disk (a fresh temporary one, removed on close) with durable commits (each
 * commit's WAL fsynced before COMMIT returns), not PGlite in memory.
 */
export async function openBenchDatabase(url: string | undefined, poolMax = 10): Promise<Database> {
  const dir = url ? undefined : mkdtempSync(join(tmpdir(), 'xinan-bench-data-'))
  const removeDir = () => { if (dir) rmSync(dir, { recursive: true, force: true }) }
  let database: Database
  try {
    // No 10 s statement limit (the app's default, DB_STATEMENT_TIMEOUT_MS): a loaded machine or
    // the scale run takes longer over a whole district, and a figure beats a cancelled job.
    // Tables re-analyzed as they grow, as npm start does (src/db/auto-analyze.ts): embedded, and
    // on a server whose autovacuum is off.
    database = await openDatabase(url ? { url, poolMax, timeouts: { ...defaultServerTimeouts, statementTimeoutMs: 3_600_000 }, autoAnalyze: {} } : { dataDir: dir, autoAnalyze: {} })
  } catch (err) {
    removeDir()
    throw err
  }
  try {
    await runMigrations(database, url)
  } catch (err) {
    await database.close()
    removeDir()
    throw err
  }
  if (!dir) return database
  const close = database.close.bind(database)
  return { ...database, async close() { try { await close() } finally { removeDir() } } }
}

/** Whether a PostgreSQL server answers at `url` (within a few seconds). */
export async function serverAnswers(url: string): Promise<boolean> {
  const { default: postgres } = await import('postgres')
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} })
  try {
    await sql`select 1`
    return true
  } catch {
    return false
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined)
  }
}

/**
 * A new database on the server of `serverUrl`, handed to `fn` by URL and dropped afterwards
 * (with force, so connections a failed section left open do not keep it).
 */
export async function withScratchDatabase<T>(serverUrl: string, tag: string, fn: (url: string) => Promise<T>): Promise<T> {
  const { default: postgres } = await import('postgres')
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  const name = `xinan_bench_${tag.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`
  try {
    await admin.unsafe(`create database "${name}"`)
    const u = new URL(serverUrl)
    u.pathname = `/${name}`
    return await fn(u.toString())
  } finally {
    await admin.unsafe(`drop database if exists "${name}" with (force)`).catch((err: unknown) => {
      process.stderr.write(`could not drop scratch database ${name}: ${(err as Error).message}\n`)
    })
    await admin.end({ timeout: 5 })
  }
}

/**
 * Configuration for an app built in this process: production, quiet, no global rate limit in the
 * way, and no second factor asked of the bench's accounts (they sign in with a password only;
 * what is measured is a request after sign-in).
 */
export function benchConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'production', JWT_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '100000000', JOBS_ENABLED: 'false', REQUIRE_SECOND_FACTOR: 'false', ...env,
  })
}

/** The schools' calendar day (Asia/Shanghai). */
export const schoolToday = (): string => dayIn('Asia/Shanghai')

/**
 * Samples this process's RSS every `everyMs` until stopped and reports the peak. The sampling
 * runs on a worker thread, so a long synchronous stretch of the main thread (parsing,
 * scoring) is sampled too.
 */
export function rssSampler(everyMs = 50): { stop(): Promise<{ startMb: number; peakMb: number }> } {
  const start = process.memoryUsage.rss()
  const shared = new Float64Array(new SharedArrayBuffer(8))
  shared[0] = start
  const worker = new Worker(`
    const { workerData } = require('node:worker_threads')
    const peak = new Float64Array(workerData.buf)
    setInterval(() => { const r = process.memoryUsage.rss(); if (r > peak[0]) peak[0] = r }, workerData.everyMs)
  `, { eval: true, workerData: { buf: shared.buffer, everyMs } })
  worker.unref()
  return {
    async stop() {
      await worker.terminate()
      const peak = Math.max(shared[0]!, process.memoryUsage.rss())
      return { startMb: mb(start), peakMb: mb(peak) }
    },
  }
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now()
  const value = await fn()
  return { ms: performance.now() - t0, value }
}

/** Rounds of a bare and an audited run, taken in turn (pairedRuns). */
export const PAIRED_ROUNDS = 3

/**
 * A bare and an audited load run, taken in turn `rounds` times; the pair whose ratio
 * (audited ÷ bare, by `rate`) is the median, and every round's ratio. On a shared machine
 * whose speed drifts from one run to the next (other tenants, steal time), one bare run then
 * one audited run had given ratios from 0.39 to 0.72 for the same code; runs taken in turn meet
 * the same drift, and the median drops the round that met a stall.
 */
export async function pairedRuns<R>(rounds: number, bare: () => Promise<R>, audited: () => Promise<R>, rate: (r: R) => number): Promise<{ bare: R; audited: R; ratios: number[] }> {
  const pairs: Array<{ bare: R; audited: R; ratio: number }> = []
  for (let i = 0; i < rounds; i++) {
    const b = await bare()
    const a = await audited()
    pairs.push({ bare: b, audited: a, ratio: rate(a) / rate(b) })
  }
  const sorted = [...pairs].sort((x, y) => x.ratio - y.ratio)
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!
  return { bare: median.bare, audited: median.audited, ratios: pairs.map((p) => p.ratio) }
}
