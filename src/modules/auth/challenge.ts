import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * The sign-in challenge: what the password step answers when the account has a second factor.
 * It opens nothing but the code step (it is not a JWT and no route takes it as a bearer token),
 * names the account and its auth epoch (a password change or a reset in between voids it),
 * and lasts five minutes. HMAC-signed with a key of its own derived from the server secret, so
 * any instance of the server can check it.
 */
export const CHALLENGE_TTL_S = 300

export interface Challenge {
  /** The account. */
  u: string
  /** users.auth_epoch when the password was checked. */
  e: string
  /** Expiry, ms since the epoch. */
  x: number
  /** Names this challenge for its own try count. */
  n: string
}

export function challengeSigner(serverSecret: string) {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(serverSecret, 'utf8'), Buffer.alloc(0), 'xinan sign-in challenge v1', 32))
  const mac = (body: string) => createHmac('sha256', key).update(body).digest()
  return {
    issue(userId: string, epoch: string, now = Date.now()): string {
      const c: Challenge = { u: userId, e: epoch, x: now + CHALLENGE_TTL_S * 1000, n: randomBytes(12).toString('base64url') }
      const body = Buffer.from(JSON.stringify(c)).toString('base64url')
      return `${body}.${mac(body).toString('base64url')}`
    },
    /** The challenge when it is ours and not expired, else undefined. */
    open(token: string, now = Date.now()): Challenge | undefined {
      const [body, sig, extra] = token.split('.')
      if (!body || !sig || extra !== undefined) return undefined
      const given = Buffer.from(sig, 'base64url')
      const want = mac(body)
      if (given.length !== want.length || !timingSafeEqual(given, want)) return undefined
      try {
        const c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Challenge
        if (typeof c.u !== 'string' || typeof c.e !== 'string' || typeof c.x !== 'number' || typeof c.n !== 'string') return undefined
        return c.x > now ? c : undefined
      } catch {
        return undefined
      }
    },
  }
}
