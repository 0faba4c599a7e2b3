import { appendAudit, type AuditAction } from '../audit/audit.js'
import type { Executor } from '../db/database.js'

export interface TouchedRow { schoolId: string; id: string; studentId?: string | null }

/**
 * Audit rows for what a job changed: one per school and resource, ids only, no actor (the
 * `roles` column names the job). Written in the job's transaction, so they commit with it.
 */
export async function auditJobChange(ex: Executor, e: {
  job: string
  action: AuditAction
  resource: string
  rows: TouchedRow[]
  fieldGroups?: string[]
}): Promise<number> {
  const bySchool = new Map<string, TouchedRow[]>()
  for (const r of e.rows) {
    const list = bySchool.get(r.schoolId) ?? []
    list.push(r)
    bySchool.set(r.schoolId, list)
  }
  for (const [schoolId, rows] of bySchool) {
    await appendAudit(ex, {
      actorId: null,
      roles: `job:${e.job}`,
      action: e.action,
      resource: e.resource,
      recordIds: rows.map((r) => r.id),
      studentIds: [...new Set(rows.map((r) => r.studentId).filter((s): s is string => !!s))],
      fieldGroups: e.fieldGroups ?? [],
      outcome: 'ok',
      schoolId,
    })
  }
  return bySchool.size
}
