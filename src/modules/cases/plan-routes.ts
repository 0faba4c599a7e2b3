import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { IdParams } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import type { PlanService } from './plan-service.js'
import { errors, PlanCreate, PlanItem, PlanPatch, security, SessionCreate, SessionItem, SessionPatch, tags } from './schemas.js'

const planRoutes: FastifyPluginAsyncZod<{ service: PlanService }> = async (app, { service }) => {
  app.post('/cases/:id/plan', {
    config: { access: { resource: 'intervention_plans', action: 'create' } },
    schema: { tags, security, summary: '干预方案 Write the case’s plan (goals, measures, review date)', params: IdParams, body: PlanCreate, response: { 201: PlanItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await service.createPlan(contextOf(req), req.params.id, req.body)))

  app.get('/cases/:id/plan', {
    config: { access: { resource: 'intervention_plans', action: 'read' } },
    schema: { tags, security, summary: '干预方案 The case’s plan', params: IdParams, response: { 200: PlanItem, ...errors } },
  }, async (req) => service.planOfCase(contextOf(req), req.params.id))

  app.patch('/plans/:id', {
    config: { access: { resource: 'intervention_plans', action: 'update' } },
    schema: { tags, security, summary: '修改干预方案 Update a plan', params: IdParams, body: PlanPatch, response: { 200: PlanItem, ...errors } },
  }, async (req) => service.updatePlan(contextOf(req), req.params.id, req.body))

  app.post('/cases/:id/sessions', {
    config: { access: { resource: 'counselling_sessions', action: 'create' } },
    schema: {
      tags, security, summary: '辅导记录 Record an individual or group session (date, duration, notes, re-assessment)',
      params: IdParams, body: SessionCreate, response: { 201: SessionItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await service.createSession(contextOf(req), req.params.id, req.body)))

  app.get('/cases/:id/sessions', {
    config: { access: { resource: 'counselling_sessions', action: 'list' } },
    schema: {
      tags, security, summary: '辅导记录 Sessions of a case',
      params: IdParams, response: { 200: z.object({ items: z.array(SessionItem), total: z.number() }), ...errors },
    },
  }, async (req) => service.sessionsOfCase(contextOf(req), req.params.id))

  app.get('/sessions/:id', {
    config: { access: { resource: 'counselling_sessions', action: 'read' } },
    schema: { tags, security, summary: '辅导记录 One session', params: IdParams, response: { 200: SessionItem, ...errors } },
  }, async (req) => service.getSession(contextOf(req), req.params.id))

  app.patch('/sessions/:id', {
    config: { access: { resource: 'counselling_sessions', action: 'update' } },
    schema: { tags, security, summary: '修改辅导记录 Update a session', params: IdParams, body: SessionPatch, response: { 200: SessionItem, ...errors } },
  }, async (req) => service.updateSession(contextOf(req), req.params.id, req.body))
}

export default planRoutes
