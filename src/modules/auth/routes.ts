import type { FastifyReply } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ErrorSchema, IdParams } from '../../lib/schemas.js'
import { requireActor } from '../../plugins/auth.js'
import { LoginThrottle } from './throttle.js'
import { createAuthService, LoginThrottled } from './service.js'
import {
  ChangePasswordBody, EndedSchema, LoginBody, PublicUserSchema, RefreshBody, SessionListSchema, TokenPairSchema,
} from './schemas.js'

const authRoutes: FastifyPluginAsyncZod = async (app) => {
  const { config } = app
  const throttle = new LoginThrottle({
    freeFails: config.LOGIN_FREE_FAILS,
    addressAccounts: config.LOGIN_ADDRESS_ACCOUNTS,
    maxDelayMs: config.LOGIN_MAX_DELAY_S * 1000,
    windowMs: config.LOGIN_FAIL_WINDOW_S * 1000,
  })
  const service = createAuthService({
    database: app.database,
    config,
    throttle,
    signAccess: (claims) => app.jwt.sign(claims),
    appendAudit: (events) => app.auditBatcher.append(events),
  })
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 429: ErrorSchema }
  // What an account that must change its password may still do (plugins/auth.ts).
  const beforePasswordChange = true as const

  /** RFC 9110 §10.2.3: tell the client how long to wait instead of letting it guess. */
  async function withRetryAfter<T>(reply: FastifyReply, work: Promise<T>): Promise<T> {
    try {
      return await work
    } catch (err) {
      if (err instanceof LoginThrottled) void reply.header('retry-after', String(err.retryAfterS))
      throw err
    }
  }

  // Without TRUST_PROXY every client behind a reverse proxy has the proxy's address, and the
  // sign-in throttle would count a whole school as one address: say so once in the log.
  let warnedProxy = false
  app.addHook('onRequest', async (req) => {
    if (!warnedProxy && config.TRUST_PROXY === 'false' && req.headers['x-forwarded-for'] !== undefined) {
      warnedProxy = true
      req.log.warn('X-Forwarded-For received but TRUST_PROXY is false: sign-in limits see the proxy as the client (see README, TRUST_PROXY)')
    }
  })

  app.post('/login', {
    config: { access: { public: true } },
    schema: { tags: ['auth'], summary: '登录 Sign in', body: LoginBody, response: { 200: TokenPairSchema, ...errors } },
  }, async (req, reply) => withRetryAfter(reply, service.login(req.body.username, req.body.password, req.ip, String(req.id))))

  app.post('/refresh', {
    config: { access: { public: true } },
    schema: { tags: ['auth'], summary: '刷新令牌 Rotate the refresh token', body: RefreshBody, response: { 200: TokenPairSchema, ...errors } },
  }, async (req) => service.refresh(req.body.refreshToken))

  app.post('/logout', {
    config: { access: { resource: 'self', action: 'update', beforePasswordChange } },
    schema: { tags: ['auth'], summary: '退出登录 Sign out', security: [{ bearer: [] }], response: { 204: z.null(), ...errors } },
  }, async (req, reply) => {
    await service.logout(requireActor(req))
    return reply.status(204).send(null)
  })

  app.post('/password', {
    config: { access: { resource: 'self', action: 'update', beforePasswordChange } },
    schema: { tags: ['auth'], summary: '修改密码 Change password', security: [{ bearer: [] }], body: ChangePasswordBody, response: { 200: TokenPairSchema, ...errors } },
  }, async (req, reply) => withRetryAfter(reply, service.changePassword(requireActor(req), req.body.currentPassword, req.body.newPassword, req.ip, String(req.id))))

  app.get('/me', {
    config: { access: { resource: 'self', action: 'read', beforePasswordChange } },
    schema: { tags: ['auth'], summary: '当前用户 Who am I', security: [{ bearer: [] }], response: { 200: PublicUserSchema, ...errors } },
  }, async (req) => service.me(requireActor(req)))

  app.get('/me/sessions', {
    config: { access: { resource: 'self', action: 'read' } },
    schema: { tags: ['auth'], summary: '我的登录设备 My signed-in sessions', security: [{ bearer: [] }], response: { 200: SessionListSchema, ...errors } },
  }, async (req) => ({ items: await service.sessions(requireActor(req)) }))

  app.delete('/me/sessions/:id', {
    config: { access: { resource: 'self', action: 'delete' } },
    schema: {
      tags: ['auth'], summary: '结束一个登录 End one of my sessions', security: [{ bearer: [] }], params: IdParams,
      response: { 204: z.null(), 404: ErrorSchema, ...errors },
    },
  }, async (req, reply) => {
    await service.endSession(requireActor(req), req.params.id, String(req.id))
    return reply.status(204).send(null)
  })

  app.post('/me/sessions/end-others', {
    config: { access: { resource: 'self', action: 'delete' } },
    schema: { tags: ['auth'], summary: '结束其他所有登录 End all my other sessions', security: [{ bearer: [] }], response: { 200: EndedSchema, ...errors } },
  }, async (req) => ({ ended: await service.endOtherSessions(requireActor(req), String(req.id)) }))
}

export default authRoutes
