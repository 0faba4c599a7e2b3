import { sql } from 'drizzle-orm'
import type { LightMyRequestResponse } from 'fastify'
import { queryRows, type Database } from '../../src/db/database.js'

/** How many concurrent attempts each race test sends. */
export const ATTEMPTS = 50

export interface RaceResult {
  winners: LightMyRequestResponse[]
  conflicts: LightMyRequestResponse[]
  /** Anything that is neither a 2xx nor a 409: always a failure. */
  others: LightMyRequestResponse[]
}

/**
 * Fires `n` attempts at once. On the PostgreSQL server they run on separate pooled
 * connections, so a state check without a lock lets several through; PGlite runs one
 * transaction at a time, where only the fixed behaviour (one winner) can show.
 */
export async function race(attempt: (i: number) => Promise<LightMyRequestResponse>, n = ATTEMPTS): Promise<RaceResult> {
  const all = await Promise.all(Array.from({ length: n }, (_, i) => attempt(i)))
  return {
    winners: all.filter((r) => r.statusCode >= 200 && r.statusCode < 300),
    conflicts: all.filter((r) => r.statusCode === 409),
    others: all.filter((r) => !(r.statusCode >= 200 && r.statusCode < 300) && r.statusCode !== 409),
  }
}

/** Successful audit rows of one action on one record. */
export async function auditCount(database: Database, resource: string, action: string, recordId: string): Promise<number> {
  const rows = await queryRows<{ n: number }>(database.db, sql`
    select count(*)::int as n from audit_log
    where resource = ${resource} and action = ${action} and outcome = 'ok' and ${recordId} = any(record_ids)`)
  return rows[0]!.n
}

/** Distinct 409 codes among the losers, for the assertion message and the check. */
export function codesOf(rs: LightMyRequestResponse[]): string[] {
  return [...new Set(rs.map((r) => (r.json() as { code: string }).code))].sort()
}

interface Asserts {
  equal(found: unknown, wanted: unknown, message: string): unknown
  same(found: unknown, wanted: unknown, message: string): unknown
}

/** One 2xx, every other attempt a 409 with one of `codes`; the message counts the winners. */
export function oneWinner(t: Asserts, r: RaceResult, codes: string[], what: string): void {
  t.equal(r.winners.length, 1, `${what}: ${r.winners.length} of ${ATTEMPTS} won`)
  t.equal(r.conflicts.length, ATTEMPTS - 1, `${what}: the others answer 409`)
  t.same(r.others.map((o) => o.statusCode), [], `${what}: no other status`)
  if (r.conflicts.length) t.same(codesOf(r.conflicts), codes, `${what}: the losers' code`)
}
