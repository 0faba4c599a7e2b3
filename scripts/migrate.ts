/** `npm run db:migrate`: applies the committed migrations to the configured database and exits. */
import { loadConfig } from '../src/config.js'
import { openAndMigrate } from '../src/bootstrap.js'
import { exitIfFolderInUse } from '../src/db/data-dir-lock.js'
import { appliedMigrations } from '../src/db/migrate.js'

const config = loadConfig()
const database = await openAndMigrate(config).catch(exitIfFolderInUse)
try {
  console.log(`migrations applied: ${await appliedMigrations(database)} (${database.kind} database)`)
} finally {
  await database.close()
}
