import type { Gateway } from '../../access/gateway.js'
import { createAuditService } from './service.js'

/** The audit chain's check and the "who accessed this student" view. */
export function createAuditServices(gw: Gateway) {
  return createAuditService(gw)
}
