import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { createCalendarService } from './calendar-service.js'
import { createClassService } from './class-service.js'
import { createExportService } from './export-service.js'
import { createGuardianService } from './guardian-service.js'
import { createImportService } from './import-service.js'
import { createStudentService } from './student-service.js'
import { createUserService } from './user-service.js'
import type { RosterDeps } from './record-access.js'
import calendarRoutes from './calendar-routes.js'
import classRoutes from './class-routes.js'
import studentRoutes from './student-routes.js'
import transferRoutes from './transfer-routes.js'
import userRoutes from './user-routes.js'
import rolloverRoutes from './rollover-routes.js'
import { createRolloverService } from './rollover-service.js'

/**
 * 名册 (issue 2 item 4): grades, classes, students, guardians, staff accounts and roles, the
 * school calendar, and the roster's import and export. Mounted at /api/v1 without a prefix.
 */
const rosterRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: RosterDeps = { database: app.database, policies: app.policies, config: app.config }
  await app.register(classRoutes, { service: createClassService(deps) })
  await app.register(studentRoutes, { students: createStudentService(deps), guardians: createGuardianService(deps) })
  await app.register(userRoutes, { service: createUserService(deps) })
  await app.register(calendarRoutes, { service: createCalendarService(deps) })
  await app.register(transferRoutes, { imports: createImportService(deps), exports: createExportService(deps) })
  await app.register(rolloverRoutes, { service: createRolloverService(deps) })
}

export default rosterRoutes
