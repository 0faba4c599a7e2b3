import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import alertRoutes from './alert-routes.js'
import watchRoutes from './alert-watch-routes.js'
import activityRoutes from './parent-activity-routes.js'
import parentContactRoutes from './parent-contact-routes.js'
import pairingRoutes from './pairing-routes.js'
import institutionRoutes from './referral-institution-routes.js'
import referralRoutes from './referral-routes.js'
import teamRoutes from './team-routes.js'

/**
 * Steps 2, 4, 5 and 6 of the six-step method: 师生结对, 同伴跟防, 家校协同, 及时转介.
 * Mounted at /api/v1 without a prefix.
 */
const supportRoutes: FastifyPluginAsyncZod = async (app) => {
  const s = app.services.support
  await app.register(pairingRoutes, { pairings: s.pairings, contacts: s.mentorContacts })
  await app.register(teamRoutes, { teams: s.teams })
  await app.register(alertRoutes, { alerts: s.alerts })
  await app.register(watchRoutes, { watch: s.watch })
  await app.register(parentContactRoutes, { contacts: s.parentContacts })
  await app.register(activityRoutes, { activities: s.activities })
  await app.register(institutionRoutes, { institutions: s.institutions })
  await app.register(referralRoutes, { referrals: s.referrals, forms: s.referralForms })
}

export default supportRoutes
