import type { PolicyRegistry } from '../../access/engine.js'
import type { Config } from '../../config.js'
import type { Database, Tx } from '../../db/database.js'
import { AppError } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { fromDatabaseError, inActorTx } from '../roster/record-access.js'

/**
 * What the screening and case services are built from, and the transaction wrapper both use:
 * the roster's (one actor transaction, database errors turned into typed errors that carry no
 * parameters), with the unique constraints of these modules named for the caller.
 */
export interface ModuleDeps {
  database: Database
  policies: PolicyRegistry
  config: Config
}

const UNIQUE_WHAT: Record<string, string> = {
  instruments_code_version_uq: 'code',
  screening_responses_once_uq: 'response',
  intervention_plans_case_uq: 'plan',
  crisis_checklist_item_uq: 'item',
}

export async function inTx<T>(deps: ModuleDeps, ctx: RequestContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await inActorTx(deps, ctx, fn)
  } catch (err) {
    throw named(err)
  }
}

function named(err: unknown): unknown {
  const constraint = constraintOf(err)
  if (constraint && UNIQUE_WHAT[constraint]) {
    const what = UNIQUE_WHAT[constraint]
    return new AppError(409, 'duplicate', { what }, { fields: [what] })
  }
  return fromDatabaseError(err)
}

function constraintOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const o = e as { code?: unknown; constraint?: unknown; constraint_name?: unknown }
    if (o.code === '23505') {
      if (typeof o.constraint_name === 'string') return o.constraint_name
      if (typeof o.constraint === 'string') return o.constraint
    }
  }
  return undefined
}

/** Today's calendar day in the schools' time zone (Asia/Shanghai by default), 'YYYY-MM-DD'. */
export function schoolToday(config: Pick<Config, 'TZ_SCHOOL'>, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: config.TZ_SCHOOL, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}
