import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql, type Query, type SQL } from 'drizzle-orm'
import type { PgDatabase, PgDialect, PgQueryResultHKT, PgSession } from 'drizzle-orm/pg-core'
import { serverClientOptions, type ServerTimeouts } from './server-client.js'
import { lockDataDir, type DataDirLock } from './data-dir-lock.js'

/**
 * Without drizzle's relational query API (`db.query.*`): given the schema, drizzle builds a
 * query builder for each of the ~100 tables in every transaction it opens, which cost the
 * audited read about 4% of its CPU. Queries are written with select/insert/update and sql``.
 */
export type Db = PgDatabase<PgQueryResultHKT>
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]
/** Anything drizzle can run a query on: the pool or an open transaction. */
export type Executor = Db | Tx

export interface Database {
  kind: 'embedded' | 'server'
  db: Db
  /**
   * Bulk load through COPY FROM STDIN: about 20× as fast as row-by-row inserts.
   * Runs inside the given transaction when one is passed.
   */
  copyRows(table: string, columns: string[], rows: unknown[][], tx?: Tx): Promise<number>
  close(): Promise<void>
  /** Embedded with a folder: where its files live (the free-space check watches it). */
  dataDir?: string
}

export const migrationsFolder = resolve(fileURLToPath(new URL('../../db/migrations', import.meta.url)))

export interface OpenOptions {
  url?: string | undefined
  dataDir?: string | undefined
  poolMax?: number
  /** A dumped data directory (tar) to start from: used by tests to clone a migrated template. */
  loadDataDir?: Blob
  /** Keep the embedded database in memory only. */
  memory?: boolean
  /**
   * Embedded with a folder: fsync each commit (the default). Only the bench turns it off, to
   * measure what durability costs.
   */
  durable?: boolean
  /** Server mode: statement, connect and idle timeouts (src/db/server-client.ts). */
  timeouts?: ServerTimeouts
  /**
   * Re-analyze tables as they grow (src/db/auto-analyze.ts), which a server's autovacuum does:
   * always on the embedded database, on a server whose autovacuum is off; for a process that
   * serves or measures it (npm start, the bench).
   */
  autoAnalyze?: { everyMs?: number; target?: number; onError?: (err: unknown) => void }
}

/** default_statistics_target of the embedded database's passes while it serves (3,000-row samples). */
const EMBEDDED_ANALYZE_TARGET = 10

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (!opts.url) return openEmbedded(opts)
  const database = await openServer(opts.url, opts.poolMax ?? 10, opts.timeouts)
  if (!opts.autoAnalyze) return database
  let analyzer: { stop(): Promise<void> } | undefined
  try {
    const { startAutoAnalyze, serverAnalyzesItself } = await import('./auto-analyze.js')
    if (!(await serverAnalyzesItself(database.db))) analyzer = startAutoAnalyze(database.db, opts.autoAnalyze)
  } catch (err) {
    await database.close()
    throw err
  }
  if (!analyzer) return database
  const close = database.close.bind(database)
  return { ...database, async close() { try { await analyzer.stop() } finally { await close() } } }
}

async function openServer(url: string, poolMax: number, timeouts?: ServerTimeouts): Promise<Database> {
  const { default: postgres } = await import('postgres')
  const { drizzle } = await import('drizzle-orm/postgres-js')
  const client = postgres(url, {
    max: poolMax,
    onnotice: () => {},
    // Dates stay strings ('YYYY-MM-DD'): school days are calendar dates, not instants.
    types: { date: { to: 1082, from: [1082], serialize: (x: string) => x, parse: (x: string) => x } },
    ...serverClientOptions(timeouts),
  })
  const db = drizzle({ client }) as unknown as Db
  return {
    kind: 'server',
    db,
    async copyRows(table, columns, rows, tx) {
      if (rows.length === 0) return 0
      const text = toCopyText(rows)
      const run = async (c: typeof client) => {
        const stream = await c.unsafe(`copy ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) from stdin`).writable()
        await new Promise<void>((ok, fail) => {
          stream.on('error', fail)
          stream.on('finish', ok)
          stream.end(text)
        })
      }
      if (tx) {
        // drizzle's postgres-js transaction keeps the reserved connection on `session.client`.
        const txClient = (tx as unknown as { session: { client: typeof client } }).session.client
        await run(txClient)
      } else {
        await run(client)
      }
      return rows.length
    },
    async close() { await client.end({ timeout: 5 }) },
  }
}

async function openEmbedded(opts: OpenOptions): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite')
  const { drizzle } = await import('drizzle-orm/pglite')
  let dataDir: string | undefined
  let lock: DataDirLock | undefined
  if (!opts.memory && opts.dataDir) {
    dataDir = resolve(opts.dataDir)
    mkdirSync(dataDir, { recursive: true })
    // Before PGlite reads a byte of the folder: a second process on it loses acknowledged writes.
    lock = lockDataDir(dataDir)
  }
  let client: InstanceType<typeof PGlite>
  const durable = dataDir !== undefined && opts.durable !== false
  try {
    const { DurableNodeFS, durableStartParams, syncFolderOnce, forgetFolderSynced } = await import('./durable-fs.js')
    if (dataDir && !durable) forgetFolderSynced(dataDir)
    client = await PGlite.create({
      ...(dataDir ? (durable ? { fs: new DurableNodeFS(dataDir), startParams: durableStartParams() } : { dataDir }) : {}),
      ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
      parsers: { 1082: (x: string) => x },
    })
    if (durable && dataDir) syncFolderOnce(dataDir)
  } catch (err) {
    lock?.release()
    throw err
  }
  // drizzle's statements run as named prepared statements, parsed once per text (embedded-prepared.ts).
  const { EmbeddedStatements } = await import('./embedded-prepared.js')
  const db = drizzle({ client: new EmbeddedStatements(client).client() as unknown as typeof client }) as unknown as Db
  // Whoever reaches for the driver itself (a test dumping the data folder) finds PGlite, not the wrapper.
  ;(db as unknown as { $client: typeof client }).$client = client
  // With every commit fsynced, write transactions share one WAL flush (src/db/wal-flush.ts).
  if (durable) {
    const { FLUSH_WAL, useGroupCommit, WalFlush } = await import('./wal-flush.js')
    useGroupCommit(db, new WalFlush(() => client.query(FLUSH_WAL)))
  }
  // A small sample: nothing else runs on the embedded database while it analyzes (auto-analyze.ts).
  const analyzer = opts.autoAnalyze ? (await import('./auto-analyze.js')).startAutoAnalyze(db, { target: EMBEDDED_ANALYZE_TARGET, ...opts.autoAnalyze }) : undefined
  return {
    kind: 'embedded',
    db,
    ...(dataDir ? { dataDir } : {}),
    async copyRows(table, columns, rows, tx) {
      if (rows.length === 0) return 0
      const blob = new Blob([toCopyText(rows)])
      const stmt = `copy ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) from '/dev/blob'`
      if (tx) {
        const txClient = (tx as unknown as { session: { client: { query: typeof client.query } } }).session.client
        await txClient.query(stmt, [], { blob })
      } else {
        await client.query(stmt, [], { blob })
      }
      return rows.length
    },
    async close() {
      try {
        await analyzer?.stop()
        await client.close()
      } finally {
        lock?.release()
      }
    },
  }
}

function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"'
}

/** PostgreSQL COPY text format: tab-separated, \N for null, backslash escapes. */
export function toCopyText(rows: unknown[][]): string {
  let out = ''
  for (const row of rows) {
    out += row.map(copyField).join('\t') + '\n'
  }
  return out
}

function copyField(v: unknown): string {
  if (v === null || v === undefined) return '\\N'
  let s: string
  if (v instanceof Date) s = v.toISOString()
  else if (typeof v === 'object') s = JSON.stringify(v)
  else if (typeof v === 'string') s = v
  else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') s = String(v)
  else s = ''
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
}

/** Rows of a raw statement, whichever driver ran it. */
export async function queryRows<T = Record<string, unknown>>(ex: Executor, query: SQL): Promise<T[]> {
  const res: unknown = await ex.execute(query)
  if (Array.isArray(res)) return res as T[]
  return ((res as { rows?: T[] }).rows ?? [])
}

/**
 * queryRows for a statement of a request's hot path whose text is fixed (only its parameters
 * change): on the server it becomes a named prepared statement, parsed and planned once per
 * connection. drizzle's execute() sends raw SQL unnamed, and postgres.js then describes each
 * statement with parameters in a round trip of its own before running it: two round trips and
 * a parse for every statement. Through drizzle's session, so it is counted and logged as any other.
 */
export async function preparedRows<T = Record<string, unknown>>(ex: Executor, query: SQL): Promise<T[]> {
  const res: unknown = await preparedQuery(ex, query).execute()
  if (Array.isArray(res)) return res as T[]
  return ((res as { rows?: T[] }).rows ?? [])
}

/** drizzle's prepared query for raw SQL (a name makes postgres.js prepare it; the name itself is not used). */
export function preparedQuery(ex: Executor, query: SQL) {
  const { session } = ex as unknown as { session: PgSession }
  return session.prepareQuery(sqlToQuery(ex, query), undefined, 'raw', false)
}

/** The text and parameters drizzle makes of raw SQL: to build once a statement run many times. */
export function sqlToQuery(ex: Executor, query: SQL): Query {
  return (ex as unknown as { dialect: PgDialect }).dialect.sqlToQuery(query)
}

/**
 * preparedRows of a statement built once (sqlToQuery) whose parameters include placeholders
 * (sql.placeholder), filled from `values`.
 */
export async function preparedQueryRows<T = Record<string, unknown>>(ex: Executor, query: Query, values: Record<string, unknown>): Promise<T[]> {
  const { session } = ex as unknown as { session: PgSession }
  const res: unknown = await session.prepareQuery(query, undefined, 'raw', false).execute(values)
  if (Array.isArray(res)) return res as T[]
  return ((res as { rows?: T[] }).rows ?? [])
}

export { sql }
