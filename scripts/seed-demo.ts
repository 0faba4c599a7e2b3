/**
 * `npm run seed:demo`: puts the demo district, school, roster, calendar and accounts into
 * the configured database (DATABASE_URL, or the embedded one in DATA_DIR) if it has no
 * district yet. Stop a running embedded server first: the embedded data folder is locked to
 * one process, and this tool stops naming the PID that holds it.
 */
import { loadConfig } from '../src/config.js'
import { openAndMigrate } from '../src/bootstrap.js'
import { exitIfFolderInUse } from '../src/db/data-dir-lock.js'
import { seedDemoIfEmpty } from '../src/demo/seed.js'

const config = loadConfig()
if (config.NODE_ENV === 'production') {
  // Known passwords must never reach a production database.
  console.error('seed:demo refuses to run with NODE_ENV=production')
  process.exit(1)
}

const database = await openAndMigrate(config).catch(exitIfFolderInUse)
try {
  const started = performance.now()
  const seeded = await seedDemoIfEmpty(database, { password: config.DEMO_PASSWORD })
  if (seeded) {
    console.log(`demo data created in ${Math.round(performance.now() - started)} ms (${database.kind} database)`)
    console.log(`  accounts: ${seeded.accounts.join(', ')}`)
    // The demo password is public (README), not a secret.
    console.log(`  password: ${config.DEMO_PASSWORD}`)
  } else {
    console.log('the database already has a district: nothing seeded')
  }
} finally {
  await database.close()
}
