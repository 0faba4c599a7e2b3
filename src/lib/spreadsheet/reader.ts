import { Worker } from 'node:worker_threads'
import { AppError } from '../errors.js'
import { checkArchive, mb } from './zip.js'
import type { Config } from '../../config.js'
import { SheetRefused, type FileKind, type LimitFailure, type Sheet, type SheetLimits } from './types.js'

/**
 * One reader for every spreadsheet upload (roster and screening imports). The archive's
 * central directory is checked here, before anything is inflated; the parse itself runs in a
 * worker thread with its own heap limit and a time budget, so a hostile or merely huge file
 * neither stalls the requests of other users nor takes the process down — the worker dies,
 * the upload is refused, the next file gets a fresh worker.
 */

interface Pending { worker: Worker; resolve: (s: Sheet) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }

let worker: Worker | undefined
let workerHeapMb = 0
let nextId = 1
const pending = new Map<number, Pending>()

const toAppError = (f: LimitFailure) => new AppError(f.statusCode, f.code, f.params)

/**
 * The worker's entry, next to this file. Under tsx (`npm start`, the tests) the entry is
 * TypeScript and the loader does not follow into worker threads: the worker registers tsx
 * itself before importing it. A compiled build loads the .js file directly.
 */
function spawn(limits: SheetLimits): Worker {
  const self = new URL(import.meta.url)
  const ts = self.pathname.endsWith('.ts')
  const entry = new URL(`./worker.${ts ? 'ts' : 'js'}`, self).href
  const options = { resourceLimits: { maxOldGenerationSizeMb: limits.workerHeapMb, maxYoungGenerationSizeMb: 32 } }
  const w = ts
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(entry)}) })`, { ...options, eval: true })
    : new Worker(new URL(entry), options)
  w.on('message', (msg: { id: number; sheet?: Sheet; failure?: LimitFailure }) => {
    const p = pending.get(msg.id)
    if (!p) return
    settle(msg.id)
    if (msg.sheet) p.resolve(msg.sheet)
    else p.reject(toAppError(msg.failure!))
  })
  // Out of memory (ERR_WORKER_OUT_OF_MEMORY) or any other death: every file it held is refused.
  const died = () => {
    if (worker === w) worker = undefined
    for (const [id, p] of [...pending]) {
      if (p.worker !== w) continue
      settle(id)
      p.reject(new AppError(413, 'import_too_complex', { mb: limits.workerHeapMb, seconds: Math.round(limits.timeoutMs / 1000) }))
    }
  }
  w.on('error', died)
  w.on('exit', died)
  w.unref()
  return w
}

function settle(id: number): void {
  const p = pending.get(id)
  if (p) clearTimeout(p.timer)
  pending.delete(id)
  // An idle worker does not keep the process alive; a busy one does (the caller awaits it).
  if (pending.size === 0) worker?.unref()
}

/** Parses in the worker; refusals arrive as AppErrors (413 / 422) with the limit in their message. */
export function parseInWorker(file: Buffer, kind: FileKind, limits: SheetLimits): Promise<Sheet> {
  if (!worker || workerHeapMb !== limits.workerHeapMb) {
    if (worker && pending.size === 0) void worker.terminate()
    worker = spawn(limits)
    workerHeapMb = limits.workerHeapMb
  }
  const w = worker
  const id = nextId++
  return new Promise<Sheet>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Too slow: the worker is stopped (its other files, if any, are refused the same way).
      void w.terminate()
    }, limits.timeoutMs)
    pending.set(id, { worker: w, resolve, reject, timer })
    w.ref()
    w.postMessage({ id, file, kind, limits })
  })
}

/**
 * Reads an uploaded .xlsx or CSV within the limits. The archive checks run first, here, on a
 * few hundred bytes of directory: a zip bomb is refused before the worker sees it.
 */
export async function readSpreadsheet(file: Buffer, kind: FileKind, limits: SheetLimits): Promise<Sheet> {
  if (kind === 'xlsx') {
    try {
      checkArchive(file, limits)
    } catch (err) {
      if (err instanceof SheetRefused) throw toAppError(err.failure)
      throw err
    }
  }
  return parseInWorker(file, kind, limits)
}

export { mb }

/** The limits as configured (src/config.ts, IMPORT_* settings). */
export function sheetLimitsOf(config: Config): SheetLimits {
  return {
    maxRows: config.IMPORT_MAX_ROWS,
    maxColumns: config.IMPORT_MAX_COLUMNS,
    maxCells: config.IMPORT_MAX_CELLS,
    maxInflatedBytes: config.IMPORT_MAX_INFLATED_MB * 1_048_576,
    maxRatio: config.IMPORT_MAX_RATIO,
    workerHeapMb: config.IMPORT_WORKER_HEAP_MB,
    timeoutMs: config.IMPORT_PARSE_TIMEOUT_S * 1000,
  }
}
