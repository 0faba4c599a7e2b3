/** The four ways a message leaves the app. Robots are the school's; e-mail and SMS reach one teacher. */
export const ChannelKinds = ['wecom', 'dingtalk', 'email', 'sms'] as const
export type ChannelKind = (typeof ChannelKinds)[number]
export const RobotKinds: readonly ChannelKind[] = ['wecom', 'dingtalk']

/** What a school's channel holds sealed (src/crypto/secret-box.ts); which keys apply depends on the kind. */
export interface ChannelSecrets {
  /** 企业微信 / 钉钉 webhook URL (its key or access token is in the query), the SMS provider's URL. */
  url?: string
  /** 钉钉 加签 secret (SEC…). */
  secret?: string
  /** SMTP password. */
  password?: string
  /** SMS provider API key. */
  apiKey?: string
}

/** What is not secret. */
export interface ChannelSettings {
  host?: string
  port?: number
  secure?: boolean
  user?: string
  from?: string
  apiKeyHeader?: string
  /** SMS adapter (channels/sms.ts); 'http' when absent. */
  provider?: string
}

/** A message as it leaves: no name, class, score or note — the kind of event, a deadline and a link. */
export interface OutgoingMessage {
  subject: string
  text: string
}

export interface Destination {
  settings: ChannelSettings
  secrets: ChannelSecrets
  /** The teacher's e-mail address or mobile number (personal channels). */
  to?: string
}

/**
 * The outcome of one send. `error` is a code fit for the outbox row and the logs: the provider's
 * status or error number, never its message body, the URL or the address.
 */
export interface SendResult {
  ok: boolean
  httpStatus?: number
  smtpCode?: number
  error?: string
}

export interface Channel {
  kind: ChannelKind
  send(msg: OutgoingMessage, dest: Destination, opts: { timeoutMs: number }): Promise<SendResult>
}
