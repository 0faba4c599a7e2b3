import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { SlugParams } from './schemas.js'
import { LETTERBOX_CSS, LETTERBOX_HTML, LETTERBOX_JS } from './letterbox-page.js'
import letterboxPublicRoutes from './letterbox-public-routes.js'
import letterRoutes from './letter-routes.js'
import barometerRoutes from './barometer-routes.js'
import roomRoutes from './room-routes.js'
import staffRoutes from './staff-routes.js'

/**
 * Practices from the inspection reports: 解忧树洞 / 心理信箱, 心理晴雨表, 心理辅导室
 * and 心理健康教师 staffing. The API lives under /api/v1; the letter box's visitor page
 * (/letterbox/:slug, with its script and stylesheet as separate files for the CSP) lives
 * outside /api, for students without an account.
 */
const practicesRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(async (api) => {
    await api.register(letterboxPublicRoutes)
    await api.register(letterRoutes)
    await api.register(barometerRoutes)
    await api.register(roomRoutes)
    await api.register(staffRoutes)
  }, { prefix: '/api/v1' })

  const page = { config: { access: { public: true as const } }, schema: { hide: true } }
  app.get('/letterbox/:slug', { ...page, schema: { ...page.schema, params: SlugParams } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(LETTERBOX_HTML))
  app.get('/letterbox-assets/letterbox.js', page, async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(LETTERBOX_JS))
  app.get('/letterbox-assets/letterbox.css', page, async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(LETTERBOX_CSS))
}

export default practicesRoutes
