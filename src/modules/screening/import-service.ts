import { and, sql } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import { students } from '../../../db/schema/index.js'
import type { Gateway } from '../../access/gateway.js'
import { appendAudit } from '../../audit/audit.js'
import type { Tx } from '../../db/database.js'
import { AppError, Validation } from '../../lib/errors.js'
import { translate, type Locale } from '../../lib/i18n.js'
import type { RequestContext } from '../../plugins/access.js'
import type { FileKind } from '../roster/import.js'
import { sheetLimitsOf } from '../../lib/spreadsheet/reader.js'
import { newCrisis, RULE_CRISIS_GROUPS } from '../cases/crisis-service.js'
import { openImportFile } from './import-check.js'
import type { ImportInstrument, StudentOnFile } from './import-file.js'
import { importJobs, type ImportHeaders, type ImportJob, type ImportResultCounts } from './import-jobs.js'
import type { ScoredRow } from './import-worker.js'
import { consentBlock } from './consent-rules.js'
import * as repo from './repository.js'
import { openCampaign } from './response-service.js'

/**
 * Responses per INSERT. On the embedded database a statement runs on the event loop's thread,
 * so each one is kept to a few tens of milliseconds and the loop is yielded between them:
 * other users' requests are served while an import writes. The slices share one transaction,
 * so the import is still all or nothing. Each slice is one audit event (≤ 1,000 ids). An
 * INSERT … VALUES carries a parameter per value: building 200 rows' statement and running it
 * takes ~100 ms of the loop on the embedded database (250 came close to the responsiveness
 * test's 150 ms bound).
 */
const WRITE_CHUNK = 200
/** 学号 (and student ids) per lookup query, for the same reason. */
const LOOKUP_CHUNK = 500
/**
 * Crisis events per INSERT: their deadline is computed by the database (VALUES, a parameter per
 * value), and 500 of them held the embedded database's event loop beyond 150 ms.
 */
const CRISIS_CHUNK = 100
const yieldLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Field groups an imported response's audit names: what the file gave and what the server computed. */
const IMPORT_GROUPS = ['answers', 'keys', 'meta', 'scores', 'subject']

export interface ImportOptions {
  wait: boolean
  instrument?: string | undefined
  locale: Locale
  /** Why rows of students without consent are imported anyway (an audited override), if they are. */
  consentOverride?: string | undefined
}

interface CampaignInstruments { list: ImportInstrument[]; chosen: ImportInstrument | undefined }

/** The campaign's instruments in its own order, and the one `instrument` names (id or code). */
async function campaignInstruments(tx: Tx, schoolId: string, campaign: Record<string, unknown>, instrument?: string): Promise<CampaignInstruments> {
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

export function createImportService(gw: Gateway, log: FastifyBaseLogger) {
  /**
   * The school's students named in the file: rows through the caller's policy on students
   * (the engine's row filter), and only fields every role of the caller reads there — checked
   * by the engine, not picked past it. Lighter than readMany's per-row projection, which
   * costs seconds on 10,000 rows; nothing read here leaves the server.
   */
  async function studentsOf(tx: Tx, ctx: RequestContext, nos: string[], campaignId: string, consentRequired: boolean): Promise<Map<string, StudentOnFile>> {
    if (nos.length === 0) return new Map()
    const d = gw.decision(ctx, 'students', 'list')
    d.assertQueryable(['id', 'studentNo', 'name', 'status', 'classId'])
    const rows: Array<{ id: string; studentNo: string; name: string; status: string; classId: string }> = []
    for (let i = 0; i < nos.length; i += LOOKUP_CHUNK) {
      if (i > 0) await yieldLoop()
      rows.push(...await tx.select({ id: students.id, studentNo: students.studentNo, name: students.name, status: students.status, classId: students.classId })
        .from(students)
        .where(and(d.where(), sql`${students.studentNo} in (select json_array_elements_text(${JSON.stringify(nos.slice(i, i + LOOKUP_CHUNK))}::json))`)))
    }
    const levels = await repo.classLevels(tx, ctx.actor.schoolId!)
    const consent = new Map<string, repo.ConsentState>()
    if (consentRequired) {
      for (let i = 0; i < rows.length; i += LOOKUP_CHUNK) {
        if (i > 0) await yieldLoop()
        for (const [id, st] of await repo.consentStates(tx, ctx.actor.schoolId!, campaignId, rows.slice(i, i + LOOKUP_CHUNK).map((r) => r.id))) consent.set(id, st)
      }
    }
    return new Map(rows.map((s) => [s.studentNo, {
      id: s.id, name: s.name, status: s.status, gradeLevel: levels.get(s.classId), consent: consentRequired ? consentBlock(consent.get(s.id)) : null,
    }]))
  }

  /**
   * Writes one slice of scored responses through the gateway: one INSERT, checked against the
   * caller's writable fields, in the caller's scope, one audit event naming the slice.
   */
  async function writeSlice(tx: Tx, ctx: RequestContext, campaignId: string, rows: ScoredRow[], overrideReason: string | undefined): Promise<void> {
    const overridden = rows.some((r) => r[10])
    await gw.createMany(tx, ctx, ctx.decision, rows.map(([id, studentId, instrumentId, answers, totalScore, band, suggestedRisk, safetyFlag, screenedOn, , override]) => ({
      input: { studentId, instrumentId, answers, screenedOn },
      values: {
        id, schoolId: ctx.actor.schoolId!, campaignId, totalScore, band, suggestedRisk, safetyFlag, source: 'import', enteredBy: ctx.actor.userId,
        consentOverrideReason: override ? overrideReason ?? null : null,
      },
    })), { fieldGroups: overridden ? [...IMPORT_GROUPS, 'consentOverride'] : IMPORT_GROUPS })
  }

  /** A crisis event for each response written whose safety item is crossed, CRISIS_CHUNK per INSERT. */
  async function openCrises(tx: Tx, ctx: RequestContext, flagged: ScoredRow[]): Promise<void> {
    for (let i = 0; i < flagged.length; i += CRISIS_CHUNK) {
      await yieldLoop()
      await gw.record(tx, ctx, 'crisis_events', flagged.slice(i, i + CRISIS_CHUNK).map(([id, studentId, , , , , , , , note]) => newCrisis({
        schoolId: ctx.actor.schoolId!, studentId, source: 'safety_rule', sourceRef: id, summary: note, openedBy: ctx.actor.userId,
        ackMinutes: gw.config.CRISIS_ACK_MINUTES,
      })), { fieldGroups: RULE_CRISIS_GROUPS })
    }
  }

  /**
   * The whole import: read, check, score, write — one transaction, all or nothing. The reading,
   * checking and scoring run in the parsing thread (import-worker.ts); this thread only runs
   * the database part, one short statement at a time with the event loop yielded between
   * them, so other users' requests are served while a school imports. Responses the campaign
   * already has (the same file imported again) are left as they are.
   */
  async function run(ctx: RequestContext, job: ImportJob, file: Buffer, kind: FileKind, opts: ImportOptions, instruments: CampaignInstruments): Promise<void> {
    const schoolId = ctx.actor.schoolId!
    const today = gw.today()
    const opened = await openImportFile(file, kind, sheetLimitsOf(gw.config), instruments.list, instruments.chosen)
    let result: ImportResultCounts | undefined
    try {
      job.phase = 'validating'
      job.total = opened.rows
      await gw.tx(ctx, async (tx) => {
        const campaign = await openCampaign(gw, ctx, tx, job.campaignId)
        const consentRequired = campaign.consentRequired !== false
        const known = await studentsOf(tx, ctx, opened.nos, job.campaignId, consentRequired)
        const checked = await opened.check({
          students: known, locale: opts.locale, today, chunk: WRITE_CHUNK,
          consentRequired, consentOverride: !!opts.consentOverride,
          gradeLevels: (campaign.gradeLevels as number[] | undefined) ?? [],
          window: { start: campaign.startDate as string, end: campaign.endDate as string },
          progress: (n) => { job.processed = n },
        })
        if (checked.badRows > 0) {
          throw new AppError(422, 'import_rejected', { count: checked.badRows }, {
            errors: checked.errors, ...(checked.errors.length < checked.badRows ? { truncated: true } : {}),
          })
        }
        if (checked.responses === 0) throw new AppError(422, 'import_empty')

        job.phase = 'writing'
        job.total = checked.responses
        job.processed = 0
        // Responses the campaign has already (the file imported before) are skipped: looked up only when it has any.
        const answered = new Set<string>()
        if (await repo.hasResponses(tx, schoolId, job.campaignId)) {
          const ids = [...new Set(checked.scored.flatMap((slice) => slice.map((r) => r[1])))]
          for (let i = 0; i < ids.length; i += LOOKUP_CHUNK) {
            await yieldLoop()
            for (const pair of await repo.answeredPairs(tx, schoolId, job.campaignId, ids.slice(i, i + LOOKUP_CHUNK))) answered.add(pair)
          }
        }
        let inserted = 0
        const flagged: ScoredRow[] = []
        for (const slice of checked.scored) {
          const fresh = answered.size ? slice.filter((r) => !answered.has(`${r[1]}:${r[2]}`)) : slice
          if (fresh.length) {
            await yieldLoop()
            await writeSlice(tx, ctx, job.campaignId, fresh, opts.consentOverride)
            inserted += fresh.length
            flagged.push(...fresh.filter((r) => r[7]))
          }
          job.processed += slice.length
        }
        await openCrises(tx, ctx, flagged)
        // An import that found everything on file is still recorded, naming nothing.
        if (inserted === 0) await gw.audit(tx, ctx, { action: 'C', recordIds: [], studentIds: [], fieldGroups: IMPORT_GROUPS })
        result = {
          rows: checked.rows, responses: checked.responses, inserted,
          alreadyOnFile: checked.responses - inserted, crisisEventsOpened: flagged.length,
        }
      })
    } finally {
      opened.release()
    }
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
      // The override reason is written to the responses: only by a caller who may write it.
      if (opts.consentOverride) ctx.decision.assertWritable(['consentOverrideReason'])
      const instruments = await gw.tx(ctx, async (tx) => {
        const campaign = await openCampaign(gw, ctx, tx, campaignId)
        return campaignInstruments(tx, schoolId, campaign, opts.instrument)
      })
      if (importJobs.running(schoolId, campaignId)) throw new AppError(409, 'import_in_progress')
      const job = importJobs.start({ schoolId, campaignId, createdBy: ctx.actor.userId })
      const done = run(ctx, job, file, kind, opts, instruments).catch(async (err: unknown) => {
        const e = err instanceof AppError ? err : undefined
        const details = e?.details as { errors?: ImportJob['errors']; headers?: ImportHeaders } | undefined
        importJobs.fail(job, e?.code ?? 'internal', details?.errors ?? [], Number(e?.params.count ?? details?.errors?.length ?? 0), {
          message: translate(e?.code ?? 'internal', opts.locale, e?.params), headers: details?.headers,
        })
        if (!opts.wait) {
          // The answer has gone already: the refusal is audited here, and a fault is logged (codes only).
          await appendAudit(gw.database.db, {
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
