import { loadConfig } from './config.js'
import { buildApp } from './app.js'
import { openAndMigrate, resolveJwtSecret } from './bootstrap.js'
import { seedDemoIfEmpty } from './demo/seed.js'

const started = performance.now()
const base = loadConfig()
const config = { ...base, jwtSecret: resolveJwtSecret(base) }
const database = await openAndMigrate(config)
const app = await buildApp({ config, database })

if (config.NODE_ENV !== 'production' && config.SEED_DEMO) {
  const seeded = await seedDemoIfEmpty(database, { password: config.DEMO_PASSWORD })
  if (seeded) {
    app.log.info({ accounts: seeded.accounts }, 'demo data created')
    // Printed on purpose: the demo password is public (README), not a secret.
    console.log(`\n  XinAn demo accounts: ${seeded.accounts.join(', ')}\n  password: ${config.DEMO_PASSWORD}\n`)
  }
}

let closing = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    app.close().then(() => database.close()).then(() => process.exit(0), () => process.exit(1))
  })
}

if (config.JOBS_ENABLED) (await import('./jobs/scheduler.js')).startScheduler(app)
await app.listen({ host: config.HOST, port: config.PORT })
app.log.info({ database: database.kind, ms: Math.round(performance.now() - started) }, 'XinAn ready')
