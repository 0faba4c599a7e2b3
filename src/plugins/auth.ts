import fp from 'fastify-plugin'
import fastifyJwt from '@fastify/jwt'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Forbidden, Unauthorized } from '../lib/errors.js'
import { secondFactorByDefault } from '../config.js'
import type { Action } from '../access/define.js'
import type { Actor } from '../access/roles.js'
import { confirmEpoch, epochState, expectEpoch } from '../access/transaction.js'
import { loadActor, type LoadedActor } from '../modules/auth/repository.js'
import { errorBody } from './errors.js'

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null
  }
  interface FastifyContextConfig {
    /**
     * Every route states what it touches. `public` routes skip authentication; all others
     * name a policy resource and action (see plugins/access.ts), or `self` for the caller's
     * own account.
     */
    access?: { public: true } | {
      resource: string
      action: string
      /**
       * Open to an account that must change its password (a new account, an admin's reset).
       * Every other route answers 403 password_change_required until it has.
       */
      beforePasswordChange?: true
      /**
       * Open to an account that must enrol a second factor before anything else (the enrolment
       * itself). Routes open before a password change are open then too.
       */
      beforeSecondFactor?: true
    }
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: string; sid: string }
    user: { sub: string; sid: string; iat: number; exp: number; iss: string; aud: string }
  }
}

export default fp(async (app) => {
  const { config } = app
  await app.register(fastifyJwt, {
    secret: config.jwtSecret,
    sign: { algorithm: 'HS256', iss: config.JWT_ISSUER, aud: config.JWT_AUDIENCE, expiresIn: config.ACCESS_TOKEN_TTL_S },
    // Pinned: a token naming any other algorithm (or "none") fails verification.
    verify: {
      algorithms: ['HS256'],
      allowedIss: config.JWT_ISSUER,
      allowedAud: config.JWT_AUDIENCE,
      requiredClaims: ['sub', 'sid', 'exp', 'iat', 'iss', 'aud'],
    },
  })

  app.decorateRequest('actor', null)
  const { db } = app.database
  const actors = new ActorCache(ACTOR_CACHE_SIZE)
  const requireByDefault = secondFactorByDefault(config)

  /** The actor from the database, remembered for the next requests of this login. */
  async function fresh(userId: string, sessionId: string): Promise<Actor> {
    const loaded = await loadActor(db, userId, sessionId, requireByDefault)
    if (!loaded) {
      actors.delete(sessionId)
      throw new Unauthorized('invalid_token')
    }
    actors.set(loaded)
    return { ...loaded }
  }

  /**
   * Who is asking. A login's actor is kept in memory between its requests, so most requests
   * send nothing to the database before their transaction; that transaction's first statement
   * compares the user's auth epoch, which triggers move whenever the login ends or the account,
   * its password or roles change (withActorTx). Routes about the caller's own account (sign
   * out, password, logins) always load it afresh.
   */
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const access = req.routeOptions.config?.access
    if (!access || 'public' in access) return
    const header = req.headers.authorization
    if (!header || !/^Bearer\s+\S+$/i.test(header)) throw new Unauthorized('unauthorized')
    let claims: { sub: string; sid: string }
    try {
      claims = await req.jwtVerify()
    } catch {
      throw new Unauthorized('invalid_token')
    }
    if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || !isUuid(claims.sub) || !isUuid(claims.sid)) {
      throw new Unauthorized('invalid_token')
    }
    const kept = access.resource === SELF ? undefined : actors.get(claims.sid)
    let actor: Actor
    if (kept && kept.userId === claims.sub) {
      // A copy per request: the epoch check is the request's own (access/transaction.ts).
      actor = { ...kept }
      expectEpoch(actor, kept.epoch)
    } else {
      actor = await fresh(claims.sub, claims.sid)
    }
    req.actor = actor
    // Whoever handed the password over knows it: until its owner replaces it, the login opens nothing else.
    if (mustChange(actor) && !access.beforePasswordChange) {
      if (epochState(actor) !== 'pending') throw new Forbidden('password_change_required')
      // Remembered from before the change: the account may have changed its password since.
      req.actor = await fresh(claims.sub, claims.sid)
      if (mustChange(req.actor)) throw new Forbidden('password_change_required')
    }
    // A second factor the school requires and the account lacks: like a password someone else
    // set, the login opens nothing but setting it up (and signing out).
    if (mustEnrol(req.actor) && !access.beforePasswordChange && !access.beforeSecondFactor) {
      if (epochState(req.actor) !== 'pending') throw new Forbidden('second_factor_enrolment_required')
      req.actor = await fresh(claims.sub, claims.sid)
      if (mustEnrol(req.actor)) throw new Forbidden('second_factor_enrolment_required')
    }
  })

  // Before the access plugin decides (its hook comes after this one): a role granted since the
  // actor was remembered must work on the very next request, so a remembered actor the route
  // would refuse is loaded afresh first.
  app.addHook('preValidation', async (req) => {
    const access = req.routeOptions.config?.access
    if (!access || 'public' in access || access.resource === SELF || !req.actor) return
    if (epochState(req.actor) !== 'pending') return
    if (app.policies.decide(req.actor, access.resource, access.action as Action)) return
    req.actor = await fresh(req.actor.userId, req.actor.sessionId)
  })

  /**
   * The request's actor changed since it was remembered (its first transaction said so and
   * rolled back; nothing it read left): load it afresh and decide again, as onRequest and the
   * access plugin would have. A login that ended answers 401, a route the actor may no longer
   * use is refused as usual.
   */
  async function renew(req: FastifyRequest): Promise<void> {
    const access = req.routeOptions.config?.access
    const old = req.actor!
    req.access = null // nothing of the attempt took effect: the access plugin's failure row does not apply
    req.pendingAudits = null // nor were its reads answered: their audit rows do not apply either
    actors.delete(old.sessionId)
    const actor = await fresh(old.userId, old.sessionId)
    req.actor = actor
    if (!access || 'public' in access) return
    if (mustChange(actor) && !access.beforePasswordChange) throw new Forbidden('password_change_required')
    if (mustEnrol(actor) && !access.beforePasswordChange && !access.beforeSecondFactor) throw new Forbidden('second_factor_enrolment_required')
    if (access.resource === SELF) return
    const decision = app.policies.decide(actor, access.resource, access.action as Action)
    if (!decision) return app.refuseAccess(req, actor, access.resource)
    req.access = decision
  }

  // Every route with an actor runs through this: a handler that met a stale actor (or opened no
  // transaction that checked it) runs once more, from the start, as the actor loaded afresh.
  app.addHook('onRoute', (route) => {
    const access = route.config?.access
    if (!access || 'public' in access || access.resource === SELF) return
    const handler = route.handler as (this: unknown, req: FastifyRequest, reply: FastifyReply) => unknown
    route.handler = async function (this: unknown, req: FastifyRequest, reply: FastifyReply) {
      let result: unknown
      try {
        result = await handler.call(this, req, reply)
      } catch (err) {
        if (!req.actor || epochState(req.actor) !== 'stale' || reply.sent) throw err
        await renew(req)
        return handler.call(this, req, reply)
      }
      if (!req.actor || reply.sent) return result
      const state = epochState(req.actor)
      if (state === 'current' || state === null) return result
      // A stale actor whose handler swallowed the error, or one no transaction checked: the
      // answer is not sent before the actor is known to be current.
      if (state === 'pending' && (await confirmEpoch(db, req.actor))) return result
      await renew(req)
      return handler.call(this, req, reply)
    }
  })

  // Last resort for a handler that sent its answer itself without any transaction checking the
  // actor: nothing leaves for a login that ended or an actor who may no longer use the route.
  app.addHook('onSend', async (req, reply, payload) => {
    if (!req.actor || epochState(req.actor) !== 'pending') return payload
    if (await confirmEpoch(db, req.actor)) return payload
    let status = 0
    let code = ''
    try {
      await renew(req)
    } catch (err) {
      status = (err as { statusCode?: number }).statusCode ?? 500
      code = (err as { code?: string }).code ?? 'internal'
    }
    if (status === 0) return payload
    req.log.warn({ status }, 'answer withheld: the actor changed while the request ran')
    req.pendingAudits = null
    reply.code(status).type('application/json; charset=utf-8')
    return JSON.stringify(errorBody(req, status, code))
  })
}, { name: 'auth', dependencies: ['db', 'errors'] })

const SELF = 'self'

/** Logins kept in memory at once; the least recently used one is dropped beyond that. */
const ACTOR_CACHE_SIZE = 10_000

function mustChange(actor: Actor): boolean {
  return (actor as Partial<LoadedActor>).mustChangePassword === true
}

function mustEnrol(actor: Actor): boolean {
  return (actor as Partial<LoadedActor>).mustEnrolSecondFactor === true
}

/** Actors by login (session id), least recently used first. */
class ActorCache {
  private readonly map = new Map<string, LoadedActor>()
  constructor(private readonly max: number) {}

  get(sessionId: string): LoadedActor | undefined {
    const a = this.map.get(sessionId)
    if (a) {
      this.map.delete(sessionId)
      this.map.set(sessionId, a)
    }
    return a
  }

  set(actor: LoadedActor): void {
    this.map.delete(actor.sessionId)
    this.map.set(actor.sessionId, actor)
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!)
  }

  delete(sessionId: string): void {
    this.map.delete(sessionId)
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export function isUuid(s: string): boolean {
  return UUID.test(s)
}

export function requireActor(req: FastifyRequest): Actor {
  if (!req.actor) throw new Unauthorized('unauthorized')
  return req.actor
}
