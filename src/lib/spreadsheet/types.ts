/**
 * What the spreadsheet reader hands to the importers, and the limits it enforces. Shared by
 * the main thread and the parsing worker, so it imports nothing heavy.
 */

export type FileKind = 'csv' | 'xlsx'

export type Cell = string | number | boolean | Date | null

export interface Sheet {
  kind: FileKind
  /** The header row, trimmed after its last non-empty cell: its length is the width every row is read to. */
  header: Cell[]
  /** Data rows with their spreadsheet row number (the header is row 1 in a CSV). */
  rows: Array<{ rowNo: number; cells: Cell[] }>
}

export interface SheetLimits {
  /** Data rows with content. */
  maxRows: number
  /** Width of the header row (its last non-empty cell). */
  maxColumns: number
  /** Data rows × header width. */
  maxCells: number
  /** Sum of the inflated sizes of every entry of an .xlsx archive. */
  maxInflatedBytes: number
  /** Inflated size ÷ file size, checked once the archive inflates beyond RATIO_FLOOR_BYTES. */
  maxRatio: number
  /** Heap of the parsing worker; a file that needs more is refused instead of taking the process down. */
  workerHeapMb: number
  /** Wall-clock budget of one parse in the worker. */
  timeoutMs: number
}

/**
 * Below this inflated size the ratio is not checked: a tiny, very repetitive file harms nobody,
 * and a few KB of XML can legitimately compress well beyond any ratio.
 */
export const RATIO_FLOOR_BYTES = 8 * 1_048_576

export const DEFAULT_LIMITS: SheetLimits = {
  maxRows: 50_000,
  maxColumns: 256,
  maxCells: 1_500_000,
  maxInflatedBytes: 100 * 1_048_576,
  maxRatio: 100,
  workerHeapMb: 512,
  timeoutMs: 60_000,
}

/**
 * A refusal as plain data: it crosses the worker boundary and becomes an AppError on the main
 * thread. `cause` says where an unexpected failure came from, for the server's log only.
 */
export interface LimitFailure { statusCode: 413 | 422; code: string; params: Record<string, string | number>; cause?: string }

/** A refusal thrown by a task run in the worker (reader.ts runInWorker): an AppError as plain data. */
export interface TaskFailure { statusCode: number; code: string; params: Record<string, string | number>; details?: unknown; cause?: string }

export class SheetRefused extends Error {
  constructor(readonly failure: LimitFailure) {
    super(failure.code)
  }
}

export const refuse = (statusCode: 413 | 422, code: string, params: Record<string, string | number> = {}): SheetRefused =>
  new SheetRefused({ statusCode, code, params })

/**
 * A file the parser failed on: refused as unreadable (the usual reason is a damaged file), with
 * where the failure came from, so that a fault of the reader's own is told apart in the log.
 */
export const unreadableBecause = (err: unknown): SheetRefused =>
  new SheetRefused({ statusCode: 422, code: 'import_unreadable', params: {}, cause: causeOf(err) })

/**
 * An error's class, its code and the frame it was thrown from (file and line, the path from
 * node_modules or src on). Never its message: a parser's message can quote the file, and the
 * file holds students' names.
 */
export function causeOf(err: unknown): string {
  if (!(err instanceof Error)) return typeof err
  const code = (err as { code?: unknown }).code
  const frame = err.stack?.split('\n').find((l) => /^\s+at /.test(l))
  const where = frame ? / \(?(?:.*\/)?((?:node_modules|src)\/[^\s()]+|[^\s()/]+:\d+:\d+)\)?$/.exec(frame)?.[1] : undefined
  return [err.name, typeof code === 'string' ? code : '', where ? `at ${where}` : ''].filter(Boolean).join(' ')
}
