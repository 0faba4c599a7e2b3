import { randomUUID } from 'node:crypto'
import { and, sql } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import { students } from '../../../db/schema/index.js'
import { audit } from '../../access/query.js'
import { appendAudit } from '../../audit/audit.js'
import type { Tx } from '../../db/database.js'
import { AppError, Validation } from '../../lib/errors.js'
import type { Locale } from '../../lib/i18n.js'
import type { RequestContext } from '../../plugins/access.js'
import { decisionOn } from '../roster/record-access.js'
import { readSheet, type FileKind } from '../roster/import.js'
import { sheetLimitsOf } from '../../lib/spreadsheet/reader.js'
import { cellText, mapColumns, validateRows, type ImportInstrument, type StudentOnFile } from './import-file.js'
import { importJobs, type ImportJob, type ImportResultCounts } from './import-jobs.js'
import * as importRepo from './import-repository.js'
import { inTx, schoolToday, type ModuleDeps } from './module-access.js'
import * as repo from './repository.js'
import { openCampaign, safetySummary } from './response-service.js'
import { normaliseCell } from '../roster/grade-names.js'

/**
 * Rows per COPY and per slice of the move. On the embedded database a statement runs on the
 * event loop's thread, so each one is kept to a few tens of milliseconds and the loop is
 * yielded between them: other users' requests are served while an import writes. The slices
 * share one transaction, so the import is still all or nothing.
 */
const WRITE_CHUNK = 500
/** Staged rows per slice of the move: the INSERT … SELECT under row-level security is the slow statement. */
const MOVE_CHUNK = 100
/** 学号 per lookup query, for the same reason. */
const LOOKUP_CHUNK = 500
const yieldLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

export interface ImportOptions { wait: boolean; instrument?: string | undefined; locale: Locale }

/** The campaign's instruments in its own order, and the one `instrument` names (id or code). */
async function campaignInstruments(tx: Tx, schoolId: string, campaign: Record<string, unknown>, instrument?: string) {
  const ids = (campaign.instrumentIds as string[] | undefined) ?? []
  const defs = await repo.definitionsOf(tx, schoolId, ids)
  const list: ImportInstrument[] = ids.map((id) => defs.get(id)).filter((d): d is ImportInstrument => !!d)
  let chosen: ImportInstrument | undefined
  if (instrument) {
    chosen = list.find((i) => i.id === instrument || i.code.toLowerCase() === instrument.toLowerCase())
    if (!chosen) throw new Validation('instrument_not_in_campaign')
  }
  return { list, chosen }
}

export function createImportService(deps: ModuleDeps, log: FastifyBaseLogger) {
  /**
   * The school's students named in the file: rows through the caller's policy on students
   * (the engine's row filter), and only fields every role of the caller reads there — checked
   * by the engine, not picked past it. Lighter than readMany's per-row projection, which
   * costs seconds on 10,000 rows; nothing read here leaves the server.
   */
  async function studentsOf(tx: Tx, ctx: RequestContext, nos: string[]): Promise<Map<string, StudentOnFile>> {
    if (nos.length === 0) return new Map()
    const d = decisionOn(deps, ctx, 'students', 'list')
    d.assertQueryable(['id', 'studentNo', 'name', 'status', 'classId'])
    const rows: Array<{ id: string; studentNo: string; name: string; status: string; classId: string }> = []
    for (let i = 0; i < nos.length; i += LOOKUP_CHUNK) {
      if (i > 0) await yieldLoop()
      rows.push(...await tx.select({ id: students.id, studentNo: students.studentNo, name: students.name, status: students.status, classId: students.classId })
        .from(students)
        .where(and(d.where(), sql`${students.studentNo} in (select json_array_elements_text(${JSON.stringify(nos.slice(i, i + LOOKUP_CHUNK))}::json))`)))
    }
    const levels = await repo.classLevels(tx, ctx.actor.schoolId!)
    return new Map(rows.map((s) => [s.studentNo, { id: s.id, name: s.name, status: s.status, gradeLevel: levels.get(s.classId) }]))
  }

  /** The whole import: read, check, score, stage, move — one transaction, all or nothing. */
  async function run(ctx: RequestContext, job: ImportJob, file: Buffer, kind: FileKind, opts: ImportOptions): Promise<void> {
    const schoolId = ctx.actor.schoolId!
    const today = schoolToday(deps.config)
    const sheet = await readSheet(file, kind, sheetLimitsOf(deps.config))
    job.phase = 'validating'
    job.total = sheet.rows.length
    let result: ImportResultCounts | undefined
    await inTx(deps, ctx, async (tx) => {
      const campaign = await openCampaign(deps, ctx, tx, job.campaignId)
      const { list, chosen } = await campaignInstruments(tx, schoolId, campaign, opts.instrument)
      const map = mapColumns(sheet.header, list, chosen)
      const nos = [...new Set(sheet.rows.map((r) => normaliseCell(cellText(r.cells[map.studentNo] ?? null))).filter(Boolean))]
      const known = await studentsOf(tx, ctx, nos)
      const checked = await validateRows({
        sheet, map, students: known, locale: opts.locale, today,
        gradeLevels: (campaign.gradeLevels as number[] | undefined) ?? [],
        window: { start: campaign.startDate as string, end: campaign.endDate as string },
        progress: (n) => { job.processed = n },
      })
      if (checked.badRows > 0) {
        throw new AppError(422, 'import_rejected', { count: checked.badRows }, {
          errors: checked.errors, ...(checked.errors.length < checked.badRows ? { truncated: true } : {}),
        })
      }
      if (checked.responses.length === 0) throw new AppError(422, 'import_empty')

      job.phase = 'writing'
      job.total = checked.responses.length
      job.processed = 0
      await importRepo.createStage(tx)
      for (let i = 0; i < checked.responses.length; i += WRITE_CHUNK) {
        await yieldLoop()
        const chunk = checked.responses.slice(i, i + WRITE_CHUNK).map((r, k) => [
          i + k, randomUUID(), r.studentId, r.instrument.id, `{${r.answers.join(',')}}`, r.score.totalScore, r.score.band,
          r.score.suggestedRisk, r.score.safetyFlag, r.screenedOn,
          r.score.safetyFlag ? safetySummary(r.instrument.definition, r.score.safetyItems) : null,
        ])
        await importRepo.copyIntoStage(deps.database, tx, chunk)
        job.processed += chunk.length
      }
      const moved: importRepo.MovedRow[] = []
      for (let from = 0; from < checked.responses.length; from += MOVE_CHUNK) {
        await yieldLoop()
        moved.push(...await importRepo.moveStage(tx, {
          schoolId, campaignId: job.campaignId, userId: ctx.actor.userId, ackMinutes: deps.config.CRISIS_ACK_MINUTES, from, to: from + MOVE_CHUNK,
        }))
      }
      const inserted = moved.filter((m) => m.kind === 'response')
      const crises = moved.filter((m) => m.kind === 'crisis')
      const uniq = (xs: string[]) => [...new Set(xs)]
      await audit(tx, ctx, {
        action: 'C', recordIds: inserted.map((m) => m.id), studentIds: uniq(inserted.map((m) => m.student_id)),
        fieldGroups: ['answers', 'keys', 'meta', 'scores', 'subject'],
      })
      if (crises.length) {
        await audit(tx, ctx, {
          action: 'C', resource: 'crisis_events', recordIds: crises.map((m) => m.id), studentIds: uniq(crises.map((m) => m.student_id)),
          fieldGroups: ['keys', 'origin', 'state', 'summary'],
        })
      }
      result = {
        rows: checked.rows, responses: checked.responses.length, inserted: inserted.length,
        alreadyOnFile: checked.responses.length - inserted.length, crisisEventsOpened: crises.length,
      }
    })
    importJobs.succeed(job, result!)
  }

  return {
    /**
     * Accepts an upload for a campaign the caller may read and that is open. With wait, the
     * answer comes when the import is done (errors as 4xx); otherwise at once, with the job to
     * poll at GET /screening/imports/:id.
     */
    async start(ctx: RequestContext, campaignId: string, file: Buffer, kind: FileKind, opts: ImportOptions): Promise<ImportJob> {
      const schoolId = ctx.actor.schoolId!
      await inTx(deps, ctx, async (tx) => {
        const campaign = await openCampaign(deps, ctx, tx, campaignId)
        await campaignInstruments(tx, schoolId, campaign, opts.instrument)
      })
      if (importJobs.running(schoolId, campaignId)) throw new AppError(409, 'import_in_progress')
      const job = importJobs.start({ schoolId, campaignId, createdBy: ctx.actor.userId })
      const done = run(ctx, job, file, kind, opts).catch(async (err: unknown) => {
        const e = err instanceof AppError ? err : undefined
        const details = e?.details as { errors?: ImportJob['errors'] } | undefined
        importJobs.fail(job, e?.code ?? 'internal', details?.errors ?? [], Number(e?.params.count ?? details?.errors?.length ?? 0))
        if (!opts.wait) {
          // The answer has gone already: the refusal is audited here, and a fault is logged (codes only).
          await appendAudit(deps.database.db, {
            actorId: ctx.actor.userId, roles: ctx.decision.roles, action: 'C', resource: 'screening_responses',
            recordIds: [campaignId], outcome: 'rejected', requestId: ctx.requestId, purpose: ctx.purpose, schoolId,
          }).catch(() => undefined)
          if (!e || e.statusCode >= 500) log.error({ importJob: job.id, err: { name: (err as Error)?.name } }, 'screening import failed')
        }
        throw err
      })
      if (opts.wait) await done
      else done.catch(() => undefined)
      return job
    },

    status(ctx: RequestContext, id: string): ImportJob | undefined {
      return importJobs.get(id, ctx.actor.schoolId)
    },
  }
}

export type ImportService = ReturnType<typeof createImportService>
