import fp from 'fastify-plugin'
import { errorBody } from './errors.js'

/**
 * Once close() has begun (SIGTERM, SIGINT), a request that still reaches the app — pipelined or
 * on a keep-alive connection — is answered 503 `shutting_down` in the documented error shape
 * with its requestId, instead of Fastify's bare 503 (`return503OnClosing` is off in app.ts).
 * Requests accepted before that run to the end; server.ts gives them SHUTDOWN_GRACE_MS.
 */
export default fp(async (app) => {
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onRequest', async (req, reply) => {
    if (!closing) return
    reply.header('connection', 'close').header('retry-after', '5')
    return reply.status(503).send(errorBody(req, 503, 'shutting_down'))
  })
}, { name: 'shutdown', dependencies: ['errors'] })
