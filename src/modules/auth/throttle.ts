/**
 * Sign-in throttling that slows guessing without ever locking an account.
 *
 * A hard lock per account lets anyone shut a teacher out by typing wrong passwords, and a
 * hard lock per address shuts out a whole school behind one NAT. So:
 *
 * - Per (account, address) pair: the first `freeFails` failures are free; after that each
 *   further attempt from that pair must wait 2^k seconds after its last failure (k = failures
 *   beyond the free ones), capped at `maxDelayMs`. Failures from elsewhere never slow the
 *   real user's own pair.
 * - Per address: failures are counted over *distinct* accounts, and a failure that the same
 *   account then follows with a success from that address is forgotten (a typo, not a
 *   guess). Only an address with unresolved failures on `addressAccounts` accounts or more
 *   (password spraying) is slowed, the same growing way, and then only for accounts that
 *   have not signed in successfully from it before: colleagues behind a school's NAT who
 *   use it every day carry on. Successful sign-ins are never counted.
 * - Refused attempts are not counted, so retrying early does not make the wait longer.
 *   An allowed attempt counts as a failure until `succeed` says otherwise.
 *
 * Kept in memory: a restart forgets the counters, which loosens the throttle for a moment
 * but never grants access; several instances each count on their own.
 */
export interface ThrottleOptions {
  /** Failures from one address on one account before delays start. */
  freeFails: number
  /** Distinct accounts with unresolved failures from one address before it is slowed. */
  addressAccounts: number
  /** The longest wait the growing delays reach. */
  maxDelayMs: number
  /** How long a failure (or a successful sign-in's "known address" mark) is remembered. */
  windowMs: number
  now?: () => number
}

export type ThrottleVerdict =
  | { ok: true }
  /** `report`: the first refusal since the last counted failure (the audit writes one row per run of refusals). */
  | { ok: false; retryAfterS: number; report: boolean }

interface PairState { fails: number; lastFail: number; reported: boolean }
/** `accounts`: account → time of its last unresolved failure, oldest first. */
interface AddressState { accounts: Map<string, number>; reported: boolean }

/** Upper bound of every map: an attacker rotating names or addresses cannot grow memory without end. */
const MAX_ENTRIES = 100_000
/** Known-good marks last longer than failures: they describe where people normally work. */
const KNOWN_GOOD_MS = 30 * 86_400_000

export class LoginThrottle {
  private readonly pairs = new Map<string, PairState>()
  private readonly addresses = new Map<string, AddressState>()
  private readonly knownGood = new Map<string, number>()
  private readonly now: () => number

  constructor(private readonly o: ThrottleOptions) {
    this.now = o.now ?? Date.now
  }

  /**
   * Asks to try a password. An allowed attempt counts as a failure at once and `succeed`
   * takes it back: otherwise a burst of parallel guesses would all pass before the first
   * one's failure was recorded.
   */
  attempt(username: string, ip: string): ThrottleVerdict {
    const account = accountKey(username)
    const address = addressKey(ip)
    const pk = pairKey(account, address)
    const now = this.now()
    const pair = this.livePair(pk, now)
    const pairWait = pair && pair.fails >= this.o.freeFails
      ? pair.lastFail + this.delay(pair.fails - this.o.freeFails) - now : 0
    const addr = this.liveAddress(address, now)
    const addrWait = addr && addr.accounts.size >= this.o.addressAccounts && !this.isKnownGood(pk, now)
      ? lastOf(addr.accounts) + this.delay(addr.accounts.size - this.o.addressAccounts) - now : 0
    const wait = Math.max(pairWait, addrWait)
    if (wait <= 0) {
      this.fail(account, address, now)
      return { ok: true }
    }
    // One audit row per run of refusals: mark whichever counters caused this one.
    let report = false
    if (pair && pairWait > 0 && !pair.reported) { pair.reported = true; report = true }
    if (addr && addrWait > 0 && !addr.reported) { addr.reported = true; report = true }
    return { ok: false, retryAfterS: Math.ceil(wait / 1000), report }
  }

  private fail(account: string, address: string, now: number): void {
    const pk = pairKey(account, address)
    const pair = this.livePair(pk, now) ?? { fails: 0, lastFail: now, reported: false }
    pair.fails++
    pair.lastFail = now
    pair.reported = false
    touch(this.pairs, pk, pair)

    const addr = this.liveAddress(address, now) ?? { accounts: new Map<string, number>(), reported: false }
    addr.accounts.delete(account)
    addr.accounts.set(account, now)
    // Past this many accounts the delay is at its cap anyway; older names need not be kept.
    if (addr.accounts.size > this.o.addressAccounts + 64) addr.accounts.delete(addr.accounts.keys().next().value!)
    addr.reported = false
    touch(this.addresses, address, addr)
  }

  /**
   * The password was wrong (or the account unusable): the wait runs from now, when the
   * caller learns it, not from when the slow password check began.
   */
  failed(username: string, ip: string): void {
    const account = accountKey(username)
    const address = addressKey(ip)
    const now = this.now()
    const pair = this.pairs.get(pairKey(account, address))
    if (pair) pair.lastFail = now
    const addr = this.addresses.get(address)
    if (addr?.accounts.has(account)) {
      addr.accounts.delete(account)
      addr.accounts.set(account, now)
    }
  }

  succeed(username: string, ip: string): void {
    const account = accountKey(username)
    const address = addressKey(ip)
    const pk = pairKey(account, address)
    this.pairs.delete(pk)
    // The failures of this account from this address were typos: they no longer count
    // towards the address, and this pair skips the address's slow-down from now on.
    const addr = this.addresses.get(address)
    if (addr) {
      addr.accounts.delete(account)
      if (addr.accounts.size === 0) this.addresses.delete(address)
    }
    touch(this.knownGood, pk, this.now())
  }

  /** 1 s, 2 s, 4 s … for k = 0, 1, 2 …, capped. */
  private delay(k: number): number {
    return Math.min(this.o.maxDelayMs, 1000 * 2 ** Math.min(k, 30))
  }

  private livePair(key: string, now: number): PairState | undefined {
    const e = this.pairs.get(key)
    if (e && now - e.lastFail > this.o.windowMs) {
      this.pairs.delete(key)
      return undefined
    }
    return e
  }

  private liveAddress(key: string, now: number): AddressState | undefined {
    const e = this.addresses.get(key)
    if (!e) return undefined
    for (const [account, at] of e.accounts) if (now - at > this.o.windowMs) e.accounts.delete(account)
    if (e.accounts.size === 0) {
      this.addresses.delete(key)
      return undefined
    }
    return e
  }

  private isKnownGood(key: string, now: number): boolean {
    const at = this.knownGood.get(key)
    return at !== undefined && now - at <= KNOWN_GOOD_MS
  }
}

/** Usernames are matched exactly at sign-in, but case variants must share one counter. */
function accountKey(username: string): string {
  return username.normalize('NFKC').toLowerCase()
}

function pairKey(account: string, address: string): string {
  return `${account}\u0000${address}`
}

/**
 * One IPv6 subscriber usually holds a whole /64: counting each address of it apart would
 * hand an attacker 2^64 fresh counters. IPv4-mapped IPv6 is the IPv4 address.
 */
export function addressKey(ip: string): string {
  const v4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip)
  if (v4) return v4[1]!
  if (!ip.includes(':')) return ip
  const [head = '', tail = ''] = ip.split('%')[0]!.toLowerCase().split('::')
  const left = head ? head.split(':') : []
  const right = ip.includes('::') && tail ? tail.split(':') : []
  const groups = ip.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`
}

/**
 * The newest failure of an address. A success takes its account's failure out, so a
 * colleague signing in does not push the address's wait forward for everyone else.
 */
function lastOf(accounts: Map<string, number>): number {
  let last = 0
  for (const at of accounts.values()) last = at
  return last
}

/** Map insertion order doubles as age: re-inserting moves an entry to the young end. */
function touch<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key)
  map.set(key, value)
  if (map.size > MAX_ENTRIES) map.delete(map.keys().next().value!)
}
