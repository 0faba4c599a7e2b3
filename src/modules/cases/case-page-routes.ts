import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import { CasePage } from './case-page-schemas.js'
import type { CasePageService } from './case-page-service.js'
import { errors, security, tags } from './schemas.js'

const casePageRoutes: FastifyPluginAsyncZod<{ service: CasePageService }> = async (app, { service }) => {
  app.get('/cases/:id/page', {
    config: { access: { resource: 'cases', action: 'read' } },
    schema: {
      tags, security,
      summary: '个案页 The case with its plan, sessions, events, crisis events, pairings, parent contacts and referrals (each part as its own route gives it; one audited read)',
      params: IdParams, response: { 200: CasePage, ...errors },
    },
  }, async (req) => service.page(contextOf(req), req.params.id, req.locale))
}

export default casePageRoutes
