import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import { errors, MarkReadBody, NotificationItem, NotificationListQuery, security, tags } from './schemas.js'

/** In-app notifications for teachers. Mounted at /api/v1. */
const notificationRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = app.services.notifications

  app.get('/notifications', {
    config: { access: { resource: 'notifications', action: 'list' } },
    schema: { tags, security, summary: '我的通知 My notifications', querystring: NotificationListQuery, response: { 200: page(NotificationItem), ...errors } },
  }, async (req) => service.list(contextOf(req), req.query))

  app.post('/notifications/:id/read', {
    config: { access: { resource: 'notifications', action: 'update' } },
    schema: { tags, security, summary: '标记已读 Mark as read', params: IdParams, body: MarkReadBody, response: { 200: NotificationItem, ...errors } },
  }, async (req) => service.markRead(contextOf(req), req.params.id))
}

export default notificationRoutes
