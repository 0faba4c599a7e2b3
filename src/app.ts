import Fastify, { type FastifyInstance } from 'fastify'
import helmet from 'helmet'
import rateLimit from '@fastify/rate-limit'
import type { DestinationStream } from 'pino'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Config } from './config.js'
import type { Database } from './db/database.js'
import { loggerOptions } from './logger.js'
import dbPlugin from './plugins/db.js'
import diskSpacePlugin from './plugins/disk-space.js'
import errorsPlugin, { answerFrameworkError, writeClientError } from './plugins/errors.js'
import shutdownPlugin from './plugins/shutdown.js'
import compressionPlugin from './plugins/compression.js'
import { rateLimitKey, rememberPeerAddress } from './plugins/rate-limit-key.js'
import authPlugin from './plugins/auth.js'
import swaggerPlugin from './plugins/swagger.js'
import routeGuard, { requestIdFor } from './plugins/route-guard.js'
import inputGuard from './plugins/input-guard.js'
import accessPlugin from './plugins/access.js'
import stepUpPlugin from './plugins/step-up.js'
import healthRoutes from './modules/health/routes.js'
import authRoutes from './modules/auth/routes.js'
import secondFactorAdminRoutes from './modules/auth/second-factor-admin-routes.js'
import rosterRoutes from './modules/roster/routes.js'
import auditRoutes from './modules/audit/routes.js'
import archiveRoutes from './modules/archive/routes.js'
import screeningRoutes from './modules/screening/routes.js'
import casesRoutes from './modules/cases/routes.js'
import supportRoutes from './modules/support/routes.js'
import lessonRoutes from './modules/inspection/lessons-routes.js'
import talksRoutes from './modules/talks/routes.js'
import districtRoutes from './modules/district/routes.js'
import inspectionRecordsRoutes from './modules/inspection/records-routes.js'
import escalationRoutes from './modules/escalation/routes.js'
import notificationRoutes from './modules/notifications/routes.js'
import outboxRoutes from './modules/outbox/routes.js'
import practicesRoutes from './modules/practices/routes.js'
import rectificationRoutes from './modules/inspection/rectification-routes.js'
import selfCheckRoutes from './modules/inspection/self-check/routes.js'
import complianceRoutes from './modules/compliance/routes.js'
import transferRoutes from './modules/transfers/routes.js'
import webPlugin from './plugins/web.js'
import { createServices } from './services.js'
import { openNotesKeys } from './crypto/notes-keys.js'

export interface BuildOptions {
  config: Config
  database: Database
  /** Where logs go (tests capture them to check redaction). */
  logStream?: DestinationStream
  /** The time services judge deadlines by (整改时限); tests move it forward. The real time otherwise. */
  clock?: () => Date
}

/** Builds the whole API; the server and the tests share it. */
export async function buildApp({ config, database, logStream, clock }: BuildOptions): Promise<FastifyInstance> {
  // Filled by the route guard as public routes register; read per request by genReqId.
  const publicPaths: RegExp[] = []
  const app = Fastify({
    logger: loggerOptions(config, logStream),
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: (req) => requestIdFor(req, publicPaths),
    // Bad escapes and over-long path parameters, found while routing: in the documented error shape.
    frameworkErrors: answerFrameworkError,
    // Requests Node's HTTP parser refuses (headers over maxHeaderSize → 431, malformed → 400).
    clientErrorHandler: writeClientError,
    // Behind a reverse proxy set TRUST_PROXY (true, or the proxy's address) so rate limits see clients.
    trustProxy: config.TRUST_PROXY === 'false' ? false : config.TRUST_PROXY === 'true' ? true : config.TRUST_PROXY,
    // Fastify's own 503 while closing lacks code and requestId; plugins/shutdown.ts answers instead.
    return503OnClosing: false,
  }).withTypeProvider<ZodTypeProvider>()

  rememberPeerAddress(app.server)
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id)
    // API answers carry personal data or say who asked: no browser or proxy may keep a copy.
    if (req.url.startsWith('/api/') || reply.statusCode >= 400 || req.headers.authorization !== undefined) {
      reply.header('cache-control', 'no-store')
    }
  })

  // The notes keys before any request: every school's data key, unwrapped once (src/crypto/notes-keys.ts).
  await openNotesKeys(database.db, config, (msg) => app.log.warn(msg))

  // External tier.
  await app.register(dbPlugin, { database, config })
  await app.register(errorsPlugin)
  await app.register(shutdownPlugin)
  await app.register(diskSpacePlugin)
  await app.register(routeGuard, { publicPaths })
  // helmet's headers, built once: @fastify/helmet built helmet again (parsing the policy) for
  // every request, about 2.6% of an audited read's CPU. No route has its own helmet options.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        // Schools often serve the LAN over plain HTTP; forcing https would break the client there.
        upgradeInsecureRequests: null,
      },
    },
  })
  app.addHook('onRequest', (req, reply, done) => {
    securityHeaders(req.raw, reply.raw, (err?: unknown) => done(err instanceof Error ? err : undefined))
  })
  await app.register(compressionPlugin)
  await app.register(rateLimit, { global: true, max: config.RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute', keyGenerator: rateLimitKey })
  await app.register(swaggerPlugin)

  // App tier.
  await app.register(authPlugin)
  await app.register(accessPlugin)
  await app.register(stepUpPlugin)
  await app.register(inputGuard)
  app.decorate('services', createServices({ database, policies: app.policies, config }, app.log, clock))

  // Routes.
  await app.register(healthRoutes)
  await app.register(async (api) => {
    await api.register(authRoutes, { prefix: '/auth' })
    await api.register(secondFactorAdminRoutes)
    await api.register(auditRoutes)
    await api.register(archiveRoutes)
    await api.register(screeningRoutes)
    await api.register(casesRoutes)
    await api.register(supportRoutes)
    await api.register(lessonRoutes)
    await api.register(talksRoutes)
    await api.register(notificationRoutes)
    await api.register(outboxRoutes)
    await api.register(inspectionRecordsRoutes)
    await api.register(rosterRoutes)
    await api.register(districtRoutes)
    await api.register(escalationRoutes)
    await api.register(selfCheckRoutes)
    await api.register(rectificationRoutes)
    await api.register(complianceRoutes)
    await api.register(transferRoutes, { transfers: app.services.transfers })
  }, { prefix: '/api/v1' })
  await app.register(practicesRoutes)
  await app.register(webPlugin)

  return app
}
