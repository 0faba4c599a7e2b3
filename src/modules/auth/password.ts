import { randomBytes } from 'node:crypto'
import argon2 from 'argon2'

/**
 * OWASP's argon2id floor (m = 19 MiB, t = 2, p = 1): ≈33 ms a hash, measured here.
 * Hashes made with weaker parameters are upgraded at the next successful login.
 */
export const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const

/** Hashing is memory-hard; cap how many run at once so a login burst cannot exhaust memory. */
const MAX_CONCURRENT = 4
let running = 0
const waiting: Array<() => void> = []

async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((ok) => waiting.push(ok))
  running++
  try {
    return await fn()
  } finally {
    running--
    waiting.shift()?.()
  }
}

export function hashPassword(plain: string): Promise<string> {
  return limited(() => argon2.hash(plain, HASH_OPTIONS))
}

export function verifyPassword(hash: string, plain: string): Promise<boolean> {
  return limited(async () => {
    try {
      return await argon2.verify(hash, plain)
    } catch {
      return false
    }
  })
}

export function needsRehash(hash: string): boolean {
  // argon2.needsRehash compares against the library's defaults for anything not passed
  // (parallelism 4), and ignores the variant: pass every parameter and check the type here.
  return !hash.startsWith('$argon2id$') || argon2.needsRehash(hash, {
    memoryCost: HASH_OPTIONS.memoryCost, timeCost: HASH_OPTIONS.timeCost, parallelism: HASH_OPTIONS.parallelism,
  })
}

let dummy: Promise<string> | undefined
/** A hash to verify against for unknown users, so both answers take the same time. */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword('xinan-timing-equaliser')
  return dummy
}

export function isStrongPassword(p: string): boolean {
  return p.length >= 10 && p.length <= 200 && /[A-Za-z]/.test(p) && /\d/.test(p)
}

/** No look-alikes (0/O, 1/l/I): a one-time password is read aloud or copied from a note. */
const ONE_TIME_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789'

/**
 * 16 characters of the alphabet above (≈ 93 bits), drawn without modulo bias, with at least
 * one letter and one digit so that it passes isStrongPassword wherever it is checked.
 */
export function oneTimePassword(): string {
  const n = ONE_TIME_ALPHABET.length
  const limit = 256 - (256 % n)
  for (;;) {
    const chars: string[] = []
    while (chars.length < 16) {
      for (const b of randomBytes(32)) if (b < limit && chars.length < 16) chars.push(ONE_TIME_ALPHABET[b % n]!)
    }
    const p = chars.join('')
    if (isStrongPassword(p)) return p
  }
}
