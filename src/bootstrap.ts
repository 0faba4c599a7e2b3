import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Config } from './config.js'
import { openDatabase, type Database } from './db/database.js'
import { runMigrations } from './db/migrate.js'

/**
 * Without JWT_SECRET (allowed outside production) the embedded mode keeps a generated
 * secret beside its data so sign-ins survive a restart; server mode makes one per process.
 */
export function resolveJwtSecret(config: Config): string {
  if (config.jwtSecret) return config.jwtSecret
  if (config.DATABASE_URL) return randomBytes(48).toString('base64url')
  const dir = resolve(config.DATA_DIR)
  mkdirSync(dir, { recursive: true })
  const file = join(dir, '.jwt-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const secret = randomBytes(48).toString('base64url')
  writeFileSync(file, secret, { mode: 0o600 })
  return secret
}

export async function openAndMigrate(config: Config): Promise<Database> {
  const database = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: join(resolve(config.DATA_DIR), 'pgdata'),
    poolMax: config.DATABASE_POOL_MAX,
  })
  await runMigrations(database, config.DATABASE_URL)
  return database
}
