import type { FastifyReply } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ErrorSchema, IdParams } from '../../lib/schemas.js'
import { requireActor } from '../../plugins/auth.js'
import { LoginThrottle } from './throttle.js'
import { createAuthService, LoginThrottled } from './service.js'
import { CodeThrottle } from './second-factor-throttle.js'
import { CodeThrottled, createSecondFactorService } from './second-factor-service.js'
import { STEP_UP_MINUTES } from './step-up.js'
import {
  ChangePasswordBody, ConfirmBody, EndedSchema, EnrolmentSchema, LoginAnswer, LoginBody, PublicUserSchema, RecoveryCodesSchema, RefreshBody,
  SecondFactorLoginBody, SecondFactorStatusSchema, SessionListSchema, StepUpAnswer, StepUpBody, TokenPairSchema,
} from './schemas.js'

const authRoutes: FastifyPluginAsyncZod = async (app) => {
  const { config } = app
  const throttle = new LoginThrottle({
    freeFails: config.LOGIN_FREE_FAILS,
    addressAccounts: config.LOGIN_ADDRESS_ACCOUNTS,
    maxDelayMs: config.LOGIN_MAX_DELAY_S * 1000,
    windowMs: config.LOGIN_FAIL_WINDOW_S * 1000,
  })
  const codes = new CodeThrottle({
    freeFails: config.LOGIN_FREE_FAILS,
    perChallenge: 5,
    maxDelayMs: config.LOGIN_MAX_DELAY_S * 1000,
    windowMs: config.LOGIN_FAIL_WINDOW_S * 1000,
  })
  const appendAudit = (events: Parameters<typeof app.auditBatcher.append>[0]) => app.auditBatcher.append(events)
  const secondFactor = createSecondFactorService({ database: app.database, config, codes, appendAudit })
  const service = createAuthService({
    database: app.database,
    config,
    throttle,
    secondFactor,
    signAccess: (claims) => app.jwt.sign(claims),
    appendAudit,
  })
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 429: ErrorSchema }
  // What an account that must change its password may still do (plugins/auth.ts).
  const beforePasswordChange = true as const
  // What an account that must set up a second factor may still do (plugins/auth.ts).
  const beforeSecondFactor = true as const

  /** RFC 9110 §10.2.3: tell the client how long to wait instead of letting it guess. */
  async function withRetryAfter<T>(reply: FastifyReply, work: Promise<T>): Promise<T> {
    try {
      return await work
    } catch (err) {
      if (err instanceof LoginThrottled || err instanceof CodeThrottled) void reply.header('retry-after', String(err.retryAfterS))
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
    schema: {
      tags: ['auth'], summary: '登录 Sign in (an account with a second factor gets a challenge for the code step)',
      body: LoginBody, response: { 200: LoginAnswer, ...errors },
    },
  }, async (req, reply) => withRetryAfter(reply, service.login(req.body.username, req.body.password, req.ip, String(req.id))))

  app.post('/login/second-factor', {
    config: { access: { public: true } },
    schema: {
      tags: ['auth'], summary: '登录第二步 The code step of a sign-in: the challenge and a code from the app, or a recovery code',
      body: SecondFactorLoginBody, response: { 200: TokenPairSchema, ...errors },
    },
  }, async (req, reply) => withRetryAfter(reply, service.completeLogin(req.body.challenge, req.body, String(req.id))))

  app.post('/step-up', {
    config: { access: { resource: 'self', action: 'update' } },
    schema: {
      tags: ['auth'], summary: `再次验证 Prove this login's factors again (code, recovery code, or the password without a second factor); exports and other guarded reads need it within ${STEP_UP_MINUTES} minutes`,
      security: [{ bearer: [] }], body: StepUpBody, response: { 200: StepUpAnswer, ...errors },
    },
  }, async (req, reply) => {
    const r = await withRetryAfter(reply, service.stepUp(requireActor(req), req.body, req.ip, String(req.id)))
    return { provedAt: r.provedAt, validMinutes: STEP_UP_MINUTES }
  })

  app.get('/second-factor', {
    config: { access: { resource: 'self', action: 'read', beforeSecondFactor } },
    schema: { tags: ['auth'], summary: '二次验证状态 My second factor: enabled, required, recovery codes left', security: [{ bearer: [] }], response: { 200: SecondFactorStatusSchema, ...errors } },
  }, async (req) => secondFactor.status(requireActor(req).userId))

  app.post('/second-factor/enrolment', {
    config: { access: { resource: 'self', action: 'update', beforeSecondFactor } },
    schema: {
      tags: ['auth'], summary: '开始设置二次验证 Start setting up the authenticator app: a new secret (QR code address and text), in force once a first code confirms it',
      security: [{ bearer: [] }], response: { 200: EnrolmentSchema, 409: ErrorSchema, ...errors },
    },
  }, async (req) => secondFactor.startEnrolment(requireActor(req)))

  app.post('/second-factor/confirm', {
    config: { access: { resource: 'self', action: 'update', beforeSecondFactor } },
    schema: {
      tags: ['auth'], summary: '确认二次验证 Confirm with a first code: the second factor is in force, ten recovery codes are shown once',
      security: [{ bearer: [] }], body: ConfirmBody, response: { 200: RecoveryCodesSchema, 409: ErrorSchema, ...errors },
    },
  }, async (req, reply) => withRetryAfter(reply, secondFactor.confirmEnrolment(requireActor(req), req.body.code, String(req.id))))

  app.post('/second-factor/recovery-codes', {
    config: { access: { resource: 'self', action: 'update' }, stepUp: true },
    schema: {
      tags: ['auth'], summary: '重新生成恢复码 New recovery codes (the old ones stop working); needs a recent step-up',
      security: [{ bearer: [] }], response: { 200: RecoveryCodesSchema, 409: ErrorSchema, ...errors },
    },
  }, async (req) => secondFactor.regenerateRecoveryCodes(requireActor(req), String(req.id)))

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
