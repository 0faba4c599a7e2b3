import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { createAlertService } from './alert-service.js'
import alertRoutes from './alert-routes.js'
import { createWatchService } from './alert-watch-service.js'
import watchRoutes from './alert-watch-routes.js'
import { createMentorContactService, createPairingService } from './pairing-service.js'
import { createActivityService } from './parent-activity-service.js'
import activityRoutes from './parent-activity-routes.js'
import { createParentContactService } from './parent-contact-service.js'
import parentContactRoutes from './parent-contact-routes.js'
import pairingRoutes from './pairing-routes.js'
import { createReferralFormService } from './referral-form.js'
import { createInstitutionService } from './referral-institution-service.js'
import institutionRoutes from './referral-institution-routes.js'
import referralRoutes from './referral-routes.js'
import { createReferralService } from './referral-service.js'
import type { SupportDeps } from './support-access.js'

/**
 * Steps 2, 4, 5 and 6 of the six-step method: 师生结对, 同伴跟防, 家校协同, 及时转介.
 * Mounted at /api/v1 without a prefix.
 */
const supportRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: SupportDeps = { database: app.database, policies: app.policies, config: app.config }
  await app.register(pairingRoutes, { pairings: createPairingService(deps), contacts: createMentorContactService(deps) })
  await app.register(alertRoutes, { alerts: createAlertService(deps) })
  await app.register(watchRoutes, { watch: createWatchService(deps) })
  await app.register(parentContactRoutes, { contacts: createParentContactService(deps) })
  await app.register(activityRoutes, { activities: createActivityService(deps) })
  await app.register(institutionRoutes, { institutions: createInstitutionService(deps) })
  await app.register(referralRoutes, { referrals: createReferralService(deps), forms: createReferralFormService(deps) })
}

export default supportRoutes
