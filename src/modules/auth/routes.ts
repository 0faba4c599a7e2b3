import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ErrorSchema } from '../../lib/schemas.js'
import { requireActor } from '../../plugins/auth.js'
import { LoginThrottle } from './throttle.js'
import { createAuthService } from './service.js'
import { ChangePasswordBody, LoginBody, PublicUserSchema, RefreshBody, TokenPairSchema } from './schemas.js'

const authRoutes: FastifyPluginAsyncZod = async (app) => {
  const { config } = app
  const throttle = new LoginThrottle(config.LOGIN_MAX_FAILS_PER_ACCOUNT, config.LOGIN_MAX_FAILS_PER_IP, config.LOGIN_LOCK_WINDOW_S * 1000)
  const service = createAuthService({
    database: app.database,
    config,
    throttle,
    signAccess: (claims) => app.jwt.sign(claims),
  })
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema }

  app.post('/login', {
    config: { access: { public: true } },
    schema: { tags: ['auth'], summary: '登录 Sign in', body: LoginBody, response: { 200: TokenPairSchema, ...errors } },
  }, async (req) => service.login(req.body.username, req.body.password, req.ip))

  app.post('/refresh', {
    config: { access: { public: true } },
    schema: { tags: ['auth'], summary: '刷新令牌 Rotate the refresh token', body: RefreshBody, response: { 200: TokenPairSchema, ...errors } },
  }, async (req) => service.refresh(req.body.refreshToken))

  app.post('/logout', {
    config: { access: { resource: 'self', action: 'update' } },
    schema: { tags: ['auth'], summary: '退出登录 Sign out', security: [{ bearer: [] }], response: { 204: z.null(), ...errors } },
  }, async (req, reply) => {
    await service.logout(requireActor(req))
    return reply.status(204).send(null)
  })

  app.post('/password', {
    config: { access: { resource: 'self', action: 'update' } },
    schema: { tags: ['auth'], summary: '修改密码 Change password', security: [{ bearer: [] }], body: ChangePasswordBody, response: { 200: TokenPairSchema, ...errors } },
  }, async (req) => service.changePassword(requireActor(req), req.body.currentPassword, req.body.newPassword, req.ip))

  app.get('/me', {
    config: { access: { resource: 'self', action: 'read' } },
    schema: { tags: ['auth'], summary: '当前用户 Who am I', security: [{ bearer: [] }], response: { 200: PublicUserSchema, ...errors } },
  }, async (req) => service.me(requireActor(req)))
}

export default authRoutes
