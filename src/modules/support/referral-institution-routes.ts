import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import {
  InstitutionCreate, InstitutionItem, InstitutionListQuery, InstitutionPatch,
} from './referral-institution-schemas.js'
import type { InstitutionService } from './referral-institution-service.js'
import { errors, security } from './route-parts.js'

const tags = ['referral']

/** 转介机构名录 (step 6): the institutions a school refers to. */
const institutionRoutes: FastifyPluginAsyncZod<{ institutions: InstitutionService }> = async (app, { institutions }) => {
  app.post('/institutions', {
    config: { access: { resource: 'institutions', action: 'create' } },
    schema: { tags, security, summary: '新增转介机构 Add an institution', body: InstitutionCreate, response: { 201: InstitutionItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await institutions.create(contextOf(req), req.body)))

  app.get('/institutions', {
    config: { access: { resource: 'institutions', action: 'list' } },
    schema: { tags, security, summary: '转介机构名录 Institutions', querystring: InstitutionListQuery, response: { 200: page(InstitutionItem), ...errors } },
  }, async (req) => institutions.list(contextOf(req), req.query))

  app.get('/institutions/:id', {
    config: { access: { resource: 'institutions', action: 'read' } },
    schema: { tags, security, summary: '转介机构 One institution', params: IdParams, response: { 200: InstitutionItem, ...errors } },
  }, async (req) => institutions.get(contextOf(req), req.params.id))

  app.patch('/institutions/:id', {
    config: { access: { resource: 'institutions', action: 'update' } },
    schema: { tags, security, summary: '修改转介机构 Update an institution', params: IdParams, body: InstitutionPatch, response: { 200: InstitutionItem, ...errors } },
  }, async (req) => institutions.update(contextOf(req), req.params.id, req.body))
}

export default institutionRoutes
