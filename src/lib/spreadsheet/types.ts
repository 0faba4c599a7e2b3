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

/** A refusal as plain data: it crosses the worker boundary and becomes an AppError on the main thread. */
export interface LimitFailure { statusCode: 413 | 422; code: string; params: Record<string, string | number> }

/** A refusal thrown by a task run in the worker (reader.ts runInWorker): an AppError as plain data. */
export interface TaskFailure { statusCode: number; code: string; params: Record<string, string | number>; details?: unknown }

export class SheetRefused extends Error {
  constructor(readonly failure: LimitFailure) {
    super(failure.code)
  }
}

export const refuse = (statusCode: 413 | 422, code: string, params: Record<string, string | number> = {}): SheetRefused =>
  new SheetRefused({ statusCode, code, params })
