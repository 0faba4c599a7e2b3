import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import type { CaseService } from './case-service.js'
import { CaseCreate, CaseEventItem, CaseItem, CaseListQuery, CasePatch, CaseTransition, errors, security, tags, Worklist } from './schemas.js'
import type { WorklistService } from './worklist-service.js'

const caseRoutes: FastifyPluginAsyncZod<{ service: CaseService; worklists: WorklistService }> = async (app, { service, worklists }) => {
  app.get('/cases', {
    config: { access: { resource: 'cases', action: 'list' } },
    schema: { tags, security, summary: '个案 Cases (state, risk, student, mine)', querystring: CaseListQuery, response: { 200: page(CaseItem), ...errors } },
  }, async (req) => service.list(contextOf(req), req.query))

  app.get('/cases/:id', {
    config: { access: { resource: 'cases', action: 'read' } },
    schema: { tags, security, summary: '个案 One case', params: IdParams, response: { 200: CaseItem, ...errors } },
  }, async (req) => service.get(contextOf(req), req.params.id))

  app.post('/students/:id/cases', {
    config: { access: { resource: 'cases', action: 'create' } },
    schema: {
      tags, security, summary: '开案 Open a case for a student (source, risk 红/橙/黄/绿)',
      params: IdParams, body: CaseCreate, response: { 201: CaseItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await service.create(contextOf(req), req.params.id, req.body)))

  app.patch('/cases/:id', {
    config: { access: { resource: 'cases', action: 'update' } },
    schema: {
      tags, security, summary: '修改个案 Summary or risk level (a risk change needs a reason)',
      params: IdParams, body: CasePatch, response: { 200: CaseItem, ...errors },
    },
  }, async (req) => service.update(contextOf(req), req.params.id, req.body))

  app.post('/cases/:id/transition', {
    config: { access: { resource: 'cases', action: 'transition' } },
    schema: {
      tags, security, summary: '个案状态变更 open → intervening → monitoring → closed (reopen allowed), with a reason',
      params: IdParams, body: CaseTransition, response: { 200: CaseItem, ...errors },
    },
  }, async (req) => service.transition(contextOf(req), req.params.id, req.body))

  app.get('/cases/:id/events', {
    config: { access: { resource: 'case_events', action: 'list' } },
    schema: {
      tags, security, summary: '个案记录 Who changed what, when and why',
      params: IdParams, response: { 200: z.object({ items: z.array(CaseEventItem), total: z.number() }), ...errors },
    },
  }, async (req) => service.events(contextOf(req), req.params.id))

  app.get('/worklist', {
    config: { access: { resource: 'cases', action: 'list' } },
    schema: {
      tags, security, summary: '工作清单 My open cases by risk, reviews due within 7 days, unacknowledged crisis events',
      response: { 200: Worklist, ...errors },
    },
  }, async (req) => worklists.worklist(contextOf(req)))
}

export default caseRoutes
