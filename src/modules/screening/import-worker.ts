import { randomUUID } from 'node:crypto'
import type { Locale } from '../../lib/i18n.js'
import { parseSheet } from '../../lib/spreadsheet/parse.js'
import type { FileKind, Sheet, SheetLimits } from '../../lib/spreadsheet/types.js'
import { normaliseCell } from '../roster/grade-names.js'
import { cellText, mapColumns, validateRows, type ColumnMap, type ImportInstrument, type RowError, type StudentOnFile } from './import-file.js'
import type { ConsentBlock } from './consent-rules.js'
import { safetySummary } from './scoring.js'

/**
 * The screening import's work on the file, run in the parsing thread (lib/spreadsheet
 * reader.ts workerSession), never on the event loop: parse, map the columns, check and score
 * every row, and lay out the rows the database part inserts. The sheet stays here between the
 * two calls — `open` answers only the 学号 the file names, the service looks those students up,
 * and `check` gets them — so a 50,000-row sheet never crosses to the main thread.
 */

interface Kept { sheet: Sheet; map: ColumnMap; at: number }

const kept = new Map<string, Kept>()
/** The service releases every sheet it opened; one it never came back for is dropped after this long. */
const KEEP_MS = 60 * 60 * 1000

export interface OpenArgs { file: Uint8Array; kind: FileKind; limits: SheetLimits; instruments: ImportInstrument[]; chosen?: ImportInstrument | undefined }
export interface Opened { token: string; rows: number; nos: string[] }

export async function open(args: OpenArgs): Promise<Opened> {
  const now = Date.now()
  for (const [token, k] of kept) if (now - k.at > KEEP_MS) kept.delete(token)
  const file = Buffer.from(args.file.buffer, args.file.byteOffset, args.file.byteLength)
  const sheet = await parseSheet(file, args.kind, args.limits)
  const map = mapColumns(sheet.header, args.instruments, args.chosen)
  const nos = [...new Set(sheet.rows.map((r) => normaliseCell(cellText(r.cells[map.studentNo] ?? null))).filter(Boolean))]
  const token = randomUUID()
  kept.set(token, { sheet, map, at: now })
  return { token, rows: sheet.rows.length, nos }
}

/** A student the file names, as the service found it: 学号, id, name, status, grade level (null: none), want of consent (null: none). */
export type StudentTuple = [string, string, string, string, number | null, ConsentBlock | null]

export interface CheckArgs {
  token: string
  students: StudentTuple[]
  gradeLevels: number[]
  window: { start: string; end: string }
  today: string
  locale: Locale
  consentRequired: boolean
  consentOverride: boolean
  /** Rows per emitted part: the service inserts each part as one statement. */
  chunk: number
}

/**
 * One scored response, as compact as it crosses between the threads: its new id, student,
 * instrument, answers, total, band, suggested risk, safety flag, day, the safety item's
 * summary for the crisis event when the flag is set, and whether it was taken under the
 * import's consent override.
 */
export type ScoredRow = [string, string, string, number[], number, string, string, boolean, string, string | null, boolean]

/** Emitted while checking: rows checked so far, or the next slice of scored rows. */
export type CheckPart = { checked: number } | { rows: ScoredRow[] }

export interface Checked { rows: number; responses: number; badRows: number; errors: RowError[] }

/**
 * Checks and scores every row (import-file.ts validateRows) and, when every row is good,
 * emits the scored rows in slices of `chunk`. The sheet is dropped either way.
 */
export async function check(args: CheckArgs, emit: (part: CheckPart) => void): Promise<Checked> {
  const k = kept.get(args.token)
  kept.delete(args.token)
  // Only when the import took longer than KEEP_MS between its two calls: a fault, answered 500.
  if (!k) throw new Error('import sheet no longer kept')
  const students = new Map<string, StudentOnFile>(args.students.map(([no, id, name, status, level, consent]) => [no, { id, name, status, gradeLevel: level ?? undefined, consent }]))
  const result = await validateRows({
    sheet: k.sheet, map: k.map, students, gradeLevels: args.gradeLevels, window: args.window, today: args.today, locale: args.locale,
    consentRequired: args.consentRequired, consentOverride: args.consentOverride,
    progress: (checked) => emit({ checked }),
  })
  const counts = { rows: result.rows, responses: result.responses.length, badRows: result.badRows, errors: result.errors }
  if (result.badRows > 0) return counts
  for (let i = 0; i < result.responses.length; i += args.chunk) {
    emit({
      rows: result.responses.slice(i, i + args.chunk).map((r): ScoredRow => [
        randomUUID(), r.studentId, r.instrument.id, r.answers, r.score.totalScore, r.score.band,
        r.score.suggestedRisk, r.score.safetyFlag, r.screenedOn,
        r.score.safetyFlag ? safetySummary(r.instrument.definition, r.score.safetyItems) : null,
        r.consentOverride,
      ]),
    })
  }
  return counts
}

/** The import ended before `check` (a refusal, a fault): its sheet is dropped. */
export function release(args: { token: string }): void {
  kept.delete(args.token)
}
