import type { Gateway } from '../../access/gateway.js'
import { createBarometerService } from './barometer-service.js'
import { createLetterboxAdminService } from './letterbox-admin-service.js'
import { createLetterboxPublicService } from './letterbox-public-service.js'
import { createLetterService } from './letter-service.js'
import { createRoomService } from './room-service.js'
import { createStaffService } from './staff-service.js'

/** 解忧树洞 (letters, the box, its public side), 心理晴雨表, 心理辅导室 and the psychology staff. */
export function createPracticeServices(gw: Gateway) {
  return {
    letters: createLetterService(gw),
    letterboxAdmin: createLetterboxAdminService(gw),
    letterboxPublic: createLetterboxPublicService(gw),
    barometer: createBarometerService(gw),
    room: createRoomService(gw),
    staff: createStaffService(gw),
  }
}
