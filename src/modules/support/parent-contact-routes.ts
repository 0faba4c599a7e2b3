import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import { ParentContactCreate, ParentContactItem, ParentContactListQuery, ParentContactPatch } from './parent-contact-schemas.js'
import type { ParentContactService } from './parent-contact-service.js'
import { errors, security } from './route-parts.js'

const tags = ['parents']

/** 家校协同 (step 5): contacts with parents, consent to referral, and why parents were not told. */
const parentContactRoutes: FastifyPluginAsyncZod<{ contacts: ParentContactService }> = async (app, { contacts }) => {
  app.post('/students/:id/parent-contacts', {
    config: { access: { resource: 'parent_contacts', action: 'create' } },
    schema: {
      tags, security, summary: '家校沟通记录 Log a contact with the parents (or that they were deliberately not told, with the reason)',
      params: IdParams, body: ParentContactCreate, response: { 201: ParentContactItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await contacts.create(contextOf(req), req.params.id, req.body)))

  app.get('/parent-contacts', {
    config: { access: { resource: 'parent_contacts', action: 'list' } },
    schema: {
      tags, security, summary: '家校沟通列表 Parent contacts (homeroom teachers: channel and date only)',
      querystring: ParentContactListQuery, response: { 200: page(ParentContactItem), ...errors },
    },
  }, async (req) => contacts.list(contextOf(req), req.query))

  app.get('/parent-contacts/:id', {
    config: { access: { resource: 'parent_contacts', action: 'read' } },
    schema: { tags, security, summary: '家校沟通记录 One parent contact', params: IdParams, response: { 200: ParentContactItem, ...errors } },
  }, async (req) => contacts.get(contextOf(req), req.params.id))

  app.patch('/parent-contacts/:id', {
    config: { access: { resource: 'parent_contacts', action: 'update' } },
    schema: {
      tags, security, summary: '修改家校沟通记录 Update a parent contact (psychology teachers)',
      params: IdParams, body: ParentContactPatch, response: { 200: ParentContactItem, ...errors },
    },
  }, async (req) => contacts.update(contextOf(req), req.params.id, req.body))
}

export default parentContactRoutes
