import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import type { CampaignService } from './campaign-service.js'
import { CampaignCreate, CampaignItem, CampaignListQuery, CampaignPatch, CoverageAnswer, errors, security, tags } from './schemas.js'

const campaignRoutes: FastifyPluginAsyncZod<{ service: CampaignService }> = async (app, { service }) => {
  app.get('/screening/campaigns', {
    config: { access: { resource: 'screening_campaigns', action: 'list' } },
    schema: { tags, security, summary: '测评活动 Campaigns', querystring: CampaignListQuery, response: { 200: page(CampaignItem), ...errors } },
  }, async (req) => service.list(contextOf(req), req.query))

  app.post('/screening/campaigns', {
    config: { access: { resource: 'screening_campaigns', action: 'create' } },
    schema: { tags, security, summary: '新建测评活动 Create a campaign (grades, instruments, window)', body: CampaignCreate, response: { 201: CampaignItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await service.create(contextOf(req), req.body)))

  app.get('/screening/campaigns/:id', {
    config: { access: { resource: 'screening_campaigns', action: 'read' } },
    schema: { tags, security, summary: '测评活动 One campaign', params: IdParams, response: { 200: CampaignItem, ...errors } },
  }, async (req) => service.get(contextOf(req), req.params.id))

  app.patch('/screening/campaigns/:id', {
    config: { access: { resource: 'screening_campaigns', action: 'update' } },
    schema: { tags, security, summary: '修改测评活动 Update a campaign (window, status …)', params: IdParams, body: CampaignPatch, response: { 200: CampaignItem, ...errors } },
  }, async (req) => service.update(contextOf(req), req.params.id, req.body))

  app.get('/screening/campaigns/:id/coverage', {
    config: { access: { resource: 'screening_campaigns', action: 'read' } },
    schema: { tags, security, summary: '测评覆盖率 Coverage per class (screened / enrolled)', params: IdParams, response: { 200: CoverageAnswer, ...errors } },
  }, async (req) => service.coverage(contextOf(req), req.params.id))
}

export default campaignRoutes
