import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Config } from './config.js'
import { openDatabase, type Database } from './db/database.js'
import { runMigrations } from './db/migrate.js'
import { openNotesKeys } from './crypto/notes-keys.js'
import { privateSecret } from './crypto/secret-box.js'
import type { ServerTimeouts } from './db/server-client.js'

/**
 * Without JWT_SECRET (allowed outside production) a generated secret is kept so sign-ins survive
 * a restart: embedded mode in a file beside its data (one process per folder), server mode in the
 * database (xinan_private.secrets, migration 0012), so every instance on that database and every
 * restart signs and accepts the same tokens. JWT_SECRET, when set, always wins.
 */
export async function resolveJwtSecret(config: Config, database: Database): Promise<string> {
  if (config.jwtSecret) return config.jwtSecret
  if (database.kind === 'server') return privateSecret(database.db, 'jwt', randomBytes(48).toString('base64url'))
  const dir = resolve(config.DATA_DIR)
  mkdirSync(dir, { recursive: true })
  const file = join(dir, '.jwt-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const secret = randomBytes(48).toString('base64url')
  writeFileSync(file, secret, { mode: 0o600 })
  return secret
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
    autoAnalyze: {},
  })
  await runMigrations(database, config.DATABASE_URL)
  // The configured master key, before anything reads or writes a note (the tools open here too).
  await openNotesKeys(database.db, config, (msg) => console.warn(msg))
  return database
}
