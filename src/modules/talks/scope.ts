import { and, eq, sql } from 'drizzle-orm'
import { cases, talkLogs } from '../../../db/schema/index.js'
import { Decision } from '../../access/engine.js'
import type { Actor } from '../../access/roles.js'

/** A student with a case that is not closed (open, intervening, monitoring). */
const hasOpenCase = sql`exists (select 1 from ${cases}
  where ${cases.schoolId} = ${talkLogs.schoolId} and ${cases.studentId} = ${talkLogs.studentId} and ${cases.state} <> 'closed')`

const narrowedLogs = new WeakMap<Decision, Decision>()

/**
 * Talk summaries are a homeroom teacher's notes: on top of the policy's scopes,
 * a homeroom teacher reaches only their own logs (of their own class), and a psychology
 * teacher only the logs of students with an open case. Applied per grant, so a user who
 * holds both roles gets each row by the role that reaches it — rows and fields alike.
 */
export function talkLogsDecision(d: Decision): Decision {
  // One per decision (decisions are kept per actor): what is built once per decision, as the
  // talk log's INSERT, is then built once for this one too.
  let narrowed = narrowedLogs.get(d)
  if (!narrowed) {
    narrowed = new Decision(d.policy, d.action, d.actor, d.grants.map((g) => {
      if (g.role === 'homeroom_teacher') return { ...g, condition: and(g.condition, eq(talkLogs.teacherId, d.actor.userId))! }
      if (g.role === 'psych_teacher') return { ...g, condition: and(g.condition, hasOpenCase)! }
      return g
    }))
    narrowedLogs.set(d, narrowed)
  }
  return narrowed
}

/** The classes the actor leads as homeroom teacher (班主任) in their own school. */
export function homeroomClassIds(actor: Actor): string[] {
  return actor.roles
    .filter((r) => r.role === 'homeroom_teacher' && r.schoolId === actor.schoolId && r.classId)
    .map((r) => r.classId!)
}
