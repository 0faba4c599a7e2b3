import type { FastifyBaseLogger } from 'fastify'
import type { Gateway } from '../../access/gateway.js'
import { createCampaignService } from './campaign-service.js'
import { createCareListService } from './care-list-service.js'
import { createConsentService } from './consent-service.js'
import { createImportService } from './import-service.js'
import { createInstrumentService } from './instrument-service.js'
import { createResponseService } from './response-service.js'

/** 测评建档: instruments, campaigns, responses (one by one or imported), the care list. */
export function createScreeningServices(gw: Gateway, log: FastifyBaseLogger) {
  return {
    instruments: createInstrumentService(gw),
    campaigns: createCampaignService(gw),
    responses: createResponseService(gw),
    careList: createCareListService(gw),
    consents: createConsentService(gw),
    imports: createImportService(gw, log),
  }
}
