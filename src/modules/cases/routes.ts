import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { ModuleDeps } from '../screening/module-access.js'
import casePageRoutes from './case-page-routes.js'
import { createCasePageService } from './case-page-service.js'
import caseRoutes from './case-routes.js'
import { createCaseService } from './case-service.js'
import crisisRoutes from './crisis-routes.js'
import { createCrisisService } from './crisis-service.js'
import planRoutes from './plan-routes.js'
import { createPlanService } from './plan-service.js'
import { createWorklistService } from './worklist-service.js'

/**
 * 积极干预 (issue 4): cases and their events, intervention plans, counselling sessions,
 * crisis events with their checklist, and the psychology teacher's work list.
 */
const casesRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: ModuleDeps = { database: app.database, policies: app.policies, config: app.config }
  await app.register(caseRoutes, { service: createCaseService(deps), worklists: createWorklistService(deps) })
  await app.register(casePageRoutes, { service: createCasePageService(deps) })
  await app.register(planRoutes, { service: createPlanService(deps) })
  await app.register(crisisRoutes, { service: createCrisisService(deps) })
}

export default casesRoutes
