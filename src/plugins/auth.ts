import fp from 'fastify-plugin'
import fastifyJwt from '@fastify/jwt'
import type { FastifyRequest } from 'fastify'
import { Forbidden, Unauthorized } from '../lib/errors.js'
import type { Actor } from '../access/roles.js'
import { loadActor } from '../modules/auth/repository.js'

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
    const actor = await loadActor(app.database.db, claims.sub, claims.sid)
    if (!actor) throw new Unauthorized('invalid_token')
    // Whoever handed the password over knows it: until its owner replaces it, the login opens nothing else.
    if (actor.mustChangePassword && !access.beforePasswordChange) throw new Forbidden('password_change_required')
    req.actor = actor
  })
}, { name: 'auth', dependencies: ['db', 'errors'] })

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export function isUuid(s: string): boolean {
  return UUID.test(s)
}

export function requireActor(req: FastifyRequest): Actor {
  if (!req.actor) throw new Unauthorized('unauthorized')
  return req.actor
}
