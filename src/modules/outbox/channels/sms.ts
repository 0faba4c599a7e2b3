import { postJson } from './http.js'
import type { Channel, Destination, OutgoingMessage, SendResult } from './types.js'

/**
 * SMS goes through a provider adapter. Providers differ (阿里云, 腾讯云 and others sign requests
 * their own way), so one generic adapter is built in: a gateway the school or its vendor runs
 * that takes JSON. Another adapter implements SmsProvider and is added to `smsProviders`.
 */
export interface SmsProvider {
  name: string
  send(to: string, text: string, dest: Destination, opts: { timeoutMs: number }): Promise<SendResult>
}

/**
 * The generic HTTP adapter: POST { to, text } as JSON to the configured URL, the API key in the
 * configured header (default X-Api-Key). Any 2xx answer is sent; anything else is retried.
 */
export const genericHttpSms: SmsProvider = {
  name: 'http',
  send(to, text, dest, opts) {
    const header = dest.settings.apiKeyHeader || 'X-Api-Key'
    return postJson(dest.secrets.url!, { to, text }, {
      timeoutMs: opts.timeoutMs, ...(dest.secrets.apiKey ? { headers: { [header]: dest.secrets.apiKey } } : {}),
    })
  },
}

export const smsProviders: Record<string, SmsProvider> = { http: genericHttpSms }

export const smsChannel: Channel = {
  kind: 'sms',
  async send(msg: OutgoingMessage, dest, opts) {
    if (!dest.secrets.url) return { ok: false, error: 'not_configured' }
    if (!dest.to) return { ok: false, error: 'no_address' }
    const provider = smsProviders[dest.settings.provider ?? 'http']
    if (!provider) return { ok: false, error: 'not_configured' }
    return provider.send(dest.to, msg.text, dest, opts)
  },
}
