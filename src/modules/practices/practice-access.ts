import type { SQL } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { Action } from '../../access/define.js'
import type { Decision } from '../../access/engine.js'
import { readOne } from '../../access/query.js'
import { withActorTx } from '../../access/transaction.js'
import type { Tx } from '../../db/database.js'
import { AppError, NotFound } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'

export type Row = Record<string, unknown>

/** One record through the policy, or the same 404 whether it is missing or out of scope. */
export async function mustRead(tx: Tx, d: Decision, id: string, extra?: SQL): Promise<Row> {
  const row = await readOne(tx, d, id, extra)
  if (!row) throw new NotFound()
  return row
}

/** The caller's decision on another resource; none means that record does not exist for them. */
export function decisionOn(app: FastifyInstance, ctx: RequestContext, resource: string, action: Action = 'read'): Decision {
  const d = app.policies.decide(ctx.actor, resource, action)
  if (!d) throw new NotFound()
  return d
}

/** Keys the caller actually sent (undefined is not a write). */
export function sentKeys(body: object | undefined): string[] {
  return body ? Object.entries(body).filter(([, v]) => v !== undefined).map(([k]) => k) : []
}

/** Field groups the written keys belong to, for the audit row (names of groups, never values). */
export function groupsOf(d: Decision, keys: Iterable<string>): string[] {
  const wanted = new Set(keys)
  return Object.entries(d.policy.fields as Record<string, readonly string[]>)
    .filter(([, fs]) => fs.some((f) => wanted.has(f))).map(([g]) => g).sort()
}

/**
 * One transaction as the actor. Database errors leave as typed errors: a raw driver error
 * carries the statement's parameters (letter text, names) in its message.
 */
export async function inActorTx<T>(app: FastifyInstance, ctx: RequestContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await withActorTx(app.database.db, ctx.actor, fn)
  } catch (err) {
    throw fromDatabaseError(err)
  }
}

const UNIQUE_FIELDS: Record<string, string> = {
  barometer_entries_once_uq: 'periodKey',
  staff_profiles_user_uq: 'userId',
  letter_boxes_slug_uq: 'slug',
}

export function fromDatabaseError(err: unknown): unknown {
  if (err instanceof AppError) return err
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const o = e as { code?: unknown; constraint?: unknown; constraint_name?: unknown }
    if (typeof o.code === 'string' && /^[0-9A-Z]{5}$/.test(o.code)) {
      const constraint = typeof o.constraint_name === 'string' ? o.constraint_name : typeof o.constraint === 'string' ? o.constraint : ''
      if (o.code === '23505') {
        const field = UNIQUE_FIELDS[constraint] ?? ''
        return new AppError(409, 'duplicate', { what: field }, field ? { fields: [field] } : undefined)
      }
      if (o.code === '23503') return new AppError(409, 'in_use')
      const safe = new Error(`database error ${o.code}`)
      safe.name = 'DatabaseError'
      return safe
    }
  }
  if (err && typeof err === 'object' && 'params' in err && 'query' in err) {
    const safe = new Error('database error')
    safe.name = 'DatabaseError'
    return safe
  }
  return err
}

/** Today's calendar day in the schools' zone (Asia/Shanghai, no daylight saving). */
export function schoolToday(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
}
