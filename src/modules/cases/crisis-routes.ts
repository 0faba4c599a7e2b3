import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import type { CrisisService } from './crisis-service.js'
import { ChecklistItem, ChecklistTick, CrisisCreate, CrisisItem, CrisisListQuery, CrisisPatch, EmptyBody, errors, security, tags } from './schemas.js'

const crisisRoutes: FastifyPluginAsyncZod<{ service: CrisisService }> = async (app, { service }) => {
  app.get('/crisis-events', {
    config: { access: { resource: 'crisis_events', action: 'list' } },
    schema: { tags, security, summary: '危机事件 Crisis events (status, student)', querystring: CrisisListQuery, response: { 200: page(CrisisItem), ...errors } },
  }, async (req) => service.list(contextOf(req), req.query))

  app.get('/crisis-events/:id', {
    config: { access: { resource: 'crisis_events', action: 'read' } },
    schema: {
      tags, security, summary: '危机事件 One event with its deadline, escalation and checklist',
      params: IdParams, response: { 200: CrisisItem, ...errors },
    },
  }, async (req) => service.get(contextOf(req), req.params.id))

  app.post('/students/:id/crisis-events', {
    config: { access: { resource: 'crisis_events', action: 'create' } },
    schema: {
      tags, security, summary: '开启危机事件 Open a crisis event by hand (acknowledgement deadline CRISIS_ACK_MINUTES)',
      params: IdParams, body: CrisisCreate, response: { 201: CrisisItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await service.create(contextOf(req), req.params.id, req.body)))

  app.patch('/crisis-events/:id', {
    config: { access: { resource: 'crisis_events', action: 'update' } },
    schema: { tags, security, summary: '修改危机事件 Link a case or update the summary', params: IdParams, body: CrisisPatch, response: { 200: CrisisItem, ...errors } },
  }, async (req) => service.update(contextOf(req), req.params.id, req.body))

  app.post('/crisis-events/:id/acknowledge', {
    config: { access: { resource: 'crisis_events', action: 'transition' } },
    schema: { tags, security, summary: '确认接收 Acknowledge (stops escalation)', params: IdParams, body: EmptyBody, response: { 200: CrisisItem, ...errors } },
  }, async (req) => service.acknowledge(contextOf(req), req.params.id))

  app.post('/crisis-events/:id/resolve', {
    config: { access: { resource: 'crisis_events', action: 'transition' } },
    schema: { tags, security, summary: '处置完成 Resolve (acknowledged, checklist complete)', params: IdParams, body: EmptyBody, response: { 200: CrisisItem, ...errors } },
  }, async (req) => service.resolve(contextOf(req), req.params.id))

  app.post('/crisis-events/:id/checklist', {
    config: { access: { resource: 'crisis_checklist', action: 'create' } },
    schema: {
      tags, security,
      summary: '处置清单打勾 Tick a first step: parent_notified 家长已通知 · escort 专人陪护 · safety_assessment 安全评估完成 · leader_informed 已报告学校领导 · referral_considered 已考虑转介',
      params: IdParams, body: ChecklistTick, response: { 201: ChecklistItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await service.tick(contextOf(req), req.params.id, req.body)))
}

export default crisisRoutes
