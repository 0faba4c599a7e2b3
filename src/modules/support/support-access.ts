import { eq, or, type SQL } from 'drizzle-orm'
import type { Action } from '../../access/define.js'
import type { Decision, PolicyRegistry } from '../../access/engine.js'
import { readOne } from '../../access/query.js'
import { withActorTx } from '../../access/transaction.js'
import type { Config } from '../../config.js'
import type { Database, Tx } from '../../db/database.js'
import { NotFound } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { fromDatabaseError } from '../roster/record-access.js'

/** What every support service (结对, 同伴跟防, 家校协同, 转介) is built from. */
export interface SupportDeps {
  database: Database
  policies: PolicyRegistry
  config: Config
}

export type Row = Record<string, unknown>

/** One record through the policy, or the same 404 whether it is missing or out of scope. */
export async function mustRead(tx: Tx, d: Decision, id: string, extra?: SQL): Promise<Row> {
  const row = await readOne(tx, d, id, extra)
  if (!row) throw new NotFound()
  return row
}

/** The actor's decision on a related resource; none means the related record does not exist for them. */
export function decisionOn(deps: SupportDeps, ctx: RequestContext, resource: string, action: Action = 'read'): Decision {
  const d = deps.policies.decide(ctx.actor, resource, action)
  if (!d) throw new NotFound()
  return d
}

/** Keys the caller actually sent (zod leaves absent optional keys out). */
export function sentKeys(body: object): string[] {
  return Object.entries(body).filter(([, v]) => v !== undefined).map(([k]) => k)
}

/** Field groups the written keys belong to, for the audit row (names of groups, never values). */
export function groupsOf(d: Decision, keys: Iterable<string>): string[] {
  const fields = d.policy.fields as Record<string, readonly string[]>
  const wanted = new Set(keys)
  return Object.entries(fields).filter(([, fs]) => fs.some((f) => wanted.has(f))).map(([g]) => g).sort()
}

/**
 * One transaction as the actor (non-owner role, school set for row-level security); database
 * errors leave as typed errors so no statement parameter reaches a log.
 */
export async function inActorTx<T>(deps: SupportDeps, ctx: RequestContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await withActorTx(deps.database.db, ctx.actor, fn)
  } catch (err) {
    throw fromDatabaseError(err)
  }
}

/**
 * Rows a `paired` grant reaches are the pupil's; on pairings and mentor contacts only the
 * caller's own belong to them as a mentor (guidance is addressed to one mentor, contacts are
 * that mentor's log). Rows reached by another grant (school, class) are unaffected.
 */
export function mentorOwnRows(d: Decision, actorId: string): SQL | undefined {
  const owner = d.policy.relations.owner
  if (!owner || !d.grants.some((g) => g.scope === 'paired')) return undefined
  const others = d.grants.filter((g) => g.scope !== 'paired').map((g) => g.condition)
  return or(eq(d.column(owner), actorId), ...others)
}

/** Today by the schools' calendar (Asia/Shanghai, no daylight saving), as 'YYYY-MM-DD'. */
export function schoolToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
}

export function isoDay(v: unknown): string | undefined {
  return typeof v === 'string' ? v : v instanceof Date ? v.toISOString().slice(0, 10) : undefined
}
