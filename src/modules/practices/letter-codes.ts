import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto'

/**
 * Reply codes and box links of the 解忧树洞. A reply code is the only key to a reply, so it is
 * random (crypto), long enough that guessing through the rate limit is hopeless (12 symbols
 * of 31 ≈ 59 bits), and written in an alphabet without look-alikes (no 0/O, 1/I/L) so a
 * child can copy it by hand.
 */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
export const CODE_LENGTH = 12

export function newReplyCode(): string {
  let s = ''
  for (let i = 0; i < CODE_LENGTH; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]
  return formatCode(s)
}

/** ABCD-EFGH-JKMN: groups of four are easier to copy. */
export function formatCode(normalized: string): string {
  return normalized.match(/.{1,4}/g)!.join('-')
}

/** What the writer typed → the canonical code, or null when it cannot be one of ours. */
export function normalizeCode(input: string): string | null {
  const s = input.toUpperCase().replace(/[\s-]/g, '')
  if (s.length !== CODE_LENGTH) return null
  for (const c of s) if (!CODE_ALPHABET.includes(c)) return null
  return s
}

/**
 * HMAC-SHA256 keyed by the box's own secret: the database holds no code, and a hash copied
 * from one school's box is useless against another's. Deterministic, so a code is looked up
 * by its hash in one indexed query.
 */
export function hashCode(boxKey: string, normalized: string): string {
  return createHmac('sha256', Buffer.from(boxKey, 'hex')).update(normalized, 'utf8').digest('hex')
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex')
  const y = Buffer.from(b, 'hex')
  return x.length === y.length && timingSafeEqual(x, y)
}

export function newBoxKey(): string {
  return randomBytes(32).toString('hex')
}

/** Public link part: 20 lower-case letters and digits (≈ 100 bits), never the school id. */
const SLUG_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'
export function newSlug(): string {
  let s = ''
  for (let i = 0; i < 20; i++) s += SLUG_ALPHABET[randomInt(SLUG_ALPHABET.length)]
  return s
}

export const SLUG_PATTERN = /^[a-z0-9-]{8,64}$/
