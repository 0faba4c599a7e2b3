import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t from '../helpers/tap.js'

// Starts real processes on new data folders (initdb each): slower than the suite's default limit on a busy 2-core machine.
t.setTimeout(600_000)

/**
 * The real server on a small filesystem of its own (tmpfs), filled up by a file: writes answer
 * 507, reads and /readyz answer, writes come back when the file is deleted, and SIGTERM ends
 * the process while the disk is low. Needs root to mount the tmpfs.
 */
const root = resolve(import.meta.dirname, '..', '..')
const FLOOR_MB = 64
const MB = 1_048_576
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms))

const mnt = mkdtempSync(join(tmpdir(), 'xinan-disk-'))

/** Mounts the tmpfs, or says why the test cannot run here. */
function whyNot(): string | false {
  if (process.env.TEST_DATABASE_URL) return 'the free-space floor guards the embedded database; the embedded run covers it'
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root'
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=192m', 'tmpfs', mnt], { encoding: 'utf8' })
  if (mount.status !== 0) return `cannot mount a tmpfs here: ${(mount.stderr || String(mount.error)).trim()}`
  return false
}
const skip = whyNot()
t.teardown(() => {
  if (!skip) spawnSync('umount', ['-l', mnt])
  rmSync(mnt, { recursive: true, force: true })
})

t.test('a full disk: 507 on writes, reads and /readyz answer, writes resume when space is freed, SIGTERM ends the server', { skip }, async (t) => {

  const env: NodeJS.ProcessEnv = {
    ...process.env, DATA_DIR: join(mnt, 'data'), PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'development',
    SEED_DEMO: 'true', JOBS_ENABLED: 'false', LOG_LEVEL: 'info', DISK_FREE_FLOOR_MB: String(FLOOR_MB), RATE_LIMIT_PER_MINUTE: '100000',
  }
  delete env.DATABASE_URL
  delete env.TEST_DATABASE_URL
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: root, env })
  const exited = new Promise<{ code: number | null; at: number }>((ok) => server.on('exit', (code) => ok({ code, at: Date.now() })))
  t.teardown(() => { server.kill('SIGKILL') })
  let log = ''
  server.stderr.on('data', (b: Buffer) => { log += String(b) })
  const base = await new Promise<string>((ok, fail) => {
    server.stdout.on('data', (b: Buffer) => {
      log += String(b)
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(log)
      if (m) ok(m[1]!)
    })
    void exited.then(({ code }) => fail(new Error(`server exited ${code}: ${log.slice(-2000)}`)))
  })

  const login = () => fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'psych.demo', password: 'XinAn-demo-2026' }),
  })
  const first = await login()
  t.equal(first.status, 200, 'signs in while there is room')
  const { accessToken } = await first.json() as { accessToken: string }

  const fill = join(mnt, 'fill')
  const fillUp = () => {
    const s = statfsSync(mnt)
    writeFileSync(fill, Buffer.alloc(Math.max(0, s.bavail * s.bsize - (FLOOR_MB / 2) * MB)))
  }
  fillUp()
  await sleep(1200) // the measurement is trusted for a second

  const refused = await login()
  t.equal(refused.status, 507, 'a write is refused')
  const body = await refused.json() as Record<string, unknown>
  t.equal(body.code, 'insufficient_storage')
  t.equal(body.statusCode, 507)
  t.equal(body.requestId, refused.headers.get('x-request-id'), 'with its requestId')
  t.match(body.message, /磁盘空间不足/)

  const me = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } })
  t.equal(me.status, 200, 'a read answers')
  t.equal(((await me.json()) as { username: string }).username, 'psych.demo')
  const ready = await fetch(`${base}/readyz`)
  t.equal(ready.status, 503, '/readyz answers 503')
  const r = await ready.json() as { disk: { status: string; freeMb: number; floorMb: number } }
  t.equal(r.disk.status, 'low')
  t.equal(r.disk.floorMb, FLOOR_MB)
  t.ok(r.disk.freeMb < FLOOR_MB, `/readyz reports ${r.disk.freeMb} MB free`)

  unlinkSync(fill)
  await sleep(1200)
  t.equal((await login()).status, 200, 'writes work again once the file is gone, without a restart')
  t.equal((await fetch(`${base}/readyz`)).status, 200)

  fillUp()
  await sleep(1200)
  t.equal((await login()).status, 507)
  const sent = Date.now()
  server.kill('SIGTERM')
  const end = await Promise.race([exited, sleep(30_000).then(() => ({ code: -1, at: Date.now() }))])
  t.equal(end.code, 0, `SIGTERM ends the server while the disk is low (in ${end.at - sent} ms)`)
})
