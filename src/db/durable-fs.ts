import { closeSync, existsSync, fsyncSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { NodeFS } from '@electric-sql/pglite/nodefs'

/**
 * Durable commits for the embedded database.
 *
 * PGlite starts PostgreSQL with `-F` (fsync off), and even without it nothing reaches the
 * disk: its Emscripten layer answers fdatasync() with a no-op and the Node folder layer
 * (NODEFS) has no fsync at all. A commit is then in the OS page cache only — safe against a
 * crash of the process, lost on a power cut. Here PostgreSQL runs with fsync on and
 * wal_sync_method=fsync (the one sync call Emscripten forwards to the file layer), and the
 * file layer gets a real fsync. PostgreSQL's own protocol then decides what is synced when:
 * the WAL up to the commit record before COMMIT returns, data files and pg_control at each
 * checkpoint, directories after renames. PGlite runs one transaction at a time, and a batch
 * of audit rows commits as one transaction, so one fsync covers all requests in the batch; the
 * write transactions of requests share one WAL flush in the same way (wal-flush.ts).
 */

/** fsync calls made for the embedded database in this process (tests and the bench read it). */
export const fsyncStats = { calls: 0 }

interface NodefsModule {
  NODEFS: {
    stream_ops: Record<string, unknown>
    tryFSOperation<T>(fn: () => T): T
  }
}

export class DurableNodeFS extends NodeFS {
  override async init(pg: PGlite, opts: Parameters<NodeFS['init']>[1]): ReturnType<NodeFS['init']> {
    const { emscriptenOpts } = await super.init(pg, opts)
    const installFsync = (mod: unknown) => {
      const nodefs = (mod as NodefsModule).NODEFS
      // tryFSOperation turns a failed fsync (EIO, ENOSPC) into the errno PostgreSQL expects, so it PANICs rather than carry on.
      nodefs.stream_ops.fsync = (stream: { nfd: number }) => {
        nodefs.tryFSOperation(() => fsyncSync(stream.nfd))
        fsyncStats.calls++
        return 0
      }
    }
    return { emscriptenOpts: { ...emscriptenOpts, preRun: [...(emscriptenOpts.preRun ?? []), installFsync] } }
  }
}

/** PGlite's start parameters with fsync on and the WAL synced through fsync(). */
export function durableStartParams(): string[] {
  return [...PGlite.defaultStartParams.filter((p) => p !== '-F'), '-c', 'fsync=on', '-c', 'wal_sync_method=fsync']
}

const SYNCED_MARK = 'xinan-fsynced'

/**
 * Once per folder: fsyncs everything in it and leaves a mark. initdb (a separate module),
 * earlier versions of XinAn and runs with `durable: false` wrote files without fsync, and
 * PostgreSQL syncs the whole folder itself only when it recovers from a crash. From then on
 * PostgreSQL's own fsyncs keep it durable, so later starts skip the walk (seconds on a busy disk).
 */
export function syncFolderOnce(dir: string): void {
  const mark = join(dir, SYNCED_MARK)
  if (existsSync(mark)) return
  fsyncTree(dir)
  writeFileSync(mark, 'every file of this folder was fsynced; PostgreSQL runs with fsync on\n')
  const fd = openSync(mark, 'r')
  try { fsyncSync(fd) } finally { closeSync(fd) }
  const d = openSync(dir, 'r')
  try { fsyncSync(d) } finally { closeSync(d) }
}

/** Before a run without fsync: the folder must be walked again by the next durable start. */
export function forgetFolderSynced(dir: string): void {
  rmSync(join(dir, SYNCED_MARK), { force: true })
}

/** fsyncs every file and folder under `dir`. */
export function fsyncTree(dir: string): number {
  let n = 0
  const sync = (path: string) => {
    const fd = openSync(path, 'r')
    try { fsyncSync(fd) } finally { closeSync(fd) }
    n++
  }
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.isFile()) sync(p)
    }
    sync(d)
  }
  walk(dir)
  return n
}
