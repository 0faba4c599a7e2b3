import type { SendResult } from './types.js'

/**
 * POSTs JSON and reads the answer as a robot API gives it: HTTP 200 with { errcode, errmsg },
 * errcode 0 meaning sent (企业微信 and 钉钉 both answer a refused message with 200 and a
 * non-zero errcode, e.g. 45009 / 130101 when sent too fast).
 */
export async function postJson(url: string, body: unknown, opts: { timeoutMs: number; headers?: Record<string, string>; errcode?: boolean }): Promise<SendResult> {
  let res: Response
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...(opts.headers ?? {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(opts.timeoutMs),
      redirect: 'error',
    })
  } catch (err) {
    const name = (err as { name?: string }).name
    return { ok: false, error: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network' }
  }
  const text = await res.text().catch(() => '')
  if (!res.ok) return { ok: false, httpStatus: res.status, error: `http_${res.status}` }
  if (opts.errcode) {
    let code: unknown
    try { code = (JSON.parse(text) as { errcode?: unknown }).errcode } catch { return { ok: false, httpStatus: res.status, error: 'bad_answer' } }
    if (code !== 0 && code !== undefined) return { ok: false, httpStatus: res.status, error: `errcode_${Number(code) || 'unknown'}` }
  }
  return { ok: true, httpStatus: res.status }
}

/** The host of a URL, for an admin's hint: its last four characters only. */
export function hostHint(url: string | undefined): string | null {
  if (!url) return null
  try {
    const host = new URL(url).hostname
    return host.length > 4 ? host.slice(-4) : host
  } catch {
    return null
  }
}
