/**
 * Failed-login counters per account and per client address. Kept in memory: a restart
 * forgets them, which only ever loosens the lock, never grants access.
 */
export class LoginThrottle {
  private readonly accounts = new Map<string, { fails: number; since: number }>()
  private readonly ips = new Map<string, { fails: number; since: number }>()

  constructor(
    private readonly maxPerAccount: number,
    private readonly maxPerIp: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  isLocked(username: string, ip: string): boolean {
    return this.count(this.accounts, username.toLowerCase()) >= this.maxPerAccount
      || this.count(this.ips, ip) >= this.maxPerIp
  }

  fail(username: string, ip: string): void {
    this.bump(this.accounts, username.toLowerCase())
    this.bump(this.ips, ip)
  }

  succeed(username: string): void {
    this.accounts.delete(username.toLowerCase())
  }

  private count(map: Map<string, { fails: number; since: number }>, key: string): number {
    const e = map.get(key)
    if (!e) return 0
    if (this.now() - e.since > this.windowMs) {
      map.delete(key)
      return 0
    }
    return e.fails
  }

  private bump(map: Map<string, { fails: number; since: number }>, key: string): void {
    const current = this.count(map, key)
    if (current === 0) map.set(key, { fails: 1, since: this.now() })
    else map.get(key)!.fails++
    if (map.size > 100_000) {
      const first = map.keys().next().value
      if (first !== undefined) map.delete(first)
    }
  }
}
