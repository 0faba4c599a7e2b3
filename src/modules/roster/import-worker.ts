import type { Locale } from '../../lib/i18n.js'
import { parseSheet } from '../../lib/spreadsheet/parse.js'
import type { FileKind, SheetLimits } from '../../lib/spreadsheet/types.js'
import { validateSheet, type RowError } from './import.js'

/**
 * The roster import's work on the file, run in the parsing thread (lib/spreadsheet reader.ts
 * workerSession): parse and check every row there, off the event loop — checking 10,000 rows
 * is ~100 ms of work in one piece. The good rows come back in slices of ROWS_PER_PART, each its
 * own message, so reading none of them holds the loop for long either.
 */

const ROWS_PER_PART = 1000

export interface CheckArgs { file: Uint8Array; kind: FileKind; limits: SheetLimits; locale: Locale }

export async function check(args: CheckArgs, emit: (rows: unknown) => void): Promise<{ errors: RowError[]; badRows: number }> {
  const file = Buffer.from(args.file.buffer, args.file.byteOffset, args.file.byteLength)
  const { rows, errors, badRows } = validateSheet(await parseSheet(file, args.kind, args.limits), args.locale)
  for (let i = 0; i < rows.length; i += ROWS_PER_PART) emit(rows.slice(i, i + ROWS_PER_PART))
  return { errors, badRows }
}
