import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { openDatabase, migrationsFolder, type Database } from '../../src/db/database.js'
import { runMigrations } from '../../src/db/migrate.js'

const root = resolve(import.meta.dirname, '..', '..')
const cacheDir = join(root, '.tmp')

/** Changes whenever a migration changes, so a stale template is never reused. */
function migrationsHash(): string {
  const h = createHash('sha256')
  const walk = (dir: string) => {
    for (const name of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, name.name)
      if (name.isDirectory()) walk(p)
      else h.update(name.name).update(readFileSync(p))
    }
  }
  walk(migrationsFolder)
  return h.digest('hex').slice(0, 16)
}

/**
 * Hash of a module and every file it imports from this repository, followed transitively:
 * a seeded template is rebuilt when anything that shapes the seed's rows changes.
 */
export function sourceClosureHash(entry: string): string {
  const seen = new Set<string>()
  const queue = [resolve(entry)]
  while (queue.length > 0) {
    const file = queue.pop()!
    if (seen.has(file)) continue
    seen.add(file)
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const spec = resolve(dirname(file), m[1]!)
      const found = [spec.replace(/\.js$/, '.ts'), spec, `${spec}.ts`, join(spec, 'index.ts')].find((f) => f.startsWith(root) && isFile(f))
      if (found && /\.[mc]?[jt]s$/.test(found)) queue.push(found)
    }
  }
  const h = createHash('sha256')
  for (const f of [...seen].sort()) h.update(f.slice(root.length)).update(readFileSync(f))
  return h.digest('hex').slice(0, 16)
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** Writes then renames: parallel test files may race to build the same file. */
function writeAtomically(file: string, data: Buffer) {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`
  writeFileSync(tmp, data)
  renameSync(tmp, file)
}

/** The cached file, or undefined when it is missing (or removed as stale by another file meanwhile). */
function readCached(file: string): Buffer | undefined {
  try {
    return readFileSync(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

let migratedTar: Buffer | undefined

async function embeddedTemplate(): Promise<Blob> {
  if (!migratedTar) {
    mkdirSync(cacheDir, { recursive: true })
    const file = join(cacheDir, `pglite-template-${migrationsHash()}.tar`)
    migratedTar = readCached(file)
    if (!migratedTar) {
      const db = await openDatabase({ memory: true })
      await runMigrations(db)
      migratedTar = Buffer.from(await (await dumpOf(db)).arrayBuffer())
      await db.close()
      writeAtomically(file, migratedTar)
    }
  }
  return new Blob([migratedTar])
}

/**
 * A template seeded once and cloned for each test file that asks for it (the browser tests'
 * demo data): `key` names everything the seed depends on besides the migrations, `maxAgeMs`
 * bounds how old the cloned rows may be (seeds that place records "minutes ago").
 */
export interface SeededTemplate {
  name: string
  key: string
  maxAgeMs: number
  seed(database: Database): Promise<unknown>
}

/** Same name and key within one time slot of `maxAgeMs`: at most that old when cloned. */
function templateId(t: SeededTemplate): { prefix: string; id: string } {
  if (!/^[a-z0-9_]+$/.test(t.name)) throw new Error(`template name ${t.name}: lower-case letters, digits and _ only`)
  const slot = Math.floor(Date.now() / t.maxAgeMs)
  const h = createHash('sha256').update(`${migrationsHash()}/${t.key}/${t.maxAgeMs}/${slot}`).digest('hex').slice(0, 16)
  return { prefix: `${t.name}_`, id: `${t.name}_${h}` }
}

async function embeddedSeeded(t: SeededTemplate): Promise<Blob> {
  mkdirSync(cacheDir, { recursive: true })
  const { prefix, id } = templateId(t)
  const file = join(cacheDir, `pglite-${id}.tar`)
  let tar = readCached(file)
  if (!tar) {
    const db = await openDatabase({ loadDataDir: await embeddedTemplate() })
    await t.seed(db)
    tar = Buffer.from(await (await dumpOf(db)).arrayBuffer())
    await db.close()
    writeAtomically(file, tar)
    // Older slots are never read again (a file reading one now has it in memory already).
    for (const old of readdirSync(cacheDir)) {
      if (old.startsWith(`pglite-${prefix}`) && old !== `pglite-${id}.tar` && old.endsWith('.tar')) rmSync(join(cacheDir, old), { force: true })
    }
  }
  return new Blob([tar])
}

async function dumpOf(db: Database): Promise<Blob> {
  const client = (db.db as unknown as { $client: { dumpDataDir(c?: 'none'): Promise<Blob> } }).$client
  return client.dumpDataDir('none')
}

export interface TestDatabase {
  database: Database
  url?: string
  drop(): Promise<void>
}

/**
 * A fresh database for each test file: embedded by default, cloned from a
 * migrated template; with TEST_DATABASE_URL, a new database on that server made from a
 * migrated template database. With `seeded`, the clone is of a template that also holds
 * that seed's rows (made once per key and time slot, then reused by every file).
 */
export async function freshDatabase(opts: { seeded?: SeededTemplate; dataDir?: string } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL
  if (!serverUrl) {
    // With `dataDir`: on disk with durable commits, as `npm start` runs it (an empty folder).
    const database = await openDatabase({ loadDataDir: await (opts.seeded ? embeddedSeeded(opts.seeded) : embeddedTemplate()), ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) })
    return { database, drop: () => database.close() }
  }
  const { default: postgres } = await import('postgres')
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  const migrated = `xinan_tmpl_${migrationsHash()}`
  const name = `xinan_t_${randomBytes(6).toString('hex')}`
  try {
    await admin`select pg_advisory_lock(727274002)`
    const exists = await admin`select 1 from pg_database where datname = ${migrated}`
    if (exists.length === 0) {
      await admin.unsafe(`create database "${migrated}"`)
      const url = withDatabase(serverUrl, migrated)
      const db = await openDatabase({ url, poolMax: 1 })
      await runMigrations(db, url)
      await db.close()
    }
    let template = migrated
    if (opts.seeded) {
      const { prefix, id } = templateId(opts.seeded)
      template = `xinan_${id}`
      if ((await admin`select 1 from pg_database where datname = ${template}`).length === 0) {
        await admin.unsafe(`create database "${template}" template "${migrated}"`)
        const db = await openDatabase({ url: withDatabase(serverUrl, template), poolMax: 1 })
        try {
          await opts.seeded.seed(db)
        } catch (err) {
          await db.close()
          // Half-seeded, it must not be cloned by the next file.
          await admin.unsafe(`drop database if exists "${template}" with (force)`)
          throw err
        }
        await db.close()
        const stale = await admin<Array<{ datname: string }>>`select datname from pg_database where datname like ${`xinan_${prefix}%`} and datname <> ${template}`
        for (const { datname } of stale) await admin.unsafe(`drop database if exists "${datname}" with (force)`)
      }
    }
    await admin.unsafe(`create database "${name}" template "${template}"`)
    await admin`select pg_advisory_unlock(727274002)`
  } finally {
    await admin.end({ timeout: 5 })
  }
  const url = withDatabase(serverUrl, name)
  const database = await openDatabase({ url, poolMax: 5 })
  return {
    database,
    url,
    async drop() {
      await database.close()
      const a = postgres(serverUrl, { max: 1, onnotice: () => {} })
      try {
        await a.unsafe(`drop database if exists "${name}" with (force)`)
      } finally {
        await a.end({ timeout: 5 })
      }
    },
  }
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url)
  u.pathname = `/${db}`
  return u.toString()
}
