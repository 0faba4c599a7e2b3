import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { promisify } from 'node:util'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/**
 * A throwaway PostgreSQL cluster for tests that stop, restart or freeze the database: made with
 * initdb in a temporary folder, on its own port, removed at the end. As root the server runs as
 * the `postgres` user (PostgreSQL refuses to run as root).
 */
export interface Cluster {
  url: string
  port: number
  /** pg_ctl restart (-m fast or immediate), waiting until it accepts connections again. */
  restart(mode: 'fast' | 'immediate'): Promise<void>
  stop(mode?: 'fast' | 'immediate'): Promise<void>
  start(): Promise<void>
  /** SIGSTOP / SIGCONT the postmaster and every backend. */
  freeze(): void
  thaw(): void
  remove(): void
}

export function findPgBin(): string | undefined {
  const candidates: string[] = []
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim())
  } catch { /* no pg_config on PATH */ }
  if (existsSync('/usr/lib/postgresql')) {
    for (const v of readdirSync('/usr/lib/postgresql').sort().reverse()) candidates.push(`/usr/lib/postgresql/${v}/bin`)
  }
  return candidates.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')))
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.once('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => ok(port))
    })
  })
}

export async function startCluster(bin: string): Promise<Cluster> {
  const asRoot = process.getuid?.() === 0
  const dir = mkdtempSync(join(tmpdir(), 'xinan-pg-'))
  if (asRoot) chownSync(dir, uidOf('postgres'), gidOf('postgres'))
  const data = join(dir, 'data')
  const run = (tool: string, args: string[]) => {
    const cmd = resolve(bin, tool)
    return asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe', timeout: 60_000 })
      : execFileSync(cmd, args, { stdio: 'pipe', timeout: 60_000 })
  }
  run('initdb', ['-D', data, '-U', 'xinan', '--auth=trust', '-E', 'UTF8', '--no-sync'])
  const port = await freePort()
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`
  const ctl = (...args: string[]) => run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), ...args])
  // Asynchronous, so the test's own requests keep running (and keep honest times) meanwhile.
  const ctlAsync = async (...args: string[]) => {
    const cmd = resolve(bin, 'pg_ctl')
    const all = ['-D', data, '-l', join(dir, 'log'), ...args]
    await (asRoot ? execFileP('runuser', ['-u', 'postgres', '--', cmd, ...all], { timeout: 60_000 }) : execFileP(cmd, all, { timeout: 60_000 }))
  }
  ctl('-o', opts, '-w', 'start')
  const pids = () => {
    const main = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0])
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(main)], { encoding: 'utf8' })
      .split('\n').map((l) => Number(l.trim())).filter((n) => n > 0)
    return [main, ...children]
  }
  let frozen: number[] = []
  const thaw = () => {
    for (const p of frozen) {
      try { process.kill(p, 'SIGCONT') } catch { /* exited meanwhile */ }
    }
    frozen = []
  }
  return {
    url: `postgres://xinan@127.0.0.1:${port}/postgres`,
    port,
    restart: (mode) => ctlAsync('-o', opts, '-m', mode, '-w', 'restart'),
    stop: (mode = 'fast') => ctlAsync('-m', mode, '-w', 'stop'),
    start: () => ctlAsync('-o', opts, '-w', 'start'),
    freeze() {
      // The postmaster first, so it cannot fork a backend between the listing and the signals.
      const [main] = pids()
      process.kill(main!, 'SIGSTOP')
      frozen = pids()
      for (const p of frozen) if (p !== main) process.kill(p, 'SIGSTOP')
    },
    thaw,
    remove() {
      thaw()
      try { ctl('-m', 'immediate', '-w', 'stop') } catch { /* not running */ }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

const execFileP = promisify(execFile)

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim())
}
function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim())
}

export interface ServerProcess {
  child: ChildProcess
  base: string
  /** Every log line (pino JSON) the server wrote. */
  lines: string[]
  exited: Promise<number | null>
}

/** Starts the real server (src/server.ts) on a free port and resolves once /healthz answers. */
export async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  const root = resolve(import.meta.dirname, '..', '..')
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), NODE_ENV: 'test', SEED_DEMO: 'false',
      JOBS_ENABLED: 'false', LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '1000000', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  let exitCode: number | null | undefined
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => { exitCode = code; ok(code) }))
  let buf = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    buf += String(chunk)
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i))
      buf = buf.slice(i + 1)
    }
  })
  child.stderr!.on('data', (c: Buffer) => lines.push(String(c)))
  const base = `http://127.0.0.1:${port}`
  const until = Date.now() + 180_000
  for (;;) {
    if (exitCode !== undefined) throw new Error(`server exited (${exitCode}) before listening:\n${lines.slice(-20).join('\n')}`)
    if (Date.now() > until) {
      child.kill('SIGKILL')
      throw new Error(`server did not start in 180 s:\n${lines.slice(-20).join('\n')}`)
    }
    const up = await fetch(`${base}/healthz`).then((r) => r.ok, () => false)
    if (up) return { child, base, lines, exited }
    await new Promise((r) => setTimeout(r, 200))
  }
}
