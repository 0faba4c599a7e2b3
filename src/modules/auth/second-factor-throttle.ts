/**
 * Guessing a six-digit code. Whoever reaches the code step already has the password, so the
 * count is per account, wherever the tries come from (an address-based limit would let a
 * botnet guess on): the first `freeFails` wrong codes cost nothing, then each further try
 * waits 1, 2, 4 … seconds after the last wrong one, up to `maxDelayMs`. Three codes are valid
 * at any moment (the step before and after too), so at the default cap of five minutes a
 * guesser gets about 300 tries a day at 3 in a million each, and every wrong code is audited.
 * A right code clears the count.
 *
 * Each sign-in challenge also takes only `perChallenge` tries: then the password must be typed
 * again, which the sign-in throttle counts.
 *
 * Kept in memory like the sign-in throttle: a restart forgets, several instances count apart.
 */
export interface CodeThrottleOptions {
  freeFails: number
  perChallenge: number
  maxDelayMs: number
  windowMs: number
  now?: () => number
}

export type CodeVerdict = { ok: true } | { ok: false; reason: 'account'; retryAfterS: number; report: boolean } | { ok: false; reason: 'challenge' }

interface AccountState { fails: number; lastFail: number; reported: boolean }

const MAX_ENTRIES = 100_000

export class CodeThrottle {
  private readonly accounts = new Map<string, AccountState>()
  private readonly challenges = new Map<string, number>()
  private readonly now: () => number

  constructor(private readonly o: CodeThrottleOptions) {
    this.now = o.now ?? Date.now
  }

  /**
   * Asks to check a code. An allowed try counts as a failure at once and `succeed` takes it back,
   * so parallel guesses cannot all pass before the first one's failure is recorded.
   */
  attempt(userId: string, challengeId?: string): CodeVerdict {
    const now = this.now()
    if (challengeId !== undefined) {
      const used = this.challenges.get(challengeId) ?? 0
      if (used >= this.o.perChallenge) return { ok: false, reason: 'challenge' }
      touch(this.challenges, challengeId, used + 1)
    }
    const a = this.live(userId, now)
    const wait = a && a.fails >= this.o.freeFails ? a.lastFail + this.delay(a.fails - this.o.freeFails) - now : 0
    if (wait > 0) {
      const report = !a!.reported
      a!.reported = true
      return { ok: false, reason: 'account', retryAfterS: Math.ceil(wait / 1000), report }
    }
    const next = a ?? { fails: 0, lastFail: now, reported: false }
    next.fails++
    next.lastFail = now
    next.reported = false
    touch(this.accounts, userId, next)
    return { ok: true }
  }

  /** The code was wrong: the wait runs from now. */
  failed(userId: string): void {
    const a = this.accounts.get(userId)
    if (a) a.lastFail = this.now()
  }

  /** A right code: the account's count is cleared, and the challenge is spent (it signs in once). */
  succeed(userId: string, challengeId?: string): void {
    this.accounts.delete(userId)
    if (challengeId !== undefined) touch(this.challenges, challengeId, this.o.perChallenge)
  }

  private delay(k: number): number {
    return Math.min(this.o.maxDelayMs, 1000 * 2 ** Math.min(k, 30))
  }

  private live(userId: string, now: number): AccountState | undefined {
    const a = this.accounts.get(userId)
    if (a && now - a.lastFail > this.o.windowMs) {
      this.accounts.delete(userId)
      return undefined
    }
    return a
  }
}

function touch<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key)
  map.set(key, value)
  if (map.size > MAX_ENTRIES) map.delete(map.keys().next().value!)
}
