import { sql } from 'drizzle-orm'
import { queryRows, type Executor } from '../db/database.js'

export const AuditActions = { create: 'C', read: 'R', update: 'U', delete: 'D', export: 'E', denied: 'denied' } as const
export type AuditAction = (typeof AuditActions)[keyof typeof AuditActions]
export type AuditOutcome = 'ok' | 'denied' | 'not_found' | 'rejected'

/** Ids and names of field groups only: never names, phone numbers, scores, answers or text. */
export interface AuditEvent {
  actorId: string | null
  roles: string
  action: AuditAction
  resource: string
  recordIds?: string[]
  studentIds?: string[]
  fieldGroups?: string[]
  outcome: AuditOutcome
  requestId?: string | null
  purpose?: string | null
  schoolId?: string | null
}

/**
 * Appends one chained row inside the caller's transaction: it commits or rolls back with
 * the change (or read) it records. One round trip.
 */
export async function appendAudit(ex: Executor, e: AuditEvent): Promise<number> {
  const rows = await queryRows<{ seq: string | number }>(ex, sql`select audit_append(
    ${e.actorId}::uuid, ${e.roles}, ${e.action}, ${e.resource},
    ${pgArray(e.recordIds ?? [])}::text[], ${pgArray(e.studentIds ?? [])}::uuid[], ${pgArray(e.fieldGroups ?? [])}::text[],
    ${e.outcome}, ${e.requestId ?? null}, ${e.purpose ?? null}, ${e.schoolId ?? null}::uuid) as seq`)
  return Number(rows[0]!.seq)
}

/**
 * A chained row that must not date or join the act it records: stored with the start of the
 * day (Asia/Shanghai) instead of the time, and never with a request id or purpose, which
 * would match it to a log line, a proxy's access log or the request's other rows. For the
 * anonymous letter box and for the letter side of a letter turned into an alert, case or
 * crisis.
 */
export async function appendDayAudit(ex: Executor, e: Omit<AuditEvent, 'requestId' | 'purpose'>): Promise<number> {
  const rows = await queryRows<{ seq: string | number }>(ex, sql`select audit_append_day(
    ${e.actorId}::uuid, ${e.roles}, ${e.action}, ${e.resource},
    ${pgArray(e.recordIds ?? [])}::text[], ${pgArray(e.studentIds ?? [])}::uuid[], ${pgArray(e.fieldGroups ?? [])}::text[],
    ${e.outcome}, ${e.schoolId ?? null}::uuid) as seq`)
  return Number(rows[0]!.seq)
}

/** An event as audit_append_batch takes it (one element of its jsonb array). */
export function auditJson(e: AuditEvent) {
  return {
    actor: e.actorId ?? '',
    roles: e.roles,
    action: e.action,
    resource: e.resource,
    recordIds: e.recordIds ?? [],
    studentIds: e.studentIds ?? [],
    fieldGroups: e.fieldGroups ?? [],
    outcome: e.outcome,
    requestId: e.requestId ?? null,
    purpose: e.purpose ?? null,
    school: e.schoolId ?? '',
  }
}

/** Array literal passed as one text parameter: both drivers bind it the same way. */
function pgArray(values: string[]): string {
  return '{' + values.map((v) => '"' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"').join(',') + '}'
}

export interface VerifyResult { ok: boolean; total: number; firstBrokenSeq: number | null }

export async function verifyAuditChain(ex: Executor): Promise<VerifyResult> {
  const rows = await queryRows<{ total: string | number; first_bad: string | number | null }>(ex, sql`select * from audit_verify()`)
  const r = rows[0]!
  const first = r.first_bad === null ? null : Number(r.first_bad)
  return { ok: first === null, total: Number(r.total), firstBrokenSeq: first }
}
