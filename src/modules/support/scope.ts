import { eq, or, type SQL } from 'drizzle-orm'
import type { Decision } from '../../access/engine.js'

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
