import type { Channel, SendResult } from './types.js'

/** nodemailer loads on the first e-mail: most processes (and every test file) send none. */
let mailer: Promise<typeof import('nodemailer')> | undefined
const loadMailer = () => (mailer ??= import('nodemailer'))

/** E-mail over the school's SMTP server (nodemailer), plain text only. */
export const emailChannel: Channel = {
  kind: 'email',
  async send(msg, dest, opts) {
    const s = dest.settings
    if (!s.host || !s.from) return { ok: false, error: 'not_configured' }
    if (!dest.to) return { ok: false, error: 'no_address' }
    const { default: nodemailer } = await loadMailer()
    const transport = nodemailer.createTransport({
      host: s.host,
      port: s.port ?? (s.secure ? 465 : 587),
      secure: s.secure ?? false,
      ...(s.user ? { auth: { user: s.user, pass: dest.secrets.password ?? '' } } : {}),
      connectionTimeout: opts.timeoutMs,
      greetingTimeout: opts.timeoutMs,
      socketTimeout: opts.timeoutMs,
    })
    try {
      const info = await transport.sendMail({ from: s.from, to: dest.to, subject: msg.subject, text: msg.text }) as { response?: string }
      const code = Number(/^(\d{3})/.exec(info.response ?? '')?.[1])
      return { ok: true, ...(Number.isFinite(code) ? { smtpCode: code } : {}) }
    } catch (err) {
      return smtpFailure(err)
    } finally {
      transport.close()
    }
  },
}

function smtpFailure(err: unknown): SendResult {
  const e = err as { responseCode?: unknown; code?: unknown }
  if (typeof e.responseCode === 'number') return { ok: false, smtpCode: e.responseCode, error: `smtp_${e.responseCode}` }
  const code = typeof e.code === 'string' && /^[A-Z_]{2,20}$/.test(e.code) ? e.code.toLowerCase() : 'smtp'
  return { ok: false, error: code === 'etimedout' ? 'timeout' : code }
}
