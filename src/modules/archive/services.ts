import type { Gateway } from '../../access/gateway.js'
import { createArchiveService } from './service.js'

/** 心理成长档案: one timeline of a student's records, each read through the caller's policy. */
export function createArchiveServices(gw: Gateway) {
  return createArchiveService(gw)
}
