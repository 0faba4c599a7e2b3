import type { Gateway } from '../../access/gateway.js'
import { createActivityService } from './lessons-activities-service.js'
import { createLessonService } from './lessons-service.js'

/** 课程与活动: lesson records per class and the school's themed activities. */
export function createLessonServices(gw: Gateway) {
  return { lessons: createLessonService(gw), activities: createActivityService(gw) }
}
