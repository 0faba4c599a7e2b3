import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ErrorSchema, IdParams } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import { createSecondFactorAdmin } from './second-factor-admin.js'
import { SchoolSecondFactorBody, SchoolSecondFactorSchema } from './schemas.js'

/** The school admin's side of second factors: a colleague's reset, the school's requirement. */
const secondFactorAdminRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = createSecondFactorAdmin(app.services.gateway)
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema }
  const tags = ['accounts']
  const security = [{ bearer: [] }]

  app.post('/users/:id/second-factor-reset', {
    config: { access: { resource: 'users', action: 'update' } },
    schema: {
      tags, security, params: IdParams, response: { 204: z.null(), ...errors },
      summary: '重置二次验证 Remove a colleague\'s second factor (a lost phone): their logins end, they are notified, and set up a new one where it is required',
    },
  }, async (req, reply) => {
    await service.reset(contextOf(req), req.params.id)
    return reply.status(204).send(null)
  })

  app.get('/school/second-factor', {
    config: { access: { resource: 'school_profile', action: 'read' } },
    schema: { tags, security, summary: '本校二次验证要求 Whether the school requires a second factor', response: { 200: SchoolSecondFactorSchema, ...errors } },
  }, async (req) => service.schoolSetting(contextOf(req)))

  app.put('/school/second-factor', {
    config: { access: { resource: 'school_profile', action: 'update' } },
    schema: {
      tags, security, body: SchoolSecondFactorBody, response: { 200: SchoolSecondFactorSchema, ...errors },
      summary: '设置本校二次验证要求 Require a second factor of psychology teachers and admins (true), not (false), or follow the deployment (null)',
    },
  }, async (req) => service.setSchoolSetting(contextOf(req), req.body.required))
}

export default secondFactorAdminRoutes
