import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import type { ResponseService } from './response-service.js'
import { errors, ResponseConfirm, ResponseCreate, ResponseItem, ResponseListQuery, security, tags } from './schemas.js'

const responseRoutes: FastifyPluginAsyncZod<{ service: ResponseService }> = async (app, { service }) => {
  app.post('/screening/campaigns/:id/responses', {
    config: { access: { resource: 'screening_responses', action: 'create' } },
    schema: {
      tags, security, summary: '录入测评结果 Enter one response (scored on the server)',
      description: 'A safety item crossed (PHQ item 9 ≥ 1) opens a crisis event in the same transaction; its id comes back as crisisEventId.',
      params: IdParams, body: ResponseCreate, response: { 201: ResponseItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await service.create(contextOf(req), req.params.id, req.body)))

  app.get('/screening/campaigns/:id/responses', {
    config: { access: { resource: 'screening_responses', action: 'list' } },
    schema: { tags, security, summary: '测评结果 Responses of a campaign', params: IdParams, querystring: ResponseListQuery, response: { 200: page(ResponseItem), ...errors } },
  }, async (req) => service.listOfCampaign(contextOf(req), req.params.id, req.query))

  app.get('/screening/responses/:id', {
    config: { access: { resource: 'screening_responses', action: 'read' } },
    schema: { tags, security, summary: '测评结果 One response', params: IdParams, response: { 200: ResponseItem, ...errors } },
  }, async (req) => service.get(contextOf(req), req.params.id))

  app.patch('/screening/responses/:id', {
    config: { access: { resource: 'screening_responses', action: 'update' } },
    schema: {
      tags, security, summary: '确认风险等级 Confirm or change the suggested risk (a change needs a reason)',
      params: IdParams, body: ResponseConfirm, response: { 200: ResponseItem, ...errors },
    },
  }, async (req) => service.confirm(contextOf(req), req.params.id, req.body))
}

export default responseRoutes
