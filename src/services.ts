import type { FastifyBaseLogger } from 'fastify'
import { Gateway, type AccessDeps } from './access/gateway.js'
import { createArchiveServices } from './modules/archive/services.js'
import { createAuditServices } from './modules/audit/services.js'
import { createCaseServices } from './modules/cases/services.js'
import { createDistrictServices } from './modules/district/services.js'
import { createEscalationService } from './modules/escalation/service.js'
import { createNotificationService } from './modules/notifications/service.js'
import { createChannelService } from './modules/outbox/channel-service.js'
import { createLessonServices } from './modules/inspection/lessons-services.js'
import { createPracticeServices } from './modules/practices/services.js'
import { createInspectionRecordsService } from './modules/inspection/records-service.js'
import { createRosterServices } from './modules/roster/services.js'
import { createScreeningServices } from './modules/screening/services.js'
import { createSupportServices } from './modules/support/services.js'
import { createTalkServices } from './modules/talks/services.js'
import { createSelfCheckService } from './modules/inspection/self-check/service.js'
import { createRectificationService } from './modules/inspection/rectification-service.js'
import { createRectificationDistrictService } from './modules/inspection/rectification-district.js'
import { createComplianceService } from './modules/compliance/service.js'
import { createTransferService } from './modules/transfers/transfer-service.js'

/**
 * The composition root: every service is built here, once, from the access gateway (which
 * holds the database, the policies and the configuration). Routes take their services from
 * `app.services`; nothing else constructs a service.
 */
export function createServices(deps: AccessDeps, log: FastifyBaseLogger, clock: () => Date = () => new Date()) {
  const gw = new Gateway(deps)
  return {
    gateway: gw,
    roster: createRosterServices(gw),
    screening: createScreeningServices(gw, log),
    cases: createCaseServices(gw),
    support: createSupportServices(gw),
    lessons: createLessonServices(gw),
    talks: createTalkServices(gw),
    notifications: createNotificationService(gw),
    channels: createChannelService(gw),
    practices: createPracticeServices(gw),
    inspectionRecords: createInspectionRecordsService(gw),
    archive: createArchiveServices(gw),
    audit: createAuditServices(gw),
    district: createDistrictServices(gw),
    escalation: createEscalationService(gw),
    selfCheck: createSelfCheckService(gw),
    rectification: createRectificationService(gw, clock),
    rectificationDistrict: createRectificationDistrictService(gw),
    compliance: createComplianceService(gw, clock),
    transfers: createTransferService(gw, clock),
  }
}

export type Services = ReturnType<typeof createServices>

declare module 'fastify' {
  interface FastifyInstance {
    services: Services
  }
}
