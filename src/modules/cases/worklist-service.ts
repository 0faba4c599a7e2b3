import { and, eq, lte, ne, sql } from 'drizzle-orm'
import { cases, crisisEvents, interventionPlans } from '../../../db/schema/index.js'
import type { Gateway, Row } from '../../access/gateway.js'
import { addDays } from '../../lib/school-day.js'
import type { RequestContext } from '../../plugins/access.js'
import { riskRank } from '../screening/risk-levels.js'
import { presentCase, presentCrisis } from './present.js'

interface WorklistAnswer {
  today: string
  myOpenCases?: { byRisk: Record<'red' | 'orange' | 'yellow' | 'green', number>; items: Row[] }
  reviewsDue?: { until: string; items: Row[] }
  unacknowledgedCrises?: { items: Row[] }
}

/** Plans whose review falls within this many days are "due". */
const REVIEW_WINDOW_DAYS = 7

/**
 * 工作清单 of a psychology teacher: my open cases by risk, plan reviews due within a week
 * (overdue ones included), and crisis events nobody has acknowledged yet. Each part is read
 * through the caller's own policy on its resource; a part the caller may not read is absent.
 */
export function createWorklistService(gw: Gateway) {
  return {
    async worklist(ctx: RequestContext) {
      const today = gw.today()
      const until = addDays(today, REVIEW_WINDOW_DAYS)
      return gw.tx(ctx, async (tx) => {
        const out: WorklistAnswer = { today }
        const touched: Row[] = []

        const mine = await gw.list(tx, ctx.decision, {
          where: and(eq(cases.openedBy, ctx.actor.userId), ne(cases.state, 'closed')),
          filterFields: ['openedBy', 'state'], sort: [{ field: 'openedAt', dir: 'asc' }], limit: 500, offset: 0,
        })
        const items = mine.items.sort((a, b) => riskRank(b.riskLevel) - riskRank(a.riskLevel)).map(presentCase)
        const byRisk = { red: 0, orange: 0, yellow: 0, green: 0 }
        for (const c of mine.items) if (typeof c.riskLevel === 'string' && c.riskLevel in byRisk) byRisk[c.riskLevel as keyof typeof byRisk]++
        out.myOpenCases = { byRisk, items }
        touched.push(...mine.items)

        const plans = gw.policies.decide(ctx.actor, 'intervention_plans', 'list')
        if (plans) {
          const r = await gw.list(tx, plans, {
            where: and(
              lte(interventionPlans.reviewDate, until),
              sql`${interventionPlans.caseId} in (select ${cases.id} from ${cases} where ${cases.schoolId} = ${interventionPlans.schoolId} and ${cases.state} <> 'closed')`,
            ),
            filterFields: ['reviewDate', 'caseId'], sort: [{ field: 'reviewDate', dir: 'asc' }], limit: 500, offset: 0,
          })
          out.reviewsDue = { until, items: r.items }
          if (r.items.length) await gw.audit(tx, ctx, { action: 'R', resource: 'intervention_plans', recordIds: r.items.map((p) => p.id as string), studentIds: [...new Set(r.items.map((p) => p.studentId as string))], fieldGroups: plans.readGroups() })
        }

        const crises = gw.policies.decide(ctx.actor, 'crisis_events', 'list')
        if (crises) {
          const r = await gw.list(tx, crises, {
            where: eq(crisisEvents.status, 'open'), filterFields: ['status'], sort: [{ field: 'ackDeadline', dir: 'asc' }], limit: 500, offset: 0,
          })
          out.unacknowledgedCrises = { items: r.items.map((row) => presentCrisis(row)) }
          if (r.items.length) await gw.audit(tx, ctx, { action: 'R', resource: 'crisis_events', recordIds: r.items.map((c) => c.id as string), studentIds: [...new Set(r.items.map((c) => c.studentId as string))], fieldGroups: crises.readGroups() })
        }

        if (touched.length) await gw.audit(tx, ctx, { action: 'R', rows: touched })
        return out
      })
    },
  }
}

export type WorklistService = ReturnType<typeof createWorklistService>
