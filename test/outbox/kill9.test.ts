import t from '../helpers/tap.js'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { sql } from 'drizzle-orm'
import { loadConfig } from '../../src/config.js'
import { openDatabase, queryRows, type Database } from '../../src/db/database.js'
import { runMigrations } from '../../src/db/migrate.js'
import { channelBox, channelAad } from '../../src/modules/outbox/secret-box.js'
import { deliverDue, leaseMs } from '../../src/modules/outbox/worker.js'
import { createSchool, createUser } from '../helpers/app.js'
import { freshDatabase } from '../helpers/database.js'
import { startRobotServer, WECOM_KEY } from './servers.js'
import { CHANNEL_KEY } from './setup.js'

// A child process on a new data folder (initdb and the migrations) on a busy 2-core machine.
t.setTimeout(600_000)

const root = resolve(import.meta.dirname, '..', '..')

t.test('kill -9 mid-delivery loses nothing: a new worker delivers the committed message', async (t) => {
  const robots = await startRobotServer()
  t.teardown(() => robots.close())

  // The database both processes use, one after the other.
  let target: string
  let open: () => Promise<Database>
  if (process.env.TEST_DATABASE_URL) {
    const fresh = await freshDatabase()
    await fresh.database.close()
    t.teardown(() => fresh.drop().catch(() => {}))
    target = fresh.url!
    open = () => openDatabase({ url: target, poolMax: 2 })
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'xinan-outbox-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    target = join(dir, 'pgdata')
    open = () => openDatabase({ dataDir: target })
  }
  let database = await open()
  if (!process.env.TEST_DATABASE_URL) await runMigrations(database)
  const school = await createSchool(database)
  const user = await createUser(database, school, [{ role: 'psych_teacher' }])
  const sealed = channelBox(CHANNEL_KEY).seal({ url: `${robots.base}/wecom?key=${WECOM_KEY}` }, channelAad(school.schoolId, 'wecom'))
  await database.db.execute(sql`insert into school_channels (school_id, kind, enabled, settings, secret_sealed) values (${school.schoolId}, 'wecom', true, '{"set":["url"]}'::jsonb, ${sealed})`)
  // The embedded folder admits one process at a time.
  await database.close()

  robots.hangNext()
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/outbox/fixtures/commit-then-deliver.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', OUTBOX_TEST_DB: target, SCHOOL_ID: school.schoolId, USER_ID: user.id, CHANNEL_SECRET_KEY: CHANNEL_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (c: Buffer) => { out += String(c) })
  child.stderr.on('data', (c: Buffer) => { out += String(c) })
  const exited = new Promise<NodeJS.Signals | null>((ok) => child.once('exit', (_code, signal) => ok(signal)))
  t.teardown(() => { child.kill('SIGKILL') })
  await Promise.race([robots.until(1), exited.then(() => { throw new Error(`child ended early:\n${out}`) })])
  t.match(out, /committed/, 'the child committed the notification')
  t.notMatch(out, /delivered/, 'and is in the middle of sending it')
  child.kill('SIGKILL')
  t.equal(await exited, 'SIGKILL', 'killed with -9')

  database = await open()
  t.teardown(() => database.close())
  // The child's settings: its lease (three send timeouts) is what the new worker waits out.
  const config = { ...loadConfig({ NODE_ENV: 'test', CHANNEL_SECRET_KEY: CHANNEL_KEY, OUTBOX_SEND_TIMEOUT_MS: '120000' }), jwtSecret: 'x' }
  let rows = await queryRows<{ status: string; attempts: number; next_attempt_at: Date }>(database.db, sql`select * from outbox_messages`)
  t.equal(rows.length, 1, 'the message survived the kill')
  t.equal(rows[0]!.status, 'pending', 'not sent')
  t.equal(rows[0]!.attempts, 1, 'its first attempt was claimed')

  t.equal((await deliverDue({ database, config })).claimed, 0, 'another worker leaves it alone while the lease runs')
  const later = new Date(Date.now() + leaseMs(config) + 1000)
  const r = await deliverDue({ database, config }, { now: later })
  t.equal(r.sent, 1, 'after the lease a new worker delivers it')
  t.equal(robots.hits.length, 2, 'the robot saw the interrupted request and the delivered one (at least once)')
  t.ok(robots.hits.every((h) => h.valid), 'both well formed')
  rows = await queryRows(database.db, sql`select * from outbox_messages`)
  t.equal(rows[0]!.status, 'sent')
  t.equal(rows[0]!.attempts, 2)
})
