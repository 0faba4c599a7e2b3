import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import campaignRoutes from './campaign-routes.js'
import { createCampaignService } from './campaign-service.js'
import careListRoutes from './care-list-routes.js'
import { createCareListService } from './care-list-service.js'
import instrumentRoutes from './instrument-routes.js'
import { createInstrumentService } from './instrument-service.js'
import type { ModuleDeps } from './module-access.js'
import importRoutes from './import-routes.js'
import { createImportService } from './import-service.js'
import { ensureBuiltInInstruments } from './repository.js'
import responseRoutes from './response-routes.js'
import { createResponseService } from './response-service.js'

/**
 * 测评建档 (issue 4): instruments, campaigns, responses (one by one or imported), the care
 * list. Mounted at /api/v1 without a prefix.
 */
const screeningRoutes: FastifyPluginAsyncZod = async (app) => {
  // Built-in instruments exist in every database: inserted idempotently when the app is built.
  await ensureBuiltInInstruments(app.database.db)
  const deps: ModuleDeps = { database: app.database, policies: app.policies, config: app.config }
  await app.register(instrumentRoutes, { service: createInstrumentService(deps) })
  await app.register(campaignRoutes, { service: createCampaignService(deps) })
  await app.register(responseRoutes, { service: createResponseService(deps) })
  await app.register(careListRoutes, { service: createCareListService(deps) })
  await app.register(importRoutes, { service: createImportService(deps, app.log) })
}

export default screeningRoutes
