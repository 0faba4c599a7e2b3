import type { ChannelKind } from './channels/types.js'

/**
 * Messages one school's channel may send per minute. Both robots allow 20 a minute per webhook
 * (企业微信 群机器人, 钉钉 自定义机器人) and refuse the rest; e-mail and SMS limits protect the
 * school's SMTP account and SMS budget from a burst (a district-wide escalation).
 */
export const PER_MINUTE: Record<ChannelKind, number> = { wecom: 20, dingtalk: 20, email: 60, sms: 30 }

export const WINDOW_MS = 60_000
