import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { Actions, type Action } from '../access/define.js'
import { PolicyRegistry, type Decision } from '../access/engine.js'
import { sql } from 'drizzle-orm'
import { appendAudit, type AuditAction, type AuditEvent } from '../audit/audit.js'
import { queryRows } from '../db/database.js'
import { AuditBatcher } from '../audit/batcher.js'
import { AppError, Forbidden, NotFound, Unauthorized } from '../lib/errors.js'
import { errorBody, loggableError } from './errors.js'
import type { Actor } from '../access/roles.js'
import { policies } from '../../policies/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    policies: PolicyRegistry
    auditBatcher: AuditBatcher
    /** Audits a refused request and throws its answer (404 for a record route, else 403). */
    refuseAccess: (req: FastifyRequest, actor: Actor, resource: string) => Promise<never>
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
  const registry = new PolicyRegistry(policies, { timeZone: app.config.TZ_SCHOOL })
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

  // preValidation (after authentication, before schema validation): a caller who may not use
  // the route learns nothing about its body or query schema from a 400.
  app.addHook('preValidation', async (req) => {
    const access = req.routeOptions.config?.access
    if (!access || 'public' in access || access.resource === SELF) return
    const actor = req.actor
    if (!actor) throw new Unauthorized()
    const decision = registry.decide(actor, access.resource, access.action as Action)
    if (!decision) await refuse(req, actor, access.resource)
    req.access = decision
  })

  // Denied attempts are audited too, in their own transaction, under the student they named.
  async function refuse(req: FastifyRequest, actor: Actor, resource: string): Promise<never> {
    const studentIds = studentIdsOf(req)
    await appendAudit(app.database.db, {
      actorId: actor.userId,
      roles: actor.roles.map((r) => r.role).join(','),
      action: 'denied',
      resource,
      recordIds: recordIdOf(req),
      studentIds,
      outcome: 'denied',
      requestId: String(req.id),
      purpose: purposeOf(req),
      schoolId: (await schoolOfStudent(studentIds)) ?? actor.schoolId,
    })
    // A route about one record answers like a missing record; a collection route says no.
    throw (req.params as Record<string, unknown> | undefined)?.id ? new NotFound() : new Forbidden()
  }
  app.decorate('refuseAccess', refuse)

  /**
   * The school of the student a refused request named, so the attempt appears in that
   * school's "who accessed this student" view even when the caller belongs to no school or to
   * another one. Read as the owner: the caller may not see the student, and this answer never
   * leaves the server.
   */
  async function schoolOfStudent(studentIds: string[]): Promise<string | null> {
    if (studentIds.length !== 1) return null
    const rows = await queryRows<{ school_id: string }>(app.database.db, sql`select school_id from students where id = ${studentIds[0]}::uuid`)
    return rows[0]?.school_id ?? null
  }

  // Requests that passed validation and reached the service. A body refused by its schema never
  // touched a record, so it leaves no audit row (as before the check moved ahead of validation).
  const reachedService = new WeakSet<object>()
  app.addHook('preHandler', async (req) => {
    if (req.access) reachedService.add(req)
  })

  // A request that got a decision but failed (out of scope, forbidden field, conflict) rolled
  // its transaction back, audit row included: record the attempt on its own.
  app.addHook('onError', async (req, _reply, err) => {
    const decision = req.access
    if (!decision || !req.actor || !reachedService.has(req)) return
    const status = err instanceof AppError ? err.statusCode : 500
    const studentIds = status === 404 || status === 403 ? studentIdsOf(req) : []
    await appendAudit(app.database.db, {
      actorId: req.actor.userId,
      roles: decision.roles,
      action: status === 404 ? 'denied' : auditActionOf(decision.action),
      resource: decision.resource,
      recordIds: recordIdOf(req),
      studentIds,
      outcome: status === 404 ? 'not_found' : status === 403 ? 'denied' : 'rejected',
      requestId: String(req.id),
      purpose: purposeOf(req),
      schoolId: (await schoolOfStudent(studentIds).catch(() => null)) ?? req.actor.schoolId,
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

/** Audit rows are written before validation: only ids of a plain, bounded form are kept. */
const SAFE_ID = /^[\w-]{1,64}$/

function recordIdOf(req: FastifyRequest): string[] {
  const id = (req.params as Record<string, unknown> | undefined)?.id
  return typeof id === 'string' && SAFE_ID.test(id) ? [id] : []
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The student a request names: the id of a /students/:id/… path, or a `studentId` in the
 * query or body. Read before validation, so only a well-formed uuid counts.
 */
export function studentIdsOf(req: FastifyRequest): string[] {
  const params = req.params as Record<string, unknown> | undefined
  const candidates = [
    /^\/api\/v1\/students\/:id(\/|$)/.test(req.routeOptions.url ?? '') ? params?.id : undefined,
    (req.query as Record<string, unknown> | undefined)?.studentId,
    req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>).studentId : undefined,
  ]
  const id = candidates.find((c): c is string => typeof c === 'string' && UUID.test(c))
  return id ? [id.toLowerCase()] : []
}

export const PURPOSE_MAX = 64
// Control characters (C0, DEL, C1) and the invisible format characters that reorder or hide text.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g

/**
 * X-Purpose: why the caller opens the record (e.g. 个案复查), free text chosen by the client,
 * stored in the audit row and shown in "who accessed this student". Percent-decoded (headers
 * carry ASCII), stripped of control and invisible characters, whitespace collapsed, trimmed,
 * and cut to 64 characters; what is left empty is no purpose. Never markup-interpreted.
 */
export function purposeOf(req: FastifyRequest): string | null {
  const p = req.headers['x-purpose']
  if (typeof p !== 'string' || p.length === 0) return null
  const clean = decodeURIComponentSafe(p.slice(0, 1024)).replace(UNPRINTABLE, ' ').replace(/\s+/g, ' ').trim()
  const cut = [...clean].slice(0, PURPOSE_MAX).join('').trim()
  return cut.length > 0 ? cut : null
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
