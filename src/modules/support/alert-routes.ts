import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { ErrorSchema, IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import { ALERT_RATE_LIMIT } from './alert-rules.js'
import { AlertAcknowledge, AlertCreate, AlertHandle, AlertItem, AlertListQuery } from './alert-schemas.js'
import type { AlertService } from './alert-service.js'
import { errors, security } from './route-parts.js'

const tags = ['peer']

/** 同伴跟防 (step 4): monitors' alerts, the psychology teachers' inbox and its triage. */
const alertRoutes: FastifyPluginAsyncZod<{ alerts: AlertService }> = async (app, { alerts }) => {
  app.post('/peer-alerts', {
    config: {
      access: { resource: 'peer_alerts', action: 'create' },
      // Per monitor, counted after authentication, validation and the access decision, so only
      // a monitor's well-formed submissions (including ones about pupils they cannot reach) count.
      rateLimit: {
        ...ALERT_RATE_LIMIT,
        hook: 'preHandler',
        keyGenerator: (req) => `peer-alert:${req.actor?.userId ?? req.ip}`,
      },
    },
    schema: {
      tags, security, summary: '心理委员预警 A monitor reports a classmate (own class only)',
      body: AlertCreate, response: { 201: AlertItem, ...errors, 429: ErrorSchema },
    },
  }, async (req, reply) => reply.status(201).send(await alerts.create(contextOf(req), req.body, req.locale)))

  app.get('/peer-alerts', {
    config: { access: { resource: 'peer_alerts', action: 'list' } },
    schema: {
      tags, security, summary: '预警收件箱 Alerts: the psychology teachers’ inbox, or a monitor’s own submissions',
      querystring: AlertListQuery, response: { 200: page(AlertItem), ...errors },
    },
  }, async (req) => alerts.list(contextOf(req), req.query, req.locale))

  app.get('/peer-alerts/:id', {
    config: { access: { resource: 'peer_alerts', action: 'read' } },
    schema: { tags, security, summary: '预警 One alert', params: IdParams, response: { 200: AlertItem, ...errors } },
  }, async (req) => alerts.get(contextOf(req), req.params.id, req.locale))

  app.post('/peer-alerts/:id/acknowledge', {
    config: { access: { resource: 'peer_alerts', action: 'transition' } },
    schema: {
      tags, security, summary: '确认收到预警 Acknowledge an alert (optionally link the case opened for it)',
      params: IdParams, body: AlertAcknowledge.nullish(), response: { 200: AlertItem, ...errors },
    },
  }, async (req) => alerts.acknowledge(contextOf(req), req.params.id, req.body ?? {}, req.locale))

  app.post('/peer-alerts/:id/handle', {
    config: { access: { resource: 'peer_alerts', action: 'transition' } },
    schema: {
      tags, security, summary: '预警处理完毕 Mark an alert handled',
      params: IdParams, body: AlertHandle.nullish(), response: { 200: AlertItem, ...errors },
    },
  }, async (req) => alerts.handle(contextOf(req), req.params.id, req.body ?? {}, req.locale))
}

export default alertRoutes
