import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import casePageRoutes from './case-page-routes.js'
import caseRoutes from './case-routes.js'
import crisisRoutes from './crisis-routes.js'
import safetyAssessmentRoutes from './safety-assessment-routes.js'
import planRoutes from './plan-routes.js'
import safetyPlanRoutes from './safety-plan-routes.js'

/**
 * 积极干预: cases and their events, intervention plans, counselling sessions,
 * crisis events with their checklist, and the psychology teacher's work list.
 */
const casesRoutes: FastifyPluginAsyncZod = async (app) => {
  const s = app.services.cases
  await app.register(caseRoutes, { service: s.cases, worklists: s.worklists })
  await app.register(casePageRoutes, { service: s.page })
  await app.register(planRoutes, { service: s.plans })
  await app.register(safetyPlanRoutes, { service: s.safetyPlans })
  await app.register(crisisRoutes, { service: s.crisis })
  await app.register(safetyAssessmentRoutes, { assessments: s.safetyAssessments, disclosures: s.disclosures })
}

export default casesRoutes
