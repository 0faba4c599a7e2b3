import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import type { MentorContactService, PairingService } from './pairing-service.js'
import {
  MentorContactCreate, MentorContactItem, MentorContactListQuery, PairingCreate, PairingEnd, PairingItem, PairingListQuery, PairingPatch,
} from './pairing-schemas.js'
import { errors, security } from './route-parts.js'

const tags = ['pairing']

/** 师生结对 (step 2): pairings of a mentor teacher with a pupil, and the mentor's contact log. */
const pairingRoutes: FastifyPluginAsyncZod<{ pairings: PairingService; contacts: MentorContactService }> = async (app, { pairings, contacts }) => {
  app.post('/students/:id/pairings', {
    config: { access: { resource: 'pairings', action: 'create' } },
    schema: {
      tags, security, summary: '师生结对 Pair a mentor teacher with a student',
      params: IdParams, body: PairingCreate, response: { 201: PairingItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await pairings.create(contextOf(req), req.params.id, req.body)))

  app.get('/pairings', {
    config: { access: { resource: 'pairings', action: 'list' } },
    schema: {
      tags, security, summary: '结对列表 Pairings (by student, mentor, active)',
      querystring: PairingListQuery, response: { 200: page(PairingItem), ...errors },
    },
  }, async (req) => pairings.list(contextOf(req), req.query))

  app.get('/pairings/:id', {
    config: { access: { resource: 'pairings', action: 'read' } },
    schema: { tags, security, summary: '结对 One pairing', params: IdParams, response: { 200: PairingItem, ...errors } },
  }, async (req) => pairings.get(contextOf(req), req.params.id))

  app.patch('/pairings/:id', {
    config: { access: { resource: 'pairings', action: 'update' } },
    schema: {
      tags, security, summary: '修改结对 Update purpose, frequency, guidance or dates',
      params: IdParams, body: PairingPatch, response: { 200: PairingItem, ...errors },
    },
  }, async (req) => pairings.update(contextOf(req), req.params.id, req.body))

  app.post('/pairings/:id/end', {
    config: { access: { resource: 'pairings', action: 'transition' } },
    schema: {
      tags, security, summary: '结束结对 End a pairing (the mentor’s access ends at once)',
      params: IdParams, body: PairingEnd.nullish(), response: { 200: PairingItem, ...errors },
    },
  }, async (req) => pairings.end(contextOf(req), req.params.id, req.body ?? {}))

  app.post('/pairings/:id/contacts', {
    config: { access: { resource: 'mentor_contacts', action: 'create' } },
    schema: {
      tags, security, summary: '结对联系记录 Log a mentor contact (the pairing’s own mentor, while active)',
      params: IdParams, body: MentorContactCreate, response: { 201: MentorContactItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await contacts.create(contextOf(req), req.params.id, req.body)))

  app.get('/mentor-contacts', {
    config: { access: { resource: 'mentor_contacts', action: 'list' } },
    schema: {
      tags, security, summary: '结对联系记录列表 Mentor contacts (by pairing or student)',
      querystring: MentorContactListQuery, response: { 200: page(MentorContactItem), ...errors },
    },
  }, async (req) => contacts.list(contextOf(req), req.query))
}

export default pairingRoutes
