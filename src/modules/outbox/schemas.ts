import { z } from 'zod'
import { ErrorSchema } from '../../lib/schemas.js'
import { ChannelKinds } from './channels/types.js'

export const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema }
export const security = [{ bearer: [] }]
export const tags = ['notification-channels']

export const ChannelKindParams = z.strictObject({ kind: z.enum(ChannelKinds) })

const HttpUrl = z.string().max(2000).refine((s) => {
  try { return ['http:', 'https:'].includes(new URL(s).protocol) } catch { return false }
}, 'an http:// or https:// address')
/** '' clears a secret; absent leaves it as it is. */
const Secret = (max: number) => z.string().max(max)

/**
 * One body for the four kinds; the service refuses a field that does not belong to the kind
 * (400 naming it). Secrets are write-only: an absent one is kept, '' removes it.
 */
export const SchoolChannelPut = z.strictObject({
  enabled: z.boolean().optional(),
  /** 企业微信 / 钉钉 webhook URL; the SMS provider's URL. */
  url: HttpUrl.or(z.literal('')).optional(),
  /** 钉钉 加签 secret. */
  signingSecret: Secret(200).optional(),
  host: z.string().max(253).regex(/^[A-Za-z0-9.-]*$/, 'a host name').optional(),
  port: z.number().int().min(1).max(65535).optional(),
  secure: z.boolean().optional(),
  user: z.string().max(200).optional(),
  password: Secret(200).optional(),
  sender: z.string().max(254).optional(),
  apiKeyHeader: z.string().max(64).regex(/^[A-Za-z0-9-]*$/, 'a header name').optional(),
  apiKey: Secret(500).optional(),
})
export type SchoolChannelPut = z.infer<typeof SchoolChannelPut>

export const SchoolChannelItem = z.object({
  kind: z.enum(ChannelKinds),
  enabled: z.boolean(),
  /** What is not secret (SMTP host, port, TLS, user, sender; the SMS key's header). */
  host: z.string().nullable(),
  port: z.number().nullable(),
  secure: z.boolean().nullable(),
  user: z.string().nullable(),
  sender: z.string().nullable(),
  apiKeyHeader: z.string().nullable(),
  /** Whether each secret is set — never the secret. */
  urlSet: z.boolean(),
  signingSecretSet: z.boolean(),
  passwordSet: z.boolean(),
  apiKeySet: z.boolean(),
  /** The last four characters of the URL's host (e.g. ".com"), or null. */
  hint: z.string().nullable(),
  updatedAt: z.date().nullable(),
})
export const SchoolChannelList = z.object({ items: z.array(SchoolChannelItem) })

export const TestResult = z.object({
  ok: z.boolean(),
  /** A code: not_configured, no_address, http_404, errcode_310000, smtp_535, timeout, network … */
  error: z.string().nullable(),
  httpStatus: z.number().nullable(),
  smtpCode: z.number().nullable(),
})

export const MyChannelsItem = z.object({
  email: z.string().nullable(),
  mobile: z.string().nullable(),
  emailEnabled: z.boolean(),
  smsEnabled: z.boolean(),
  updatedAt: z.date().nullable(),
  /** Whether the school has set up and switched on its e-mail and SMS channels. */
  schoolEmail: z.boolean(),
  schoolSms: z.boolean(),
})

export const MyChannelsPut = z.strictObject({
  email: z.email().max(254).or(z.literal('')).optional(),
  /** A mainland mobile number (11 digits from 1), or +country and 6–15 digits. */
  mobile: z.string().regex(/^(1\d{10}|\+\d{6,15})$/, 'a mobile number').or(z.literal('')).optional(),
  emailEnabled: z.boolean().optional(),
  smsEnabled: z.boolean().optional(),
})
export type MyChannelsPut = z.infer<typeof MyChannelsPut>

export const MyTestBody = z.strictObject({ channel: z.enum(['email', 'sms']) })
