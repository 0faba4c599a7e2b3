import type { Gateway } from '../../access/gateway.js'
import { createDistrictService } from './service.js'

/** 区级汇总: the district's released tables, their history and on-demand releases. */
export function createDistrictServices(gw: Gateway) {
  return createDistrictService(gw)
}
