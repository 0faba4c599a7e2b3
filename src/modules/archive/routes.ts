import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ErrorSchema, IdParams } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'

const TimelineItem = z.object({
  kind: z.string(),
  step: z.string(),
  resource: z.string(),
  id: z.string(),
  at: z.string(),
  schoolYear: z.string(),
  data: z.record(z.string(), z.unknown()),
})

const archiveRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = app.services.archive
  app.get('/students/:id/archive', {
    config: { access: { resource: 'students', action: 'read' } },
    schema: {
      tags: ['archive'], summary: '心理成长档案 A student’s archive timeline', security: [{ bearer: [] }],
      params: IdParams,
      response: {
        200: z.object({ student: z.record(z.string(), z.unknown()), items: z.array(TimelineItem) }),
        401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema,
      },
    },
  }, async (req) => service.archive(contextOf(req), req.params.id))
}

export default archiveRoutes
