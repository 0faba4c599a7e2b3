import { statfs as fsStatfs } from 'node:fs/promises'
import { dirname } from 'node:path'
import fp from 'fastify-plugin'
import { AppError } from '../lib/errors.js'

export interface DiskStatus {
  /** false when nothing is watched: a server database, an in-memory one, or a floor of 0. */
  watched: boolean
  ok: boolean
  freeMb: number | null
  floorMb: number
}

declare module 'fastify' {
  interface FastifyInstance {
    diskSpace: { status(): Promise<DiskStatus> }
  }
}

type Statfs = (path: string) => Promise<{ bavail: number | bigint; bsize: number | bigint }>

export interface DiskSpaceOptions {
  /** The folder whose filesystem is watched; default: the embedded database's data folder. */
  path?: string | undefined
  /** Default: DISK_FREE_FLOOR_MB. */
  floorMb?: number
  /** How long one measurement is trusted. */
  ttlMs?: number
  statfs?: Statfs
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Refuses writes (507 insufficient_storage) while free space on the embedded data folder's
 * filesystem is under the floor. PGlite does not survive a full disk: once PostgreSQL's write
 * fails with ENOSPC the WebAssembly backend spins at 100 % CPU on the event loop's thread, so
 * no answer, no /readyz and no SIGTERM gets through, and freeing space does not help until a
 * restart. The floor keeps the database from ever getting there; reads go on. statfs is one
 * cheap syscall, and one measurement serves all requests for ttlMs.
 */
export default fp<DiskSpaceOptions>(async (app, opts) => {
  const path = opts.path ?? app.database.dataDir
  const floorMb = opts.floorMb ?? app.config.DISK_FREE_FLOOR_MB
  const ttlMs = opts.ttlMs ?? 1000
  const statfs: Statfs = opts.statfs ?? fsStatfs
  const watched = path !== undefined && floorMb > 0

  let last: { at: number; status: DiskStatus } | undefined
  let pending: Promise<DiskStatus> | undefined
  let warned = false

  async function measure(): Promise<DiskStatus> {
    // The data folder may not exist yet on a first start: measure the nearest existing parent.
    for (let p = path!; ; p = dirname(p)) {
      try {
        const s = await statfs(p)
        const freeMb = Math.floor(Number(s.bavail) * Number(s.bsize) / 1_048_576)
        return { watched: true, ok: freeMb >= floorMb, freeMb, floorMb }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && dirname(p) !== p) continue
        // Unmeasurable is not full: refusing every write on a probe error would be the worse failure.
        if (!warned) app.log.warn({ err: { code: (err as NodeJS.ErrnoException).code } }, 'free disk space cannot be measured')
        warned = true
        return { watched: true, ok: true, freeMb: null, floorMb }
      }
    }
  }

  async function status(): Promise<DiskStatus> {
    if (!watched) return { watched: false, ok: true, freeMb: null, floorMb }
    const now = Date.now()
    if (last && now - last.at < ttlMs) return last.status
    pending ??= measure().then((s) => {
      if (!s.ok && last?.status.ok !== false) app.log.error({ freeMb: s.freeMb, floorMb }, 'disk space under the floor: writes refused until space is freed')
      if (s.ok && last?.status.ok === false) app.log.info({ freeMb: s.freeMb, floorMb }, 'disk space back over the floor: writes accepted again')
      last = { at: Date.now(), status: s }
      return s
    }).finally(() => { pending = undefined })
    return pending
  }

  app.decorate('diskSpace', { status })
  if (!watched) return
  app.addHook('onRequest', async (req) => {
    if (READ_METHODS.has(req.method)) return
    const s = await status()
    if (!s.ok) throw new AppError(507, 'insufficient_storage')
  })
}, { name: 'disk-space', dependencies: ['db', 'errors'] })
