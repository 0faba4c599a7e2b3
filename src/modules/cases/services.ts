import type { Gateway } from '../../access/gateway.js'
import { createCasePageService } from './case-page-service.js'
import { createCaseService } from './case-service.js'
import { createCrisisService } from './crisis-service.js'
import { createCrisisDisclosureService } from './crisis-disclosure-service.js'
import { createSafetyAssessmentService } from './safety-assessment-service.js'
import { createPlanService } from './plan-service.js'
import { createSafetyPlanService } from './safety-plan-service.js'
import { createWorklistService } from './worklist-service.js'

/** 积极干预: cases and their events, plans and sessions, crisis events, the work list. */
export function createCaseServices(gw: Gateway) {
  return {
    cases: createCaseService(gw),
    worklists: createWorklistService(gw),
    page: createCasePageService(gw),
    plans: createPlanService(gw),
    safetyPlans: createSafetyPlanService(gw),
    crisis: createCrisisService(gw),
    safetyAssessments: createSafetyAssessmentService(gw),
    disclosures: createCrisisDisclosureService(gw),
  }
}
