import { and, eq, inArray, lt, type SQL } from 'drizzle-orm'
import { referrals } from '../../../db/schema/index.js'
import type { Tx } from '../../db/database.js'
import { Conflict } from '../../lib/errors.js'

/**
 * 及时转介 rules: the referral's state machine, when it counts as overdue, and the one rule
 * other modules must honour (a referred pupil's risk level is lowered only after the
 * return-to-school assessment, 复学评估).
 */
export const ReferralStates = ['proposed', 'consented', 'sent', 'received', 'feedback', 'reassessed', 'closed', 'withdrawn'] as const
export type ReferralState = (typeof ReferralStates)[number]

/**
 * proposed → parent consent recorded → sent → received (receipt date) → feedback → 复学评估 →
 * closed. Before it is sent a referral may be withdrawn (parents refused, no longer needed);
 * after that the loop is closed or it stays open (and shows overdue).
 */
export const REFERRAL_TRANSITIONS: Record<ReferralState, readonly ReferralState[]> = {
  proposed: ['consented', 'withdrawn'],
  consented: ['sent', 'withdrawn'],
  sent: ['received'],
  received: ['feedback'],
  feedback: ['reassessed'],
  reassessed: ['closed'],
  closed: [],
  withdrawn: [],
}

export const REFERRAL_STATE_LABELS: Record<ReferralState, { 'zh-CN': string; en: string }> = {
  proposed: { 'zh-CN': '拟转介', en: 'Proposed' },
  consented: { 'zh-CN': '家长已同意', en: 'Parents consented' },
  sent: { 'zh-CN': '已转出', en: 'Sent' },
  received: { 'zh-CN': '机构已接收', en: 'Received' },
  feedback: { 'zh-CN': '机构已反馈', en: 'Feedback received' },
  reassessed: { 'zh-CN': '已复学评估', en: 'Return-to-school assessed' },
  closed: { 'zh-CN': '已结案', en: 'Closed' },
  withdrawn: { 'zh-CN': '已撤销', en: 'Withdrawn' },
}

/** Until the institution's feedback is in, a passed follow-up date makes the referral overdue. */
export const AWAITING_FEEDBACK: readonly ReferralState[] = ['proposed', 'consented', 'sent', 'received']

/** The pupil is with the institution: out of school's hands until the 复学 assessment. */
export const REFERRED_STATES: readonly ReferralState[] = ['sent', 'received', 'feedback']

/** Before the sending, what and where may still change. */
export const EDITABLE_STATES: readonly ReferralState[] = ['proposed', 'consented']

/** Overdue on the school day `today` (the gateway's todaySql()). */
export function referralOverdueCondition(today: SQL): SQL {
  return and(inArray(referrals.state, [...AWAITING_FEEDBACK]), lt(referrals.followUpDate, today))!
}

export function isReferralOverdue(state: unknown, followUpDate: unknown, today: string): boolean {
  return (AWAITING_FEEDBACK as readonly unknown[]).includes(state) && typeof followUpDate === 'string' && followUpDate < today
}

/** Adds `stateLabel` and `overdue` (on the school day `today`) from fields already in the projected row. */
export function withReferralDerived(row: Record<string, unknown>, locale: 'zh-CN' | 'en', today: string): Record<string, unknown> {
  const out = { ...row }
  if (typeof row.state === 'string' && row.state in REFERRAL_STATE_LABELS) out.stateLabel = REFERRAL_STATE_LABELS[row.state as ReferralState][locale]
  if ('state' in row && 'followUpDate' in row) out.overdue = isReferralOverdue(row.state, row.followUpDate, today)
  return out
}

/**
 * For the cases module: call before lowering a pupil's risk level. Refuses (409
 * referral_reassessment_required) while any referral of the pupil is out with an
 * institution (sent, received, feedback) and has not had its return-to-school assessment.
 * Runs in the caller's transaction; reads only states, returns nothing.
 */
export async function assertRiskLoweringAllowed(tx: Tx, schoolId: string, studentId: string): Promise<void> {
  const open = await tx.select({ id: referrals.id }).from(referrals).where(and(
    eq(referrals.schoolId, schoolId), eq(referrals.studentId, studentId), inArray(referrals.state, [...REFERRED_STATES]),
  )).limit(1)
  if (open.length) throw new Conflict('referral_reassessment_required')
}
