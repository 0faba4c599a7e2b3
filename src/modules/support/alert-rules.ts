import { and, eq, isNull, lt, sql, type SQL } from 'drizzle-orm'
import { peerAlerts } from '../../../db/schema/index.js'

/**
 * 同伴跟防 rules in one place: how soon a psychology teacher must acknowledge an alert, what
 * a monitor is told about their alert, and how often a monitor may submit. The escalation
 * job (src/jobs) reads the same deadline column and the same overdue condition.
 */
export const Urgencies = ['low', 'medium', 'high'] as const
export type Urgency = (typeof Urgencies)[number]

/** Minutes to acknowledge an alert: high 30 min, medium 4 h, low 24 h. */
export const ACK_DEADLINE_MINUTES: Record<Urgency, number> = { high: 30, medium: 4 * 60, low: 24 * 60 }

export function ackDeadlineFor(urgency: Urgency, from: Date = new Date()): Date {
  return new Date(from.getTime() + ACK_DEADLINE_MINUTES[urgency] * 60_000)
}

export const AlertStatuses = ['received', 'in_progress', 'handled'] as const
export type AlertStatus = (typeof AlertStatuses)[number]

/** What a monitor is told: that it arrived and how far it got, nothing of the case. */
export const ALERT_STATUS_LABELS: Record<AlertStatus, { 'zh-CN': string; en: string }> = {
  received: { 'zh-CN': '已收到', en: 'Received' },
  in_progress: { 'zh-CN': '处理中', en: 'Being handled' },
  handled: { 'zh-CN': '已处理', en: 'Handled' },
}

/** Submissions per monitor per window: an alert is a call for help, not a chat channel. */
export const ALERT_RATE_LIMIT = { max: 10, timeWindow: '1 hour' } as const

/** Not acknowledged by its deadline. */
export function alertOverdueCondition(now: SQL = sql`now()`): SQL {
  return and(eq(peerAlerts.status, 'received'), isNull(peerAlerts.acknowledgedAt), lt(peerAlerts.ackDeadline, now))!
}

/** Adds `statusLabel` and `overdue` from fields already in the projected row, so neither reveals more. */
export function withAlertDerived(row: Record<string, unknown>, locale: 'zh-CN' | 'en' = 'zh-CN', now: Date = new Date()): Record<string, unknown> {
  const out = { ...row }
  if (typeof row.status === 'string' && row.status in ALERT_STATUS_LABELS) {
    out.statusLabel = ALERT_STATUS_LABELS[row.status as AlertStatus][locale]
  }
  if ('ackDeadline' in row && 'acknowledgedAt' in row && 'status' in row) {
    out.overdue = row.status === 'received' && row.acknowledgedAt === null && row.ackDeadline instanceof Date && row.ackDeadline < now
  }
  return out
}
