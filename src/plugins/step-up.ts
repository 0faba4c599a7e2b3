import fp from 'fastify-plugin'
import { requireStepUp } from '../modules/auth/step-up.js'
import { requireActor } from './auth.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route hands out what a stolen, still signed-in computer should not: it answers 403
     * step_up_required unless the login proved its factors within the last 15 minutes
     * (modules/auth/step-up.ts). Routes whose need depends on the record (a closed case) call
     * requireStepUp in their service instead.
     */
    stepUp?: true
  }
}

/**
 * Runs after the access decision (a caller who may not use the route learns nothing more), so a
 * refusal here is audited like any other refused request (plugins/access.ts, onError).
 */
export default fp(async (app) => {
  app.addHook('preHandler', async (req) => {
    if (req.routeOptions.config?.stepUp !== true) return
    await requireStepUp(app.database.db, requireActor(req))
  })
}, { name: 'step-up', dependencies: ['auth', 'access', 'db'] })
