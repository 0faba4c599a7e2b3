import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
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

async function embeddedTemplate(): Promise<Blob> {
  mkdirSync(cacheDir, { recursive: true })
  const file = join(cacheDir, `pglite-template-${migrationsHash()}.tar`)
  if (!existsSync(file)) {
    const db = await openDatabase({ memory: true })
    await runMigrations(db)
    const dump = await dumpOf(db)
    await db.close()
    // Write then rename: parallel test files may race to build the same template.
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()))
    renameSync(tmp, file)
  }
  return new Blob([readFileSync(file)])
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
 * A fresh database for one test file (STYLE.md §13): embedded by default, cloned from a
 * migrated template; with TEST_DATABASE_URL, a new database on that server made from a
 * migrated template database.
 */
export async function freshDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL
  if (!serverUrl) {
    const database = await openDatabase({ loadDataDir: await embeddedTemplate() })
    return { database, drop: () => database.close() }
  }
  const { default: postgres } = await import('postgres')
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  const template = `xinan_tmpl_${migrationsHash()}`
  const name = `xinan_t_${randomBytes(6).toString('hex')}`
  try {
    await admin`select pg_advisory_lock(727274002)`
    const exists = await admin`select 1 from pg_database where datname = ${template}`
    if (exists.length === 0) {
      await admin.unsafe(`create database "${template}"`)
      const url = withDatabase(serverUrl, template)
      const db = await openDatabase({ url, poolMax: 1 })
      await runMigrations(db, url)
      await db.close()
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
