import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ErrorSchema, IdParams, Pagination } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'

const AccessEntry = z.object({
  /** The view's last audit row. */
  seq: z.number(),
  /** When the view began and ended (its first and last request). */
  ts: z.string(),
  lastTs: z.string(),
  /** How many audited requests the view made. */
  requests: z.number(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  actorRoles: z.string(),
  action: z.string(),
  /** The first of `resources`, kept for older clients. */
  resource: z.string(),
  /** Every record type the view touched (policy resource names, the client shows them in words). */
  resources: z.array(z.string()),
  outcome: z.string(),
  purpose: z.string().nullable(),
})

const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = app.services.audit
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema }

  app.get('/audit/verify', {
    config: { access: { resource: 'audit_log', action: 'read' } },
    schema: {
      tags: ['audit'], summary: '审计链校验 Verify the audit chain', security: [{ bearer: [] }],
      response: { 200: z.object({ ok: z.boolean(), total: z.number(), firstBrokenSeq: z.number().nullable(), checkedAt: z.string() }), ...errors },
    },
  }, async (req) => service.verify(contextOf(req)))

  app.get('/students/:id/access-log', {
    config: { access: { resource: 'audit_log', action: 'list' }, stepUp: true },
    schema: {
      tags: ['audit'], summary: '谁查看了该学生的档案 Who accessed this student', security: [{ bearer: [] }],
      params: IdParams, querystring: Pagination,
      response: { 200: z.object({ items: z.array(AccessEntry), total: z.number(), limit: z.number(), offset: z.number() }), ...errors },
    },
  }, async (req) => service.accessLog(contextOf(req), req.params.id, req.query.limit, req.query.offset))
}

export default auditRoutes
