import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import type { CareListService } from './care-list-service.js'
import { CareCreate, CareItem, CareListQuery, CarePatch, CareRemove, errors, security, tags } from './schemas.js'

const careListRoutes: FastifyPluginAsyncZod<{ service: CareListService }> = async (app, { service }) => {
  app.get('/care-list', {
    config: { access: { resource: 'care_list', action: 'list' } },
    schema: {
      tags, security, summary: '关注名单 Care list (homeroom: own class; mentor: paired students; guidance only)',
      querystring: CareListQuery, response: { 200: page(CareItem), ...errors },
    },
  }, async (req) => service.list(contextOf(req), req.query))

  app.get('/care-list/:id', {
    config: { access: { resource: 'care_list', action: 'read' } },
    schema: { tags, security, summary: '关注名单 One entry', params: IdParams, response: { 200: CareItem, ...errors } },
  }, async (req) => service.get(contextOf(req), req.params.id))

  app.post('/students/:id/care-list', {
    config: { access: { resource: 'care_list', action: 'create' } },
    schema: {
      tags, security, summary: '加入关注名单 Put a student on the care list (with or without a screening)',
      params: IdParams, body: CareCreate, response: { 201: CareItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await service.create(contextOf(req), req.params.id, req.body)))

  app.patch('/care-list/:id', {
    config: { access: { resource: 'care_list', action: 'update' } },
    schema: { tags, security, summary: '修改关注名单 Update risk, reason or guidance', params: IdParams, body: CarePatch, response: { 200: CareItem, ...errors } },
  }, async (req) => service.update(contextOf(req), req.params.id, req.body))

  app.post('/care-list/:id/remove', {
    config: { access: { resource: 'care_list', action: 'update' } },
    schema: { tags, security, summary: '移出关注名单 Take a student off the list, with a reason', params: IdParams, body: CareRemove, response: { 200: CareItem, ...errors } },
  }, async (req) => service.remove(contextOf(req), req.params.id, req.body))
}

export default careListRoutes
