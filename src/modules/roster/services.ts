import type { Gateway } from '../../access/gateway.js'
import { createCalendarService } from './calendar-service.js'
import { createClassService } from './class-service.js'
import { createExportService } from './export-service.js'
import { createGuardianService } from './guardian-service.js'
import { createImportService } from './import-service.js'
import { createRolloverService } from './rollover-service.js'
import { createStudentService } from './student-service.js'
import { createUserService } from './user-service.js'

/** 名册: grades, classes, students, guardians, accounts and roles, the calendar, import and export, 升年级. */
export function createRosterServices(gw: Gateway) {
  return {
    classes: createClassService(gw),
    students: createStudentService(gw),
    guardians: createGuardianService(gw),
    users: createUserService(gw),
    calendar: createCalendarService(gw),
    imports: createImportService(gw),
    exports: createExportService(gw),
    rollover: createRolloverService(gw),
  }
}
