import { postJson } from './http.js'
import type { Channel } from './types.js'

/** 企业微信 group robot: POST { msgtype: 'text', text: { content } } to the webhook URL (key in the query). */
export const wecomChannel: Channel = {
  kind: 'wecom',
  async send(msg, dest, opts) {
    if (!dest.secrets.url) return { ok: false, error: 'not_configured' }
    return postJson(dest.secrets.url, { msgtype: 'text', text: { content: msg.text } }, { timeoutMs: opts.timeoutMs, errcode: true })
  },
}
