import { sql } from 'drizzle-orm'
import { notifications } from '../../db/schema/index.js'
import type { Config } from '../config.js'
import { queryRows, type Database, type Tx } from '../db/database.js'
import { chainOf, dueSends, type EscalationKind } from '../modules/escalation/chain.js'
import { loadSchoolStates, recipientsOf, type OnCallMode } from '../modules/escalation/school-state.js'
import { auditJobChange, type TouchedRow } from './job-audit.js'
import { runJob, type JobContext, type JobCounts, type JobRunResult } from './runner.js'

interface Candidate {
  school_id: string
  id: string
  student_id: string
  raised_by: string | null
  level: number
  next_at: Date | string | null
  ack_deadline: Date | string
}

const asDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v))

/** The two kinds differ only in their table, the state that still waits and the notification's kind. */
const KINDS = {
  crisis: { table: sql`crisis_events`, waiting: 'open', raisedBy: sql`opened_by`, notice: 'crisis_escalated', groups: ['escalation'] },
  alert: { table: sql`peer_alerts`, waiting: 'received', raisedBy: sql`submitted_by`, notice: 'alert_escalated', groups: ['escalation', 'triage'] },
} as const

/** At most this many records per kind and run; the rest are taken five minutes later. */
const BATCH = 2000

/**
 * Walks each waiting record along its school's escalation chain. For every record whose next
 * step is due: one conditional UPDATE moves its send count from the value read to the new one
 * (a run that read a stale count, or a record acknowledged meanwhile, changes nothing and sends
 * nothing), then the recipients of the steps sent are notified — one notice per person and run,
 * carrying the step, the send count and the deadline, a record id only for psychology teachers
 * (admins and other staff read no case content). Idempotent: a step is sent once.
 */
async function escalateKind(tx: Tx, kind: EscalationKind, now: Date, timeZone: string) {
  const k = KINDS[kind]
  const at = now.toISOString()
  const due = await queryRows<Candidate>(tx, sql`
    select school_id, id, student_id, ${k.raisedBy} as raised_by, escalation_level as level, next_escalation_at as next_at, ack_deadline
    from ${k.table}
    where status = ${k.waiting} and acknowledged_at is null and coalesce(next_escalation_at, ack_deadline) <= ${at}::timestamptz
    order by coalesce(next_escalation_at, ack_deadline) limit ${BATCH}`)
  const empty = { touched: [] as TouchedRow[], notified: 0, sends: 0 }
  if (due.length === 0) return empty
  const schoolIds = [...new Set(due.map((d) => d.school_id))]
  const chains = await queryRows<{ school_id: string; steps: unknown; repeat_minutes: number }>(tx, sql`
    select school_id, steps, repeat_minutes from escalation_chains where kind = ${kind} and school_id = any(${`{${schoolIds.join(',')}}`}::uuid[])`)
  const states = await loadSchoolStates(tx, schoolIds, now, timeZone)
  const touched: TouchedRow[] = []
  const notes: (typeof notifications.$inferInsert)[] = []
  let sends = 0
  for (const rec of due) {
    const stored = chains.find((c) => c.school_id === rec.school_id)
    const { chain } = chainOf(kind, stored && { steps: stored.steps, repeatMinutes: stored.repeat_minutes })
    const deadline = asDate(rec.ack_deadline)
    const plan = dueSends(chain, { level: Number(rec.level), nextAt: rec.next_at === null ? null : asDate(rec.next_at), ackDeadline: deadline }, now)
    if (plan.sends.length === 0) continue
    const moved = await queryRows<{ id: string }>(tx, sql`
      update ${k.table} set escalation_level = ${plan.level}, next_escalation_at = ${plan.nextAt.toISOString()}::timestamptz,
        escalated_at = coalesce(escalated_at, ${at}::timestamptz)
      where school_id = ${rec.school_id} and id = ${rec.id} and escalation_level = ${Number(rec.level)}
        and status = ${k.waiting} and acknowledged_at is null
      returning id`)
    if (moved.length === 0) continue
    touched.push({ schoolId: rec.school_id, id: rec.id, studentId: rec.student_id })
    sends += plan.sends.length
    // Several steps due at once (the job was down): each person hears once, of the latest step.
    const byUser = new Map<string, { psych: boolean; step: number; level: number; onCall: OnCallMode | null }>()
    for (const send of plan.sends) {
      const r = recipientsOf(chain.steps[send.step - 1]!, states.get(rec.school_id)!, rec.raised_by)
      for (const [userId, u] of r.users) byUser.set(userId, { psych: u.psych, step: send.step, level: send.level, onCall: r.onCall })
    }
    for (const [userId, u] of byUser) {
      notes.push({
        schoolId: rec.school_id, userId, kind: k.notice, refId: u.psych ? rec.id : null,
        params: { step: u.step, level: u.level, deadline: deadline.toISOString(), ...(u.onCall ? { onCall: u.onCall } : {}) },
      })
    }
  }
  for (let i = 0; i < notes.length; i += 500) await tx.insert(notifications).values(notes.slice(i, i + 500))
  return { touched, notified: notes.length, sends }
}

/**
 * The escalation job (every five minutes): crisis events and peer alerts nobody acknowledged
 * walk their school's escalation chain (src/modules/escalation/chain.ts) until someone does.
 * Driven by ctx.now, so tests run it on a fake clock. Audited per school as the job.
 */
export async function escalateUnacknowledged(ctx: JobContext): Promise<JobCounts> {
  const { tx } = ctx
  const crises = await escalateKind(tx, 'crisis', ctx.now, ctx.config.TZ_SCHOOL)
  const alerts = await escalateKind(tx, 'alert', ctx.now, ctx.config.TZ_SCHOOL)
  await auditJobChange(tx, { job: 'escalate', action: 'U', resource: 'crisis_events', rows: crises.touched, fieldGroups: [...KINDS.crisis.groups] })
  await auditJobChange(tx, { job: 'escalate', action: 'U', resource: 'peer_alerts', rows: alerts.touched, fieldGroups: [...KINDS.alert.groups] })
  return {
    crisesEscalated: crises.touched.length,
    crisisSteps: crises.sends,
    crisisNotifications: crises.notified,
    alertsEscalated: alerts.touched.length,
    alertSteps: alerts.sends,
    alertNotifications: alerts.notified,
  }
}

/**
 * The escalation job run once at `now`, as the scheduler runs it (its lock, its job_runs row,
 * one transaction): for tests and end-to-end runs that walk a chain on a fake clock.
 */
export async function runEscalationAt(database: Database, now: Date, config: Config): Promise<JobRunResult> {
  // Imported here: the job list imports this module.
  const { jobsByName } = await import('./jobs.js')
  return runJob(database, jobsByName.get('escalate')!, { now, config })
}
