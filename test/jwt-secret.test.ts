import t from './helpers/tap.js'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { resolveJwtSecret } from '../src/bootstrap.js'
import { loadConfig, type Config } from '../src/config.js'
import { openDatabase, queryRows, sql, type Database } from '../src/db/database.js'
import { freshDatabase } from './helpers/database.js'
import { createSchool, createUser, injectAs, login } from './helpers/app.js'

/** The configuration a server started without JWT_SECRET sees. */
const noSecret = (env: Record<string, string> = {}): Config =>
  loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '1000000', JOBS_ENABLED: 'false', ...env })

const serverRun = Boolean(process.env.TEST_DATABASE_URL)

t.test('embedded: without JWT_SECRET one secret is kept in DATA_DIR (owner-only file); JWT_SECRET wins', { skip: serverRun && 'server run: see the next test' }, async (t) => {
  const { database, drop } = await freshDatabase()
  t.teardown(drop)
  const dir = mkdtempSync(join(tmpdir(), 'xinan-secret-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const config = noSecret({ DATA_DIR: dir })
  const first = await resolveJwtSecret(config, database)
  t.ok(first.length >= 48)
  t.equal(await resolveJwtSecret(config, database), first, 'a restart reads the same secret')
  t.equal(statSync(join(dir, '.jwt-secret')).mode & 0o777, 0o600)
  const given = 'x'.repeat(40)
  t.equal(await resolveJwtSecret(noSecret({ DATA_DIR: dir, JWT_SECRET: given }), database), given)
})

t.test('server: instances and restarts without JWT_SECRET share one secret kept in the database', { skip: !serverRun && 'embedded run: the server-mode secret needs TEST_DATABASE_URL' }, async (t) => {
  const fresh = await freshDatabase()
  t.teardown(fresh.drop)
  const url = fresh.url!
  const opened: Database[] = []
  const apps: FastifyInstance[] = []
  t.teardown(async () => {
    for (const a of apps) await a.close()
    for (const d of opened) await d.close()
  })
  // One "instance": its own pool and its own app, as a second server process would have.
  const instance = async () => {
    const database = await openDatabase({ url, poolMax: 2 })
    opened.push(database)
    const config = noSecret({ DATABASE_URL: url })
    const jwtSecret = await resolveJwtSecret(config, database)
    const app = await buildApp({ config: { ...config, jwtSecret }, database })
    await app.ready()
    apps.push(app)
    return { app, jwtSecret }
  }

  // Two instances starting at the same moment agree on one secret.
  const [a, b] = await Promise.all([instance(), instance()])
  t.equal(a.jwtSecret, b.jwtSecret, 'both instances use the same secret')
  const stored = await queryRows<{ n: number }>(fresh.database.db, sql`select count(*)::int as n from xinan_private.secrets where name = 'jwt'`)
  t.equal(stored[0]?.n, 1, 'one secret row')

  const school = await createSchool(fresh.database)
  const user = await createUser(fresh.database, school, [{ role: 'school_admin' }])
  const { accessToken } = await login(a.app, user.username)
  const onB = await injectAs(b.app, accessToken, { method: 'GET', url: '/api/v1/auth/me' })
  t.equal(onB.statusCode, 200, 'a token from instance A is accepted by instance B')

  // A restart: a new pool and app on the same database keep the session.
  const c = await instance()
  t.equal(c.jwtSecret, a.jwtSecret)
  const onC = await injectAs(c.app, accessToken, { method: 'GET', url: '/api/v1/auth/me' })
  t.equal(onC.statusCode, 200, 'the session survives a restart')

  // JWT_SECRET still wins over the stored one.
  const given = 'y'.repeat(40)
  t.equal(await resolveJwtSecret(noSecret({ DATABASE_URL: url, JWT_SECRET: given }), c.app.database), given)

  // The app's row-level-security role cannot read the secret.
  const denied = await fresh.database.db.transaction(async (tx) => {
    await tx.execute(sql`set local role xinan_app`)
    await tx.execute(sql`select value from xinan_private.secrets`)
  }).then(() => undefined, (err: unknown) => sqlState(err))
  t.equal(denied, '42501', 'xinan_app gets permission denied')
})

function sqlState(err: unknown): string | undefined {
  for (let e: unknown = err, i = 0; e && typeof e === 'object' && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') return code
  }
  return undefined
}
