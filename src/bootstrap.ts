import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Config } from './config.js'
import { openDatabase, queryRows, sql, type Database } from './db/database.js'
import { runMigrations } from './db/migrate.js'
import type { ServerTimeouts } from './db/server-client.js'

/**
 * Without JWT_SECRET (allowed outside production) a generated secret is kept so sign-ins survive
 * a restart: embedded mode in a file beside its data (one process per folder), server mode in the
 * database (xinan_private.secrets, migration 0012), so every instance on that database and every
 * restart signs and accepts the same tokens. JWT_SECRET, when set, always wins.
 */
export async function resolveJwtSecret(config: Config, database: Database): Promise<string> {
  if (config.jwtSecret) return config.jwtSecret
  if (database.kind === 'server') return databaseSecret(database, 'jwt')
  const dir = resolve(config.DATA_DIR)
  mkdirSync(dir, { recursive: true })
  const file = join(dir, '.jwt-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const secret = randomBytes(48).toString('base64url')
  writeFileSync(file, secret, { mode: 0o600 })
  return secret
}

/** The first instance's insert wins; one that starts at the same moment reads the winner's. */
async function databaseSecret(database: Database, name: string): Promise<string> {
  const candidate = randomBytes(48).toString('base64url')
  await database.db.execute(sql`insert into xinan_private.secrets (name, value) values (${name}, ${candidate}) on conflict (name) do nothing`)
  const rows = await queryRows<{ value: string }>(database.db, sql`select value from xinan_private.secrets where name = ${name}`)
  const value = rows[0]?.value
  if (!value) throw new Error(`secret ${name} missing after insert`)
  return value
}

export function serverTimeouts(config: Config): ServerTimeouts {
  return {
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    idleInTransactionMs: config.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    connectTimeoutS: config.DB_CONNECT_TIMEOUT_S,
    idleTimeoutS: config.DB_IDLE_TIMEOUT_S,
  }
}

export async function openAndMigrate(config: Config): Promise<Database> {
  const database = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: join(resolve(config.DATA_DIR), 'pgdata'),
    poolMax: config.DATABASE_POOL_MAX,
    timeouts: serverTimeouts(config),
  })
  await runMigrations(database, config.DATABASE_URL)
  return database
}
