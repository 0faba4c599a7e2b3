import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import calendarRoutes from './calendar-routes.js'
import classRoutes from './class-routes.js'
import studentRoutes from './student-routes.js'
import transferRoutes from './transfer-routes.js'
import userRoutes from './user-routes.js'
import rolloverRoutes from './rollover-routes.js'

/**
 * 名册: grades, classes, students, guardians, staff accounts and roles, the
 * school calendar, and the roster's import and export. Mounted at /api/v1 without a prefix.
 */
const rosterRoutes: FastifyPluginAsyncZod = async (app) => {
  const s = app.services.roster
  await app.register(classRoutes, { service: s.classes })
  await app.register(studentRoutes, { students: s.students, guardians: s.guardians })
  await app.register(userRoutes, { service: s.users })
  await app.register(calendarRoutes, { service: s.calendar })
  await app.register(transferRoutes, { imports: s.imports, exports: s.exports })
  await app.register(rolloverRoutes, { service: s.rollover })
}

export default rosterRoutes
