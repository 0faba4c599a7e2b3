import type { MessageKey } from '../../i18n/messages'

export interface TestResult { ok: boolean; error: string | null; httpStatus: number | null; smtpCode: number | null }

/** A test send's outcome in words: the API answers a code (http_502, errcode_310000 …), never shown as such. */
export function testReason(t: (k: MessageKey, p?: Record<string, string | number>) => string, r: TestResult): string {
  const code = r.error ?? ''
  const known = ['not_configured', 'no_address', 'timeout', 'network', 'secret_unreadable', 'bad_answer'] as const
  for (const k of known) if (code === k) return t(`channels.err.${k}`)
  const m = /^(http|errcode|smtp)_(\d+)$/.exec(code)
  if (m) return t(`channels.err.${m[1] as 'http' | 'errcode' | 'smtp'}`, { n: m[2]! })
  return t('channels.err.other')
}
