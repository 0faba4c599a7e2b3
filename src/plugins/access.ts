import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { Actions, type Action } from '../access/define.js'
import { PolicyRegistry, type Decision } from '../access/engine.js'
import { appendAudit, type AuditAction, type AuditEvent } from '../audit/audit.js'
import { AuditBatcher } from '../audit/batcher.js'
import { AppError, Forbidden, NotFound, Unauthorized } from '../lib/errors.js'
import { errorBody, loggableError } from './errors.js'
import type { Actor } from '../access/roles.js'
import { policies } from '../../policies/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    policies: PolicyRegistry
    auditBatcher: AuditBatcher
  }
  interface FastifyRequest {
    access: Decision | null
    pendingAudits: AuditEvent[] | null
  }
}

/** What a service needs to know about the caller: who, with which effective policy, and why. */
export interface RequestContext {
  actor: Actor
  decision: Decision
  requestId: string
  purpose: string | null
  /**
   * Hands a read's audit row to the group commit: it is made durable after the read's
   * transaction and before the response leaves (onSend below), or the response fails.
   */
  deferAudit?: (e: AuditEvent) => void
}

const SELF = 'self'

export default fp(async (app) => {
  const registry = new PolicyRegistry(policies)
  app.decorate('policies', registry)
  app.decorateRequest('access', null)
  app.decorateRequest('pendingAudits', null)
  const batcher = new AuditBatcher(app.database.db)
  app.decorate('auditBatcher', batcher)
  app.addHook('onClose', async () => { await batcher.close() })

  // Reads' audit rows become durable here, before the answer is sent; if they cannot be
  // written, the answer is replaced by a 500 and the data never leaves.
  app.addHook('onSend', async (req, reply, payload) => {
    const events = req.pendingAudits
    if (!events || events.length === 0) return payload
    req.pendingAudits = null
    if (reply.statusCode >= 400) return payload // the failure itself was audited by onError
    try {
      await batcher.append(events)
      return payload
    } catch (err) {
      req.log.error({ err: loggableError(err) }, 'audit write failed; answer withheld')
      reply.code(500).type('application/json; charset=utf-8')
      return JSON.stringify(errorBody(req, 500, 'internal'))
    }
  })

  // Refuse to start when a route names a resource or action no policy knows.
  const bad: string[] = []
  app.addHook('onRoute', (route) => {
    const access = route.config?.access
    if (!access || 'public' in access) return
    if (access.resource === SELF) return
    if (!registry.get(access.resource)) bad.push(`${String(route.method)} ${route.url}: unknown resource ${access.resource}`)
    if (!(Actions as readonly string[]).includes(access.action)) bad.push(`${String(route.method)} ${route.url}: unknown action ${access.action}`)
  })
  app.addHook('onReady', async () => {
    if (bad.length) throw new Error(`Route access declarations are invalid: ${bad.join('; ')}`)
  })

  app.addHook('preHandler', async (req) => {
    const access = req.routeOptions.config?.access
    if (!access || 'public' in access || access.resource === SELF) return
    const actor = req.actor
    if (!actor) throw new Unauthorized()
    const decision = registry.decide(actor, access.resource, access.action as Action)
    if (!decision) {
      // Denied attempts are audited too, in their own transaction.
      await appendAudit(app.database.db, {
        actorId: actor.userId,
        roles: actor.roles.map((r) => r.role).join(','),
        action: 'denied',
        resource: access.resource,
        recordIds: recordIdOf(req),
        outcome: 'denied',
        requestId: String(req.id),
        purpose: purposeOf(req),
        schoolId: actor.schoolId,
      })
      // A route about one record answers like a missing record; a collection route says no.
      throw (req.params as Record<string, unknown> | undefined)?.id ? new NotFound() : new Forbidden()
    }
    req.access = decision
  })

  // A request that got a decision but failed (out of scope, forbidden field, conflict) rolled
  // its transaction back, audit row included: record the attempt on its own.
  app.addHook('onError', async (req, _reply, err) => {
    const decision = req.access
    if (!decision || !req.actor) return
    const status = err instanceof AppError ? err.statusCode : 500
    await appendAudit(app.database.db, {
      actorId: req.actor.userId,
      roles: decision.roles,
      action: status === 404 ? 'denied' : auditActionOf(decision.action),
      resource: decision.resource,
      recordIds: recordIdOf(req),
      outcome: status === 404 ? 'not_found' : status === 403 ? 'denied' : 'rejected',
      requestId: String(req.id),
      purpose: purposeOf(req),
      schoolId: req.actor.schoolId,
    }).catch((e: unknown) => req.log.error({ err: loggableError(e) }, 'audit of a failed request failed'))
  })
}, { name: 'access', dependencies: ['auth', 'db'] })

export function auditActionOf(action: Action): AuditAction {
  switch (action) {
    case 'create': case 'import': return 'C'
    case 'update': case 'transition': return 'U'
    case 'delete': return 'D'
    case 'export': return 'E'
    default: return 'R'
  }
}

function recordIdOf(req: FastifyRequest): string[] {
  const id = (req.params as Record<string, unknown> | undefined)?.id
  return typeof id === 'string' && id.length <= 64 ? [id] : []
}

/** X-Purpose: why the caller opens the record (e.g. 个案复查); kept short, stored in the audit row. */
export function purposeOf(req: FastifyRequest): string | null {
  const p = req.headers['x-purpose']
  if (typeof p !== 'string' || p.length === 0) return null
  return decodeURIComponentSafe(p).slice(0, 100)
}

function decodeURIComponentSafe(s: string): string {
  try { return decodeURIComponent(s) } catch { return s }
}

export function contextOf(req: FastifyRequest): RequestContext {
  if (!req.actor) throw new Unauthorized()
  if (!req.access) throw new Error('route has no access decision')
  return {
    actor: req.actor,
    decision: req.access,
    requestId: String(req.id),
    purpose: purposeOf(req),
    deferAudit: (e) => { (req.pendingAudits ??= []).push(e) },
  }
}
