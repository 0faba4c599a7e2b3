import type { Locale } from '../../lib/i18n.js'
import { precheckSpreadsheet, workerSession } from '../../lib/spreadsheet/reader.js'
import type { FileKind, SheetLimits } from '../../lib/spreadsheet/types.js'
import type { ImportInstrument, RowError, StudentOnFile } from './import-file.js'
import type { CheckArgs, CheckPart, Checked, Opened, ScoredRow, StudentTuple } from './import-worker.js'

/**
 * The main thread's side of import-worker.ts: a file opened in the parsing thread, the 学号 it
 * names, and the check that scores it there and hands back the scored rows in slices.
 */

// Under tsx the modules are TypeScript; a compiled build has the .js beside this file.
const WORKER_MODULE = new URL(`./import-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href

export interface CheckInput {
  students: Map<string, StudentOnFile>
  gradeLevels: number[]
  window: { start: string; end: string }
  today: string
  locale: Locale
  consentRequired: boolean
  consentOverride: boolean
  /** Rows per slice of scored rows. */
  chunk: number
  progress?: (checked: number) => void
}

export interface CheckedFile { rows: number; responses: number; badRows: number; errors: RowError[]; scored: ScoredRow[][] }

export interface OpenedFile {
  /** Data rows in the file. */
  rows: number
  /** The distinct 学号 the file names. */
  nos: string[]
  check(input: CheckInput): Promise<CheckedFile>
  /** Drops the sheet in the worker if `check` did not; call it in a finally. */
  release(): void
}

/** Parses the file and maps its columns in the worker; header refusals arrive as AppErrors (422). */
export async function openImportFile(file: Buffer, kind: FileKind, limits: SheetLimits, instruments: ImportInstrument[], chosen?: ImportInstrument): Promise<OpenedFile> {
  precheckSpreadsheet(file, kind, limits)
  const session = workerSession(WORKER_MODULE, limits)
  let opened: Opened
  try {
    opened = await session.run<Opened>('open', { file, kind, limits, instruments, chosen })
  } catch (err) {
    session.close()
    throw err
  }
  let released = false
  const release = () => {
    if (released) return
    released = true
    session.run('release', { token: opened.token }).catch(() => undefined).finally(() => session.close())
  }
  return {
    rows: opened.rows,
    nos: opened.nos,
    async check(input) {
      const students: StudentTuple[] = [...input.students].map(([no, s]) => [no, s.id, s.name, s.status, s.gradeLevel ?? null, s.consent ?? null])
      const args: CheckArgs = {
        token: opened.token, students, gradeLevels: input.gradeLevels, window: input.window, today: input.today, locale: input.locale, chunk: input.chunk,
        consentRequired: input.consentRequired, consentOverride: input.consentOverride,
      }
      const scored: ScoredRow[][] = []
      try {
        const checked = await session.run<Checked>('check', args, (part) => {
          const p = part as CheckPart
          if ('rows' in p) scored.push(p.rows)
          else input.progress?.(p.checked)
        })
        return { ...checked, scored }
      } finally {
        // The check dropped the sheet already; the session is over.
        released = true
        session.close()
      }
    },
    release,
  }
}
