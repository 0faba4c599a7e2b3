import { z } from 'zod'

/** What a chain escalates: crisis events (危机事件) or peer alerts (同伴预警). */
export const EscalationKinds = ['crisis', 'alert'] as const
export type EscalationKind = (typeof EscalationKinds)[number]

/** Roles a step may name: only these read the records escalated (psychology teachers) or answer for the school (admins). */
export const RecipientRoles = ['psych_teacher', 'school_admin'] as const

/** Roles that make an account school staff: who may be named in a step or put on the on-call roster. */
export const StaffRoles = ['psych_teacher', 'school_admin', 'homeroom_teacher', 'mentor'] as const

export const MAX_STEPS = 6
export const MAX_NAMED = 20
/** The job runs every five minutes: a repeat more often than that would not be kept. */
export const MIN_REPEAT_MINUTES = 5
export const MAX_MINUTES = 1440

export const Recipients = z.strictObject({
  roles: z.array(z.enum(RecipientRoles)).max(RecipientRoles.length).default([]),
  userIds: z.array(z.uuid()).max(MAX_NAMED).default([]),
  /** 值班老师: in school hours the psychology teachers, outside them the roster entry covering the moment. */
  onCall: z.boolean().default(false),
}).refine((r) => r.roles.length > 0 || r.userIds.length > 0 || r.onCall, { message: 'a step needs at least one recipient', path: ['recipients'] })

export const Step = z.strictObject({
  /** Step 1: minutes after the acknowledgement deadline (0 = at the deadline); later steps: after the step before. */
  afterMinutes: z.number().int().min(0).max(MAX_MINUTES),
  recipients: Recipients,
})

/** A chain as it is written and stored: at least one step; the last one repeats every repeatMinutes. */
export const ChainDefinition = z.strictObject({
  steps: z.array(Step).min(1).max(MAX_STEPS),
  repeatMinutes: z.number().int().min(MIN_REPEAT_MINUTES).max(MAX_MINUTES),
}).superRefine((c, ctx) => {
  // A later step at 0 minutes would go out with the one before it: it is one step, not two.
  c.steps.forEach((s, i) => {
    if (i > 0 && s.afterMinutes < 1) ctx.addIssue({ code: 'custom', path: ['steps', i, 'afterMinutes'], message: 'a later step comes at least a minute after the one before' })
  })
})

export type ChainDefinition = z.infer<typeof ChainDefinition>
export type ChainStep = ChainDefinition['steps'][number]

/**
 * The chain of a school that has not written its own. Crisis: at the deadline the teacher on
 * call (in school hours that is the psychology teachers), 15 minutes later the psychology
 * teachers and the school admins, again every 30 minutes. Peer alerts are not emergencies: the
 * psychology teachers at the deadline, an hour later the admins too, then once a day.
 */
export const DEFAULT_CHAINS: Record<EscalationKind, ChainDefinition> = {
  crisis: {
    steps: [
      { afterMinutes: 0, recipients: { roles: [], userIds: [], onCall: true } },
      { afterMinutes: 15, recipients: { roles: ['psych_teacher', 'school_admin'], userIds: [], onCall: false } },
    ],
    repeatMinutes: 30,
  },
  alert: {
    steps: [
      { afterMinutes: 0, recipients: { roles: ['psych_teacher'], userIds: [], onCall: false } },
      { afterMinutes: 60, recipients: { roles: ['psych_teacher', 'school_admin'], userIds: [], onCall: false } },
    ],
    repeatMinutes: 1440,
  },
}

/** A stored chain read back: validated again, so a row written by hand cannot break the job. */
export function chainOf(kind: EscalationKind, stored: { steps: unknown; repeatMinutes: unknown } | undefined): { chain: ChainDefinition; isDefault: boolean } {
  if (stored) {
    const parsed = ChainDefinition.safeParse({ steps: stored.steps, repeatMinutes: stored.repeatMinutes })
    if (parsed.success) return { chain: parsed.data, isDefault: false }
  }
  return { chain: DEFAULT_CHAINS[kind], isDefault: true }
}

const MINUTE = 60_000
/** escalation_level is a smallint. */
const MAX_LEVEL = 32_000

export interface Send {
  /** 1-based step of the chain. */
  step: number
  /** 1-based count of sends for the record (step 1 = level 1; repeats go on counting). */
  level: number
  /** The instant this send was due. */
  dueAt: Date
}

/**
 * The sends due by `now` for a record at `level` sends so far, and when the next one is due.
 * Steps follow one another by their intervals counted from when each was due (not when the
 * job happened to run), so a five-minute job does not make the chain drift. Once past the last
 * step, the last step is sent again every repeatMinutes — at most once per run and never in a run that
 * already sent a step: after a long outage one reminder goes out, not one per missed interval.
 */
export function dueSends(chain: ChainDefinition, rec: { level: number; nextAt: Date | null; ackDeadline: Date }, now: Date): { sends: Send[]; level: number; nextAt: Date } {
  const n = chain.steps.length
  let level = rec.level
  let due = rec.nextAt ?? new Date(rec.ackDeadline.getTime() + chain.steps[0]!.afterMinutes * MINUTE)
  // A chain shortened while a record was past its end: the record carries on with the new last step.
  const sends: Send[] = []
  while (due.getTime() <= now.getTime() && level < MAX_LEVEL) {
    if (level < n) {
      sends.push({ step: level + 1, level: level + 1, dueAt: due })
      level++
      due = new Date(due.getTime() + (level < n ? chain.steps[level]!.afterMinutes : chain.repeatMinutes) * MINUTE)
    } else {
      // A repeat in the run that already sent a step would tell the same people twice at once.
      if (sends.length === 0) {
        sends.push({ step: n, level: level + 1, dueAt: due })
        level++
      }
      do due = new Date(due.getTime() + chain.repeatMinutes * MINUTE)
      while (due.getTime() <= now.getTime())
    }
  }
  return { sends, level, nextAt: due }
}
