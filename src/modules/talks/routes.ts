import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import {
  ComplianceList, ComplianceQuery, DutyItem, DutyListQuery, errors, LogCreate, LogCreated, LogItem, LogListQuery,
  RuleList, RulesPut, security, tags,
} from './schemas.js'

/** 三个必谈: rules, generated duties, talk logs and compliance. Mounted at /api/v1. */
const talksRoutes: FastifyPluginAsyncZod = async (app) => {
  const { rules, duties, logs } = app.services.talks

  app.get('/talks/rules', {
    config: { access: { resource: 'talk_rules', action: 'list' } },
    schema: { tags, security, summary: '三个必谈规则 Talk rules in force', response: { 200: RuleList, ...errors } },
  }, async (req) => rules.list(contextOf(req)))

  app.put('/talks/rules', {
    config: { access: { resource: 'talk_rules', action: 'update' } },
    schema: { tags, security, summary: '设置三个必谈规则 Set talk rules', body: RulesPut, response: { 200: RuleList, ...errors } },
  }, async (req) => rules.put(contextOf(req), req.body))

  app.get('/talks/duties', {
    config: { access: { resource: 'talk_duties', action: 'list' } },
    schema: {
      tags, security, summary: '必谈任务 Talk duties (status=open,overdue for what is due)',
      querystring: DutyListQuery, response: { 200: page(DutyItem), ...errors },
    },
  }, async (req) => duties.list(contextOf(req), req.query))

  app.get('/talks/compliance', {
    config: { access: { resource: 'talk_duties', action: 'list' } },
    schema: {
      tags, security, summary: '必谈完成率 Compliance per class and window',
      querystring: ComplianceQuery, response: { 200: ComplianceList, ...errors },
    },
  }, async (req) => duties.compliance(contextOf(req), req.query))

  app.post('/talks/logs', {
    config: { access: { resource: 'talk_logs', action: 'create' } },
    schema: { tags, security, summary: '记录谈话 Log a talk', body: LogCreate, response: { 201: LogCreated, ...errors } },
  }, async (req, reply) => reply.status(201).send(await logs.create(contextOf(req), req.body)))

  app.get('/talks/logs', {
    config: { access: { resource: 'talk_logs', action: 'list' } },
    schema: { tags, security, summary: '谈话记录 Talk logs', querystring: LogListQuery, response: { 200: page(LogItem), ...errors } },
  }, async (req) => logs.list(contextOf(req), req.query))

  app.get('/talks/logs/:id', {
    config: { access: { resource: 'talk_logs', action: 'read' } },
    schema: { tags, security, summary: '谈话记录详情 A talk log', params: IdParams, response: { 200: LogItem, ...errors } },
  }, async (req) => logs.get(contextOf(req), req.params.id))
}

export default talksRoutes
