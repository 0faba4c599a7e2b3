import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { migrationsFolder, queryRows, type Database } from './database.js'

/** Applies the committed drizzle-kit migrations; safe when two instances start at once. */
export async function runMigrations(database: Database, url?: string): Promise<void> {
  if (database.kind === 'server' && url) {
    const { default: postgres } = await import('postgres')
    const { drizzle } = await import('drizzle-orm/postgres-js')
    const { migrate } = await import('drizzle-orm/postgres-js/migrator')
    // One connection holding a session advisory lock: a second instance waits, then finds nothing to do.
    const client = postgres(url, { max: 1, onnotice: () => {} })
    try {
      await client`select pg_advisory_lock(727274001)`
      await migrate(drizzle({ client }), { migrationsFolder })
      await client`select pg_advisory_unlock(727274001)`
    } finally {
      await client.end({ timeout: 5 })
    }
  } else {
    const { migrate } = await import('drizzle-orm/pglite/migrator')
    await migrate(database.db as never, { migrationsFolder })
  }
}

export function journalEntries(): number {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }
  return journal.entries.length
}

export async function appliedMigrations(database: Database): Promise<number> {
  const rows = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`)
  return Number(rows[0]?.n ?? 0)
}
