import { Worker } from 'node:worker_threads'
import { AppError } from '../errors.js'
import { checkArchive, mb } from './zip.js'
import type { Config } from '../../config.js'
import { SheetRefused, type FileKind, type LimitFailure, type Sheet, type SheetLimits, type TaskFailure } from './types.js'

/**
 * One reader for every spreadsheet upload (roster and screening imports). The archive's
 * central directory is checked here, before anything is inflated; the parse itself runs in a
 * worker thread with its own heap limit and a time budget, so a hostile or merely huge file
 * neither stalls the requests of other users nor takes the process down — the worker dies,
 * the upload is refused, the next file gets a fresh worker.
 */

interface Pending {
  worker: Worker
  resolve: (v: unknown) => void
  reject: (e: Error) => void
  onPart?: ((part: unknown) => void) | undefined
  timer: NodeJS.Timeout
}

/** What the worker answers: a part of a longer answer, the answer, or a refusal. */
interface Reply { id: number; part?: unknown; sheet?: Sheet; value?: unknown; done?: boolean; failure?: TaskFailure }

let worker: Worker | undefined
let workerHeapMb = 0
let nextId = 1
const pending = new Map<number, Pending>()
const dead = new WeakSet<Worker>()
/** Open sessions per worker: a worker holding a session's sheet is not replaced under it. */
const sessions = new Map<Worker, number>()

const tooComplex = (limits: SheetLimits) => new AppError(413, 'import_too_complex', { mb: limits.workerHeapMb, seconds: Math.round(limits.timeoutMs / 1000) })
const toAppError = (f: LimitFailure | TaskFailure) => {
  const e = new AppError(f.statusCode, f.code, f.params, 'details' in f ? f.details : undefined)
  // For the log (plugins/errors.ts), not the answer.
  if ('cause' in f && f.cause) e.cause = f.cause
  return e
}

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
  w.on('message', (msg: Reply) => {
    const p = pending.get(msg.id)
    if (!p) return
    if ('part' in msg) { p.onPart?.(msg.part); return }
    settle(msg.id)
    if (msg.failure) p.reject(toAppError(msg.failure))
    else p.resolve(msg.sheet ?? msg.value)
  })
  // Out of memory (ERR_WORKER_OUT_OF_MEMORY) or any other death: every file it held is refused.
  const died = () => {
    if (worker === w) worker = undefined
    dead.add(w)
    sessions.delete(w)
    for (const [id, p] of [...pending]) {
      if (p.worker !== w) continue
      settle(id)
      p.reject(tooComplex(limits))
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

/** The worker files go to: the running one, or a fresh one with the heap these limits ask for. */
function current(limits: SheetLimits): Worker {
  if (!worker || workerHeapMb !== limits.workerHeapMb) {
    if (worker && pending.size === 0 && !sessions.get(worker)) void worker.terminate()
    worker = spawn(limits)
    workerHeapMb = limits.workerHeapMb
  }
  return worker
}

function post<T>(w: Worker, message: Record<string, unknown>, limits: SheetLimits, onPart?: (part: unknown) => void): Promise<T> {
  if (dead.has(w)) return Promise.reject(tooComplex(limits))
  const id = nextId++
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Too slow: the worker is stopped (its other files, if any, are refused the same way).
      void w.terminate()
    }, limits.timeoutMs)
    pending.set(id, { worker: w, resolve: resolve as (v: unknown) => void, reject, onPart, timer })
    w.ref()
    w.postMessage({ ...message, id })
  })
}

/** Parses in the worker; refusals arrive as AppErrors (413 / 422) with the limit in their message. */
export function parseInWorker(file: Buffer, kind: FileKind, limits: SheetLimits): Promise<Sheet> {
  return post<Sheet>(current(limits), { file, kind, limits }, limits)
}

export interface WorkerSession {
  /**
   * Runs the export `fn` of the session's module in the worker with `args`. The task may send
   * parts of a long answer ahead of it (`emit`); each arrives as its own message, so reading
   * none of them holds the event loop for long. An AppError the task throws arrives as the same
   * AppError; a worker that died or ran out of time refuses the call (413 import_too_complex).
   */
  run<T>(fn: string, args: unknown, onPart?: (part: unknown) => void): Promise<T>
  /** The session is over (the caller has told its task module to drop what it kept). */
  close(): void
}

/**
 * Calls into the parsing thread for an importer's own work on a sheet — checking and scoring
 * every row — so that it never runs on the event loop and the sheet never crosses back to the
 * main thread. `module` is the file URL of the importer's task module; every call of a session
 * goes to the same worker, so a sheet a task keeps there is found by the next call. The same
 * limits apply as to parsing: the worker's heap, and the time budget per call.
 */
export function workerSession(module: string, limits: SheetLimits): WorkerSession {
  const w = current(limits)
  sessions.set(w, (sessions.get(w) ?? 0) + 1)
  let open = true
  return {
    run: (fn, args, onPart) => post(w, { task: { module, fn, args } }, limits, onPart),
    close() {
      if (!open) return
      open = false
      const n = (sessions.get(w) ?? 1) - 1
      if (n > 0) sessions.set(w, n)
      else sessions.delete(w)
    },
  }
}

/**
 * The archive checks, on a few hundred bytes of directory: a zip bomb is refused here, on the
 * main thread, before the worker sees it. The worker checks again as it inflates.
 */
export function precheckSpreadsheet(file: Buffer, kind: FileKind, limits: SheetLimits): void {
  if (kind !== 'xlsx') return
  try {
    checkArchive(file, limits)
  } catch (err) {
    if (err instanceof SheetRefused) throw toAppError(err.failure)
    throw err
  }
}

/** Reads an uploaded .xlsx or CSV within the limits. */
export async function readSpreadsheet(file: Buffer, kind: FileKind, limits: SheetLimits): Promise<Sheet> {
  precheckSpreadsheet(file, kind, limits)
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
