/**
 * Bench §6: cold start of `npm start` as a child process (npm → tsx → node), timed from
 * spawning to the first 200 from /healthz, with JOBS_ENABLED=false and the demo seeding as by
 * default:
 *  - first start: a new data folder (embedded: initdb, migrations, demo seed) or an empty
 *    scratch database (server: migrations, demo seed);
 *  - restart on the existing folder / database;
 *  - first start with SEED_DEMO=false, on another new folder / database.
 * Idle RSS: VmRSS of the server process (/proc/<pid>/status) two seconds after it answered;
 * also its VmHWM (peak while starting) and the whole process tree's RSS (npm, tsx, server).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { modeOf, note, withScratchDatabase, type Metric, type SectionOptions } from './common.js'

const root = resolve(import.meta.dirname, '..', '..')
const READY_TIMEOUT_MS = 180_000
const IDLE_WAIT_MS = 2_000

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer()
    srv.once('error', fail)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => ok(port))
    })
  })
}

/** Every process below `rootPid`, from /proc. */
function descendants(rootPid: number): number[] {
  const children = new Map<number, number[]>()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)])
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = []
  const queue = [rootPid]
  while (queue.length) {
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c)
      queue.push(c)
    }
  }
  return out
}

/** A VmRSS / VmHWM figure of /proc/<pid>/status in MB (0 when the process is gone). */
function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Math.round(Number(m[1]) / 1024) : 0
  } catch {
    return 0
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')
  } catch {
    return ''
  }
}

interface StartResult { readyMs: number; idleRssMb: number; peakRssMb: number; treeRssMb: number }

/** Starts `npm start` with `env`, waits for /healthz, measures, stops it (its process group). */
async function startOnce(env: Record<string, string>, label: string): Promise<StartResult> {
  const port = await freePort()
  const childEnv: Record<string, string | undefined> = { ...process.env }
  for (const k of ['DATABASE_URL', 'TEST_DATABASE_URL', 'NODE_ENV', 'PORT', 'HOST', 'DATA_DIR', 'SEED_DEMO', 'JOBS_ENABLED', 'LOG_LEVEL', 'JWT_SECRET']) delete childEnv[k]
  Object.assign(childEnv, { HOST: '127.0.0.1', PORT: String(port), JOBS_ENABLED: 'false', ...env })
  let tail = ''
  const keep = (b: Buffer) => { tail = (tail + b.toString()).slice(-2000) }
  const t0 = performance.now()
  const child: ChildProcess = spawn('npm', ['start'], { cwd: root, env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  let exited = false
  const exit = new Promise<void>((ok) => child.once('exit', () => { exited = true; ok() }))
  const pid = child.pid!
  try {
    let readyMs = 0
    while (!readyMs) {
      if (exited) throw new Error(`${label}: npm start exited before answering: ${tail.slice(-600)}`)
      if (performance.now() - t0 > READY_TIMEOUT_MS) throw new Error(`${label}: no answer from /healthz in ${READY_TIMEOUT_MS / 1000} s`)
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`)
        if (res.status === 200) readyMs = performance.now() - t0
        else await res.arrayBuffer()
      } catch {
        // not listening yet
      }
      if (!readyMs) await sleep(25)
    }
    await sleep(IDLE_WAIT_MS)
    const tree = descendants(pid)
    const servers = tree.filter((p) => cmdline(p).includes('src/server.ts'))
    const server = servers.sort((a, b) => statusMb(b, 'VmRSS') - statusMb(a, 'VmRSS'))[0]
    if (!server) throw new Error(`${label}: no server process found below npm (${tree.length} processes)`)
    const r = {
      readyMs: Math.round(readyMs),
      idleRssMb: statusMb(server, 'VmRSS'),
      peakRssMb: statusMb(server, 'VmHWM'),
      treeRssMb: [pid, ...tree].reduce((a, p) => a + statusMb(p, 'VmRSS'), 0),
    }
    note(`${label}: ready in ${r.readyMs} ms, idle RSS ${r.idleRssMb} MB (tree ${r.treeRssMb} MB, peak ${r.peakRssMb} MB)`)
    return r
  } finally {
    await stop(pid, exit)
  }
}

/** SIGTERM to the process group this bench started; waits for every member, then SIGKILL. */
async function stop(pid: number, exit: Promise<void>): Promise<void> {
  const members = [pid, ...descendants(pid)]
  try { process.kill(-pid, 'SIGTERM') } catch { /* already gone */ }
  const deadline = performance.now() + 20_000
  while (performance.now() < deadline && members.some(isAlive)) await sleep(50)
  if (members.some(isAlive)) {
    process.stderr.write(`cold start: process group ${pid} did not stop in 20 s; killing it\n`)
    try { process.kill(-pid, 'SIGKILL') } catch { /* gone */ }
  }
  await Promise.race([exit, sleep(5_000)])
}

/** Alive and not a zombie. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

export async function benchColdStart(opts: SectionOptions): Promise<Metric[]> {
  const mode = modeOf(opts.url)
  const dir = mkdtempSync(join(tmpdir(), 'xinan-bench-start-'))
  try {
    let first: StartResult
    let again: StartResult
    let noSeed: StartResult
    if (!opts.url) {
      note('cold start, embedded: new data folder (initdb, migrations, demo seed), restart on it, new folder without seed')
      first = await startOnce({ DATA_DIR: join(dir, 'a') }, 'first start, new data folder')
      again = await startOnce({ DATA_DIR: join(dir, 'a') }, 'restart, existing data folder')
      noSeed = await startOnce({ DATA_DIR: join(dir, 'b'), SEED_DEMO: 'false' }, 'first start, new folder, SEED_DEMO=false')
    } else {
      const url = opts.url
      note('cold start, server: empty database (migrations, demo seed), restart on it, another empty database without seed')
      first = await startOnce({ DATA_DIR: join(dir, 'a'), DATABASE_URL: url }, 'first start, empty database')
      again = await startOnce({ DATA_DIR: join(dir, 'a'), DATABASE_URL: url }, 'restart, existing database')
      noSeed = await withScratchDatabase(url, 'start_noseed', (other) =>
        startOnce({ DATA_DIR: join(dir, 'b'), DATABASE_URL: other, SEED_DEMO: 'false' }, 'first start, empty database, SEED_DEMO=false'))
    }
    return [
      { name: `cold_start_ms_${mode}`, value: again.readyMs, unit: 'ms (npm start → /healthz 200, existing data)' },
      { name: `cold_start_first_ms_${mode}`, value: first.readyMs, unit: `ms (new ${opts.url ? 'database' : 'data folder'}, with demo seed)` },
      { name: `cold_start_first_noseed_ms_${mode}`, value: noSeed.readyMs, unit: `ms (new ${opts.url ? 'database' : 'data folder'}, SEED_DEMO=false)` },
      { name: `idle_rss_mb_${mode}`, value: again.idleRssMb, unit: 'MB (server process, after restart)' },
      { name: `idle_rss_first_mb_${mode}`, value: first.idleRssMb, unit: 'MB (server process, after first start + seed)' },
      { name: `start_peak_rss_mb_${mode}`, value: first.peakRssMb, unit: 'MB (VmHWM, first start + seed)' },
      { name: `idle_rss_tree_mb_${mode}`, value: again.treeRssMb, unit: 'MB (npm + tsx + server, after restart)' },
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
