import type { Gateway } from '../../access/gateway.js'
import { createDutyService } from './duty-service.js'
import { createLogService } from './log-service.js'
import { createRulesService } from './rules-service.js'

/** 三个必谈: rules, generated duties, talk logs and completion. */
export function createTalkServices(gw: Gateway) {
  return { rules: createRulesService(gw), duties: createDutyService(gw), logs: createLogService(gw) }
}
