import { randomUUID } from 'node:crypto'

/**
 * Progress of screening imports, in memory: an import runs in one transaction, so what it has
 * done so far exists nowhere else until it commits. Jobs are kept for an hour after they
 * finish, then forgotten; a restart forgets them too (the import itself either committed or
 * did not). Per-process: with several instances behind a balancer, poll with the instance
 * that answered the upload, or import with ?wait=true.
 */

export type ImportStatus = 'running' | 'succeeded' | 'failed'
export type ImportPhase = 'reading' | 'validating' | 'writing' | 'done'

export interface ImportResultCounts {
  rows: number
  responses: number
  inserted: number
  alreadyOnFile: number
  crisisEventsOpened: number
}

export interface ImportHeaders { expected: string[]; found: string[]; missing: string[]; unknown: string[] }

export interface ImportJob {
  id: string
  schoolId: string
  campaignId: string
  createdBy: string
  status: ImportStatus
  phase: ImportPhase
  processed: number
  total: number
  errors: Array<{ row: number; field: string; reason: string }>
  errorCount: number
  /** Error code when failed (import_rejected, import_bad_headers …). */
  code: string | null
  /** The refusal in the uploader's words (the same text a 4xx answer would carry). */
  message: string | null
  /** For a refusal of the file's headers: what the file should have had and what it had. */
  headers: ImportHeaders | null
  result: ImportResultCounts | null
  startedAt: Date
  finishedAt: Date | null
}

const KEEP_MS = 60 * 60 * 1000
const MAX_JOBS = 1000

export class ImportJobs {
  private readonly jobs = new Map<string, ImportJob>()

  start(v: { schoolId: string; campaignId: string; createdBy: string }): ImportJob {
    this.sweep()
    const job: ImportJob = {
      id: randomUUID(), ...v, status: 'running', phase: 'reading', processed: 0, total: 0,
      errors: [], errorCount: 0, code: null, message: null, headers: null, result: null, startedAt: new Date(), finishedAt: null,
    }
    this.jobs.set(job.id, job)
    return job
  }

  /** A job of the caller's school, or undefined (another school's job answers like a missing one). */
  get(id: string, schoolId: string | null): ImportJob | undefined {
    const job = this.jobs.get(id)
    return job && job.schoolId === schoolId ? job : undefined
  }

  /** One import per campaign at a time: a second upload would only wait for the first's lock. */
  running(schoolId: string, campaignId: string): boolean {
    for (const j of this.jobs.values()) if (j.status === 'running' && j.schoolId === schoolId && j.campaignId === campaignId) return true
    return false
  }

  succeed(job: ImportJob, result: ImportResultCounts): void {
    Object.assign(job, { status: 'succeeded', phase: 'done', result, finishedAt: new Date() })
  }

  fail(job: ImportJob, code: string, errors: ImportJob['errors'] = [], errorCount = errors.length,
    why: { message?: string; headers?: ImportHeaders | undefined } = {}): void {
    Object.assign(job, {
      status: 'failed', phase: 'done', code, errors, errorCount, message: why.message ?? null, headers: why.headers ?? null, finishedAt: new Date(),
    })
  }

  private sweep(): void {
    const now = Date.now()
    for (const [id, j] of this.jobs) if (j.finishedAt && now - j.finishedAt.getTime() > KEEP_MS) this.jobs.delete(id)
    if (this.jobs.size >= MAX_JOBS) {
      const oldest = [...this.jobs.values()].filter((j) => j.finishedAt).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime())
      for (const j of oldest.slice(0, this.jobs.size - MAX_JOBS + 1)) this.jobs.delete(j.id)
    }
  }
}

/** One registry per process, shared by every app instance built in it (tests build several). */
export const importJobs = new ImportJobs()

/** What GET /screening/imports/:id shows: everything but the school and the uploader. */
export function publicJob(job: ImportJob) {
  const { schoolId: _s, createdBy: _c, ...rest } = job
  return rest
}
