import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import campaignRoutes from './campaign-routes.js'
import careListRoutes from './care-list-routes.js'
import consentRoutes from './consent-routes.js'
import instrumentRoutes from './instrument-routes.js'
import importRoutes from './import-routes.js'
import { ensureBuiltInInstruments } from './repository.js'
import responseRoutes from './response-routes.js'

/**
 * 测评建档: instruments, campaigns, consent, responses (one by one or imported), the care
 * list. Mounted at /api/v1 without a prefix.
 */
const screeningRoutes: FastifyPluginAsyncZod = async (app) => {
  // Built-in instruments exist in every database: inserted idempotently when the app is built.
  await ensureBuiltInInstruments(app.database.db)
  const s = app.services.screening
  await app.register(instrumentRoutes, { service: s.instruments })
  await app.register(campaignRoutes, { service: s.campaigns })
  await app.register(responseRoutes, { service: s.responses })
  await app.register(careListRoutes, { service: s.careList })
  await app.register(importRoutes, { service: s.imports })
  await app.register(consentRoutes, { service: s.consents })
}

export default screeningRoutes
