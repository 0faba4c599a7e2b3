import { sql } from 'drizzle-orm'
import { queryRows, type Executor } from '../../db/database.js'
import type { Actor } from '../../access/roles.js'
import { AppError } from '../../lib/errors.js'

/**
 * Step-up: the most telling reads (the exports, "who accessed this student", a closed case)
 * need this login to have proved all its factors within the last 15 minutes: the TOTP code,
 * or for an account without one its password, at sign-in or again through POST
 * /auth/step-up. A phone or computer left signed in then opens the day-to-day screens but not
 * those.
 */
export const STEP_UP_MINUTES = 15

export class StepUpRequired extends AppError {
  constructor() { super(403, 'step_up_required', { minutes: STEP_UP_MINUTES }) }
}

/**
 * Whether the actor's login proved its factors recently. Read from the login's row on every
 * call (one statement), never from the actor the server keeps in memory, so a step-up counts
 * from the very next request. Works inside a school transaction too: auth_sessions has no
 * school wall.
 */
export async function hasRecentProof(ex: Executor, actor: Actor): Promise<boolean> {
  const rows = await queryRows<{ fresh: boolean | null }>(ex, sql`
    select second_factor_at > now() - make_interval(mins => ${STEP_UP_MINUTES}) as fresh
    from auth_sessions where id = ${actor.sessionId}::uuid and user_id = ${actor.userId}::uuid and revoked_at is null`)
  return rows[0]?.fresh === true
}

/** 403 step_up_required unless the login proved its factors within the window. */
export async function requireStepUp(ex: Executor, actor: Actor): Promise<void> {
  if (!(await hasRecentProof(ex, actor))) throw new StepUpRequired()
}
