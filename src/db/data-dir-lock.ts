import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'

/**
 * One process per embedded data folder. PGlite does not guard its folder: a second process
 * opening it runs happily on its own copy of the buffers, and on the next start acknowledged
 * writes of one of them are gone and the audit chain looks tampered with. So every process
 * takes this lock before PGlite touches the folder: `<folder>.lock` beside it (initdb wants
 * the folder itself empty) holding who owns it.
 */
export interface LockHolder {
  pid: number
  hostname: string
  /** Kernel start time of the process (Linux): tells a live owner from a reused PID. */
  startTicks?: string
  startedAt: string
  token: string
}

export interface DataDirLock {
  readonly path: string
  readonly holder: LockHolder
  /** Removes the lock if it is still ours; safe to call twice. */
  release(): void
}

export class DataDirInUse extends Error {
  constructor(readonly dir: string, readonly holder: LockHolder) {
    const where = holder.hostname === hostname() ? '' : ` on host ${holder.hostname}`
    super(
      `数据目录 ${dir} 正被进程 PID ${holder.pid} 使用（自 ${holder.startedAt} 起），请先停止该进程。` +
      ` / The data folder ${dir} is in use by process PID ${holder.pid}${where} (since ${holder.startedAt}); ` +
      'stop that process first: only one process may open an embedded data folder.',
    )
    this.name = 'DataDirInUse'
  }
}

function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Field 22 (starttime); the command name in field 2 may hold spaces, so count after ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>
    if (typeof h.pid === 'number' && typeof h.hostname === 'string' && typeof h.token === 'string') return h as LockHolder
  } catch { /* unreadable or half-written by hand: treated as stale below */ }
  return undefined
}

/** Is the process named in the lock still running? A holder on another host cannot be checked, so it counts as alive. */
export function holderAlive(h: LockHolder): boolean {
  if (h.hostname !== hostname()) return true
  try {
    process.kill(h.pid, 0)
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  if (h.startTicks) {
    const now = processStartTicks(h.pid)
    if (now !== undefined && now !== h.startTicks) return false // the PID was reused after a kill -9
  }
  return true
}

const held = new Set<string>()

/**
 * Takes the lock or throws DataDirInUse naming the holder. The lock is written whole to a
 * temporary file and hard-linked into place, so it appears atomically with its content (a
 * reader never sees it empty). A stale lock (its process gone after kill -9 or a power cut)
 * is moved aside and taken over.
 */
export function lockDataDir(dir: string): DataDirLock {
  const path = `${dir}.lock`
  const holder: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    ...(processStartTicks(process.pid) ? { startTicks: processStartTicks(process.pid)! } : {}),
    startedAt: new Date().toISOString(),
    token: randomBytes(12).toString('hex'),
  }
  // A second open in this same process would be just as harmful as one in another process.
  if (held.has(path)) {
    const current = readHolder(path)
    throw new DataDirInUse(dir, current ?? holder)
  }
  const tmp = `${path}.${process.pid}.${holder.token}`
  const fd = openSync(tmp, 'wx', 0o600)
  try {
    writeSync(fd, JSON.stringify(holder) + '\n')
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, path)
        break
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
      const current = readHolder(path)
      if (current && holderAlive(current)) throw new DataDirInUse(dir, current)
      if (attempt >= 3) throw new Error(`could not take over the stale lock ${path}`)
      takeOver(path, current)
    }
  } finally {
    try { unlinkSync(tmp) } catch { /* already gone */ }
  }
  held.add(path)
  let released = false
  const release = () => {
    if (released) return
    released = true
    held.delete(path)
    process.removeListener('exit', release)
    if (readHolder(path)?.token === holder.token) {
      try { unlinkSync(path) } catch { /* removed by hand */ }
    }
  }
  // A process that exits without closing the database (an uncaught error, process.exit) leaves no lock behind.
  process.on('exit', release)
  return { path, holder, release }
}

/**
 * Moves the stale lock aside. Renaming (not unlinking) lets us check afterwards that what we
 * moved is the stale lock we read and not a fresh one another process linked in meanwhile;
 * if it was fresh, it goes back and the next round reports that process.
 */
function takeOver(path: string, stale: LockHolder | undefined): void {
  const aside = `${path}.stale.${process.pid}.${randomBytes(6).toString('hex')}`
  try {
    renameSync(path, aside)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  const moved = readHolder(aside)
  if (moved && moved.token !== stale?.token) {
    try { linkSync(aside, path) } catch { /* someone else holds it now: the next round reports them */ }
  }
  try { unlinkSync(aside) } catch { /* already gone */ }
}

/** For the command-line tools: a folder in use ends the process with the message alone (exit 1), not a stack trace. */
export function exitIfFolderInUse(err: unknown): never {
  if (err instanceof DataDirInUse) {
    console.error(err.message)
    process.exit(1)
  }
  throw err
}
