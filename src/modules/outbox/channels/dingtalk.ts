import { createHmac } from 'node:crypto'
import { postJson } from './http.js'
import type { Channel } from './types.js'

/**
 * 钉钉 加签: sign = urlencode(base64(HMAC-SHA256(secret, timestamp + "\n" + secret))), with the
 * timestamp in milliseconds; 钉钉 refuses a signature more than an hour from its own clock, so
 * this is the wall clock, not the worker's (test-injectable) one.
 */
export function dingtalkSignedUrl(url: string, secret: string, timestamp = Date.now()): string {
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64')
  return `${url}${url.includes('?') ? '&' : '?'}timestamp=${timestamp}&sign=${encodeURIComponent(sign)}`
}

/** 钉钉 group robot with a signing secret: the same text message, the signature as query parameters. */
export const dingtalkChannel: Channel = {
  kind: 'dingtalk',
  async send(msg, dest, opts) {
    if (!dest.secrets.url) return { ok: false, error: 'not_configured' }
    const url = dest.secrets.secret ? dingtalkSignedUrl(dest.secrets.url, dest.secrets.secret) : dest.secrets.url
    return postJson(url, { msgtype: 'text', text: { content: msg.text } }, { timeoutMs: opts.timeoutMs, errcode: true })
  },
}
