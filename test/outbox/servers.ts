import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

/** What the robot server received: which endpoint, the raw body and whether it was well formed. */
export interface RobotHit { path: string; body: string; valid: boolean; headers: IncomingMessage['headers'] }

export interface RobotServer {
  base: string
  hits: RobotHit[]
  /** The next n requests answer this HTTP status (default 500), whatever they carry. */
  failNext(n: number, status?: number): void
  /** The next request is received and never answered (the kill -9 test). */
  hangNext(): void
  /** Resolves when `count` requests have arrived. */
  until(count: number): Promise<void>
  close(): Promise<void>
}

export const WECOM_KEY = 'wecom-test-key-0001'
export const DINGTALK_TOKEN = 'dingtalk-test-token'
export const DINGTALK_SECRET = 'SECtest0123456789abcdef'
export const SMS_KEY = 'sms-api-key-42'

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok) => {
    let s = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => { s += c })
    req.on('end', () => ok(s))
  })
}

function isTextMessage(body: string): boolean {
  try {
    const j = JSON.parse(body) as { msgtype?: unknown; text?: { content?: unknown } }
    return j.msgtype === 'text' && typeof j.text?.content === 'string' && j.text.content.length > 0 && Object.keys(j).length === 2
  } catch {
    return false
  }
}

/** 钉钉's check: sign = base64(HMAC-SHA256(secret, timestamp + "\n" + secret)), timestamp within an hour. */
export function dingtalkSignatureValid(url: URL, secret: string, now = Date.now()): boolean {
  const ts = url.searchParams.get('timestamp')
  const sign = url.searchParams.get('sign')
  if (!ts || !sign || !/^\d{13}$/.test(ts) || Math.abs(now - Number(ts)) > 3_600_000) return false
  const want = createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64')
  const a = Buffer.from(want)
  const b = Buffer.from(sign)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * Plays 企业微信 (/wecom?key=…), 钉钉 (/dingtalk?access_token=…&timestamp=…&sign=…) and a generic
 * SMS gateway (/sms with X-Api-Key) on 127.0.0.1, answering as they do: HTTP 200 with an
 * errcode, 0 when the message was taken.
 */
export async function startRobotServer(): Promise<RobotServer> {
  const hits: RobotHit[] = []
  let failing = 0
  let failStatus = 500
  let hang = false
  const waiters: Array<{ count: number; ok: () => void }> = []
  const hung: ServerResponse[] = []
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      let valid = false
      let errcode = 0
      if (url.pathname === '/wecom') {
        valid = url.searchParams.get('key') === WECOM_KEY && isTextMessage(body)
        errcode = valid ? 0 : 40008
      } else if (url.pathname === '/dingtalk') {
        const signed = dingtalkSignatureValid(url, DINGTALK_SECRET)
        valid = url.searchParams.get('access_token') === DINGTALK_TOKEN && signed && isTextMessage(body)
        errcode = valid ? 0 : signed ? 40035 : 310000
      } else if (url.pathname === '/sms') {
        let shape = false
        try { const j = JSON.parse(body) as { to?: unknown; text?: unknown }; shape = typeof j.to === 'string' && typeof j.text === 'string' } catch { /* not JSON */ }
        valid = req.headers['x-api-key'] === SMS_KEY && shape
        errcode = valid ? 0 : 401
      }
      hits.push({ path: url.pathname, body, valid, headers: req.headers })
      for (const w of waiters.filter((w) => hits.length >= w.count)) { waiters.splice(waiters.indexOf(w), 1); w.ok() }
      if (hang) { hang = false; hung.push(res); return }
      if (failing > 0) { failing--; res.writeHead(failStatus).end('busy'); return }
      if (url.pathname === '/sms') { res.writeHead(valid ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: valid })); return }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errcode, errmsg: errcode ? 'refused' : 'ok' }))
    })
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const { port } = server.address() as AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    failNext(n, status = 500) { failing = n; failStatus = status },
    hangNext() { hang = true },
    until(count) { return hits.length >= count ? Promise.resolve() : new Promise((ok) => waiters.push({ count, ok })) },
    async close() {
      for (const r of hung) r.destroy()
      server.closeAllConnections()
      await new Promise<void>((ok) => server.close(() => ok()))
    },
  }
}

export interface Mail { from: string; to: string[]; raw: string; user: string | null }

export interface MailServer { port: number; mails: Mail[]; close(): Promise<void> }

export const SMTP_USER = 'xinan-sender'
export const SMTP_PASSWORD = 'smtp-password-9'

/** A local SMTP server that takes mail only after AUTH with the test password. */
export async function startMailServer(): Promise<MailServer> {
  const mails: Mail[] = []
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) cb(null, { user: auth.username })
      else cb(new Error('Invalid username or password'))
    },
    onData(stream, session, cb) {
      let raw = ''
      stream.setEncoding('utf8')
      stream.on('data', (c: string) => { raw += c })
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          user: typeof session.user === 'string' ? session.user : null,
        })
        cb()
      })
    },
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()))
  const { port } = server.server.address() as AddressInfo
  return { port, mails, close: () => new Promise<void>((ok) => server.close(() => ok())) }
}

/** The text of a mail as sent (quoted-printable or base64 bodies decoded), for scanning. */
export function mailText(raw: string): string {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/)
  const body = rest.join('\n\n')
  if (/content-transfer-encoding:\s*base64/i.test(head)) return `${head}\n${Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')}`
  if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    return `${head}\n${Buffer.from(bytes, 'latin1').toString('utf8')}`
  }
  return raw
}
