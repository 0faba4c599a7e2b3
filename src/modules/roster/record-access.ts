import type { SQL } from 'drizzle-orm'
import type { Action } from '../../access/define.js'
import type { Decision, PolicyRegistry } from '../../access/engine.js'
import { readOne } from '../../access/query.js'
import { withActorTx } from '../../access/transaction.js'
import type { Config } from '../../config.js'
import type { Database, Tx } from '../../db/database.js'
import { AppError, Conflict, NotFound } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { lockClass } from './repository.js'

/** What every roster service is built from. */
export interface RosterDeps {
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

/**
 * The actor's decision on a related resource (the class a student joins, the student a
 * guardian belongs to). No decision means the parent does not exist for this actor: 404.
 */
export function decisionOn(deps: RosterDeps, ctx: RequestContext, resource: string, action: Action = 'read'): Decision {
  const d = deps.policies.decide(ctx.actor, resource, action)
  if (!d) throw new NotFound()
  return d
}

/**
 * A class a pupil or a class-bound role may be put into: one the actor may read (else 404)
 * and not graduated (升年级 sets ended_at; the class stays for its records only). The row
 * stays share-locked to commit, so the rollover cannot end it and DELETE /classes/:id cannot
 * remove it between this check and the insert.
 */
export async function assignableClass(deps: RosterDeps, ctx: RequestContext, tx: Tx, classId: string): Promise<void> {
  await mustRead(tx, decisionOn(deps, ctx, 'classes'), classId)
  const cls = await lockClass(tx, ctx.actor.schoolId!, classId, 'share')
  if (!cls) throw new NotFound()
  if (cls.endedAt) throw new Conflict('class_ended', { name: cls.name })
}

/** Field groups the written keys belong to, for the audit row (names of groups, never values). */
export function groupsOf(d: Decision, keys: Iterable<string>): string[] {
  const fields = d.policy.fields as Record<string, readonly string[]>
  const wanted = new Set(keys)
  return Object.entries(fields).filter(([, fs]) => fs.some((f) => wanted.has(f))).map(([g]) => g).sort()
}

/** Keys the caller actually sent (zod leaves absent optional keys out; undefined is not a write). */
export function sentKeys(body: object): string[] {
  return Object.entries(body).filter(([, v]) => v !== undefined).map(([k]) => k)
}

/**
 * One transaction as the actor (non-owner role, the actor's school for row-level security).
 * Database errors leave it as typed errors: a raw driver error carries the statement's
 * parameters (names, phone numbers) in its message, which the 5xx logger would write out.
 */
export async function inActorTx<T>(deps: RosterDeps, ctx: RequestContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await withActorTx(deps.database.db, ctx.actor, fn)
  } catch (err) {
    throw fromDatabaseError(err)
  }
}

/** Unique constraints → the field a caller can fix. */
const UNIQUE_FIELDS: Record<string, string> = {
  students_school_no_uq: 'studentNo',
  users_username_unique: 'username',
  classes_school_grade_seq_uq: 'seq',
  grades_school_level_uq: 'level',
  terms_school_year_sem_uq: 'semester',
  holidays_school_name_start_uq: 'name',
  guardians_student_name_uq: 'name',
}

export function fromDatabaseError(err: unknown): unknown {
  if (err instanceof AppError) return err
  const pg = pgErrorOf(err)
  if (!pg) return err
  if (pg.code === '23505') {
    const field = (pg.constraint && UNIQUE_FIELDS[pg.constraint]) ?? ''
    return new AppError(409, 'duplicate', { what: field }, field ? { fields: [field] } : undefined)
  }
  if (pg.code === '23503') return new AppError(409, 'in_use')
  // Anything else is a server fault; keep only the SQLSTATE so nothing personal reaches a log.
  const safe = new Error(`database error ${pg.code ?? 'unknown'}`)
  safe.name = 'DatabaseError'
  return safe
}

function pgErrorOf(err: unknown): { code?: string; constraint?: string } | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const o = e as { code?: unknown; constraint?: unknown; constraint_name?: unknown }
    if (typeof o.code === 'string' && /^[0-9A-Z]{5}$/.test(o.code)) {
      const c = typeof o.constraint_name === 'string' ? o.constraint_name : typeof o.constraint === 'string' ? o.constraint : undefined
      return { code: o.code, ...(c ? { constraint: c } : {}) }
    }
  }
  // A drizzle query error without a recognisable cause still carries the parameters.
  if (err && typeof err === 'object' && 'params' in err && 'query' in err) return {}
  return undefined
}
