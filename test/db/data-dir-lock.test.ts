import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t from '../helpers/tap.js'
import { DataDirInUse, lockDataDir } from '../../src/db/data-dir-lock.js'
import { openDatabase, queryRows, sql } from '../../src/db/database.js'

// Starts real processes on new data folders (initdb each): slower than the suite's default limit on a busy 2-core machine.
t.setTimeout(600_000)

const root = resolve(import.meta.dirname, '..', '..')
const holderScript = join(import.meta.dirname, 'fixtures', 'hold-data-dir.ts')

/** Child processes see no server database: every one of them must open the embedded folder. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra }
  delete env.DATABASE_URL
  delete env.TEST_DATABASE_URL
  return env
}

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0'])
  return r.pid!
}

function writeLock(dir: string, holder: Record<string, unknown>) {
  writeFileSync(`${dir}.lock`, JSON.stringify({ hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z', token: 'old', ...holder }))
}

t.test('lock file: a live holder is refused by PID; a dead or reused PID is taken over; release removes it', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'xinan-lock-'))
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  const dir = join(base, 'pgdata')

  // A holder that is running: a real process on this host.
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'])
  t.teardown(() => { sleeper.kill('SIGKILL') })
  writeLock(dir, { pid: sleeper.pid })
  const refused = (() => { try { lockDataDir(dir); return undefined } catch (e) { return e } })()
  t.ok(refused instanceof DataDirInUse, 'refused while the holder runs')
  t.equal((refused as DataDirInUse).holder.pid, sleeper.pid)
  t.match((refused as Error).message, `PID ${sleeper.pid}`, 'the message names the holder')
  t.equal(JSON.parse(readFileSync(`${dir}.lock`, 'utf8')).pid, sleeper.pid, 'the live holder keeps its lock')

  // The same live PID with another start time: the PID was reused after its owner died.
  writeLock(dir, { pid: sleeper.pid, startTicks: '1' })
  const reused = lockDataDir(dir)
  t.equal(reused.holder.pid, process.pid, 'a reused PID is stale')
  reused.release()
  t.notOk(existsSync(`${dir}.lock`), 'release removes the lock')

  // Left behind by kill -9: the PID no longer exists.
  const gone = deadPid()
  writeLock(dir, { pid: gone })
  const lock = lockDataDir(dir)
  t.equal(JSON.parse(readFileSync(`${dir}.lock`, 'utf8')).pid, process.pid, `the stale lock of dead PID ${gone} is taken over`)
  t.throws(() => lockDataDir(dir), DataDirInUse, 'a second open in the same process is refused too')
  lock.release()
  lock.release()
  t.notOk(existsSync(`${dir}.lock`))

  // A holder on another machine (a shared network folder) cannot be checked: refused, naming the host.
  writeLock(dir, { pid: gone, hostname: 'other-host' })
  t.throws(() => lockDataDir(dir), /PID \d+ on host other-host/)
})

interface Holder { child: ChildProcessWithoutNullStreams; pid: number; exited: Promise<number | null> }

async function startHolder(dir: string, rows: number): Promise<Holder> {
  const child = spawn(process.execPath, ['--import', 'tsx', holderScript, dir, String(rows)], { cwd: root, env: childEnv({}) })
  let out = ''
  let err = ''
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)))
  const pid = await new Promise<number>((ok, fail) => {
    child.stdout.on('data', (b: Buffer) => {
      out += String(b)
      const m = /ready (\d+)/.exec(out)
      if (m) ok(Number(m[1]))
    })
    child.stderr.on('data', (b: Buffer) => { err += String(b) })
    void exited.then((code) => fail(new Error(`holder exited ${code}: ${err}`)))
  })
  return { child, pid, exited }
}

function runScript(args: string[], dataDir: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root,
    env: childEnv({ DATA_DIR: dataDir, PORT: '0', SEED_DEMO: 'false', JOBS_ENABLED: 'false', LOG_LEVEL: 'silent', NODE_ENV: 'development' }),
  })
  let output = ''
  child.stdout.on('data', (b: Buffer) => { output += String(b) })
  child.stderr.on('data', (b: Buffer) => { output += String(b) })
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
  return new Promise((ok) => child.on('exit', (code) => { clearTimeout(timer); ok({ code, output }) }))
}

t.test('two processes on one data folder: the server and every CLI refuse while it is held; no acknowledged write is lost', {
  skip: process.env.TEST_DATABASE_URL ? 'the folder lock guards the embedded database only; the embedded run covers it' : false,
}, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xinan-lock-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const pgdata = join(dataDir, 'pgdata')
  mkdirSync(dataDir, { recursive: true })

  const holder = await startHolder(pgdata, 40)
  t.teardown(() => { holder.child.kill('SIGKILL') })

  const attempts: Record<string, string[]> = {
    'server': ['src/server.ts'],
    'db:migrate': ['scripts/migrate.ts'],
    'seed:demo': ['scripts/seed-demo.ts'],
    'audit:verify': ['scripts/verify-audit.ts'],
    'job': ['scripts/job.ts', 'mark-overdue'],
  }
  const results = await Promise.all(Object.entries(attempts).map(async ([name, args]) => [name, await runScript(args, dataDir)] as const))
  for (const [name, r] of results) {
    t.not(r.code, 0, `${name} exits non-zero`)
    t.match(r.output, `PID ${holder.pid}`, `${name} names the holder's PID`)
    t.match(r.output, 'in use', `${name} says the folder is in use`)
  }

  holder.child.stdin.write('close\n')
  t.equal(await holder.exited, 0, 'the holder closes cleanly')
  t.notOk(existsSync(`${pgdata}.lock`), 'closing released the lock')

  // kill -9 leaves the lock behind; the next process recognises it as stale.
  const killed = await startHolder(pgdata, 25)
  t.ok(existsSync(`${pgdata}.lock`))
  killed.child.kill('SIGKILL')
  await killed.exited
  t.equal(JSON.parse(readFileSync(`${pgdata}.lock`, 'utf8')).pid, killed.pid, 'kill -9 left its lock')

  const database = await openDatabase({ dataDir: pgdata })
  try {
    const rows = await queryRows<{ n: number; distinct: number }>(database.db, sql`select count(*)::int as n, count(distinct n)::int as distinct from held_rows`)
    t.same(rows[0], { n: 65, distinct: 65 }, 'every acknowledged write of both holders is there: 0 lost')
    t.equal(JSON.parse(readFileSync(`${pgdata}.lock`, 'utf8')).pid, process.pid, 'this process took the stale lock over')
  } finally {
    await database.close()
  }
})
