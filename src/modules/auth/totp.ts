import { createHash, randomInt } from 'node:crypto'
import { Secret, TOTP } from 'otpauth'
import type { Config } from '../../config.js'
import type { Database } from '../../db/database.js'
import { installationBox, type SecretBox } from '../../crypto/secret-box.js'

/**
 * TOTP (RFC 6238) as every authenticator app reads it: SHA-1, six digits, 30-second steps,
 * a 160-bit secret (RFC 4226 §4 recommends it). A code of the step before or after is still
 * taken, for phones whose clock is a little off.
 */
const PERIOD_S = 30
const DIGITS = 6
const WINDOW = 1
export const ISSUER = '心安 XinAn'

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32
}

function totpOf(base32: string, label = ''): TOTP {
  return new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD_S, secret: Secret.fromBase32(base32) })
}

/** The otpauth:// address the enrolment QR code carries (Key Uri Format, as Google Authenticator reads it). */
export function otpauthUri(base32: string, username: string): string {
  return totpOf(base32, username).toString()
}

/**
 * The time step a code belongs to when it is valid at `now`, else null. The caller keeps the
 * step of the last accepted code and refuses a code of that step or an earlier one, so a code
 * seen over someone's shoulder cannot be used again.
 */
export function totpStep(base32: string, code: string, now = Date.now()): number | null {
  const token = code.replace(/\s+/g, '')
  if (!/^\d{6}$/.test(token)) return null
  const delta = totpOf(base32).validate({ token, timestamp: now, window: WINDOW })
  if (delta === null) return null
  return Math.floor(now / 1000 / PERIOD_S) + delta
}

// ── recovery codes ──────────────────────────────────────────────────────────────────
// Ten codes of 12 characters from 31 letters and digits without look-alikes (0/O, 1/I/L):
// 59 bits each, far beyond guessing, so an unsalted SHA-256 is enough to keep them (a slow
// password hash protects low-entropy secrets; these are not).

const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'
export const RECOVERY_CODE_COUNT = 10

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`
  })
}

/** What is typed is forgiving: case, spaces and dashes do not matter. */
export function normaliseRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]+/g, '')
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(`xinan recovery v1:${normaliseRecoveryCode(code)}`).digest('hex')
}

// ── the secret at rest ─────────────────────────────────────────────────────────────

/**
 * TOTP secrets at rest: sealed (src/crypto/secret-box.ts) with the user's id as associated data
 * (a sealed secret copied onto another account does not open), under a key of their own: HKDF of
 * SECOND_FACTOR_KEY, or of the contents of SECOND_FACTOR_KEY_FILE, or of a key generated once
 * into the private schema (a table export or a leaked users table then holds no usable secret,
 * but a full dump does: production should set one).
 */
export class TotpSealer {
  constructor(private readonly box: SecretBox) {}

  seal(base32: string, userId: string): string {
    return this.box.sealText(base32, aadOf(userId))
  }

  /** undefined when the value was not sealed by this key for this user. */
  open(sealed: string | null | undefined, userId: string): string | undefined {
    return this.box.openText(sealed, aadOf(userId))
  }
}

const aadOf = (userId: string) => `users.totp_secret:${userId}`

/** The installation's sealer, resolved once per database handle. */
export async function totpSealerFor(config: Config, database: Database): Promise<TotpSealer> {
  return new TotpSealer(await installationBox(database, {
    label: 'xinan totp secrets v1', value: config.SECOND_FACTOR_KEY, file: config.SECOND_FACTOR_KEY_FILE, generatedName: 'totp_key',
  }))
}
