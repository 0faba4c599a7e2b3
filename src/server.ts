import { loadConfig } from './config.js'
import { buildApp } from './app.js'
import { openAndMigrate, resolveJwtSecret } from './bootstrap.js'
import { seedDemoIfEmpty } from './demo/seed.js'
import { guardDriverClosedSocketBug } from './db/server-client.js'
import { exitIfFolderInUse } from './db/data-dir-lock.js'
import { hasAnySchool } from './setup/install.js'
import { startupBanner } from './server-banner.js'

const started = performance.now()
const base = loadConfig()
let log: { error(obj: object, msg: string): void; info(obj: object, msg: string): void } = {
  error: (obj, msg) => console.error(msg, obj),
  info: (obj, msg) => console.log(msg, obj),
}
if (base.DATABASE_URL) guardDriverClosedSocketBug({ error: (obj, msg) => log.error(obj, msg) })
const database = await openAndMigrate(base).catch(exitIfFolderInUse)
const config = { ...base, jwtSecret: await resolveJwtSecret(base, database) }
const app = await buildApp({ config, database })
log = app.log

if (config.NODE_ENV !== 'production' && config.SEED_DEMO) {
  const seeded = await seedDemoIfEmpty(database, { password: config.DEMO_PASSWORD })
  if (seeded) {
    app.log.info({ accounts: seeded.accounts }, 'demo data created')
    // Printed on purpose: the demo password is public (README), not a secret.
    console.log(`\n  XinAn demo accounts: ${seeded.accounts.join(', ')}\n  password: ${config.DEMO_PASSWORD}\n`)
  }
}

/**
 * SIGTERM/SIGINT: stop accepting connections, answer late requests on open connections with
 * 503 shutting_down (plugins/shutdown.ts), let requests already accepted finish, then close the
 * database. Requests still running after SHUTDOWN_GRACE_MS are cut off so the process ends.
 */
let closing = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return
    closing = true
    app.log.info({ signal, graceMs: config.SHUTDOWN_GRACE_MS }, 'shutting down')
    const deadline = setTimeout(() => {
      app.log.error({ graceMs: config.SHUTDOWN_GRACE_MS }, 'requests still running after the grace period; closing anyway')
      app.server.closeAllConnections()
      void database.close().finally(() => process.exit(1))
    }, config.SHUTDOWN_GRACE_MS)
    deadline.unref()
    app.close()
      .then(() => database.close())
      .then(() => process.exit(0), (err: unknown) => {
        app.log.error({ err }, 'shutdown failed')
        process.exit(1)
      })
  })
}

if (config.JOBS_ENABLED) (await import('./jobs/scheduler.js')).startScheduler(app)
if (config.OUTBOX_ENABLED) {
  // Delivers e-mail, SMS and robot messages; app.close() (SIGTERM) waits for the run in progress.
  const { startOutboxWorker } = await import('./modules/outbox/worker.js')
  const worker = startOutboxWorker({ database, config, log: app.log.child({ module: 'outbox' }) })
  app.addHook('onClose', () => worker.stop())
}
const address = await app.listen({ host: config.HOST, port: config.PORT })
app.log.info({ database: database.kind, ms: Math.round(performance.now() - started) }, 'XinAn ready')
console.log(startupBanner({ address, host: config.HOST, publicBaseUrl: config.PUBLIC_BASE_URL, docsServed: config.NODE_ENV !== 'production' || config.DOCS_PUBLIC }))
if (!(await hasAnySchool(database))) {
  // A new installation (demo data only loads outside production): say exactly what to run next.
  console.log([
    '  这是一个新安装，还没有任何学校。请先运行 / This installation has no school yet. Run:',
    '',
    database.kind === 'embedded'
      ? '    Ctrl+C  →  npm run setup  →  npm start     （内置数据库一次只允许一个进程 / the embedded database allows one process at a time）'
      : '    npm run setup',
    '',
    '  （在终端中逐项询问；也可以用参数一次给出 / asks in a terminal, or give every value as flags:',
    '    npm run setup -- --district-code 420704 --district-name 鄂城区 --school-code S001 \\',
    '      --school-name 第一中学 --stage junior --admin-username admin.s001 --admin-name 张老师）',
    '',
  ].join('\n'))
}
