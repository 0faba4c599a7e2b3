import type { Config } from '../../config.js'
import { schoolDay } from '../../lib/school-day.js'

/**
 * What a message says: the kind of event, its deadline and a link — never a name, class, score
 * or note. Whoever reads the robot group or a forwarded e-mail learns only that something
 * waits in XinAn; the record opens after signing in, under the reader's own policy.
 */
const LABELS: Record<string, string> = {
  crisis_escalated: '危机事件',
  alert_received: '心理委员预警',
  alert_escalated: '心理委员预警',
  talk_concerned: '谈话后的关注提醒',
  referral_overdue: '转介随访提醒',
  screening_reminder: '测评提醒',
  audit_failed: '审计日志校验异常',
  case_role_granted: '个案授权',
  rectification_overdue: '督导整改逾期提醒',
  transfer_received: '转学档案',
  transfer_accepted: '转学档案',
  transfer_declined: '转学档案',
  transfer_reminder: '转学档案提醒',
}

export function isUrgentKind(kind: string): boolean {
  return kind.startsWith('crisis_') || kind.startsWith('alert_')
}

function labelOf(kind: string): string {
  return LABELS[kind] ?? (kind.startsWith('crisis_') ? '危机事件' : kind.startsWith('alert_') ? '预警' : '通知')
}

/** The address people reach XinAn at (PUBLIC_BASE_URL), or this server's own outside production. */
export function publicBase(config: Config): string {
  const base = config.PUBLIC_BASE_URL ?? `http://${config.HOST}:${config.PORT}`
  return base.replace(/\/+$/, '')
}

/** The screen the message opens: the record for a crisis or an alert, else the home page (its notifications). */
export function linkFor(config: Config, kind: string, refId: string | null): string {
  const base = publicBase(config)
  if (refId && kind.startsWith('crisis_')) return `${base}/crises/${refId}`
  if (refId && kind.startsWith('alert_')) return `${base}/alerts/${refId}`
  return `${base}/`
}

function clock(at: Date, tz: string): string {
  return new Intl.DateTimeFormat('zh-CN', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at)
}

/** 截止 21:30 today, 截止 12月7日 08:00 on another day (the schools' time zone). */
function deadlineWords(deadline: Date, now: Date, tz: string): string {
  const day = schoolDay(deadline, tz)
  if (day === schoolDay(now, tz)) return clock(deadline, tz)
  const [, m, d] = day.split('-')
  return `${Number(m)}月${Number(d)}日 ${clock(deadline, tz)}`
}

export interface RenderInput { kind: string; refId: string | null; deadline: Date | null }

export function renderMessage(config: Config, m: RenderInput, now: Date): { subject: string; text: string; link: string } {
  const label = labelOf(m.kind)
  const link = linkFor(config, m.kind, m.refId)
  const when = m.deadline ? `，截止 ${deadlineWords(m.deadline, now, config.TZ_SCHOOL)}` : ''
  const text = isUrgentKind(m.kind)
    ? `心安：有 1 条${label}待确认${when}。请登录查看 ${link}`
    : `心安：您有 1 条新通知（${label}）${when}。请登录查看 ${link}`
  return { subject: `心安提醒：${label}`, text, link }
}

/** The words of a channel's test message. */
export function testMessage(config: Config): { subject: string; text: string } {
  return { subject: '心安：测试消息', text: `心安：这是一条测试消息，通知渠道已可用。${publicBase(config)}/` }
}
