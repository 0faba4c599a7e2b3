import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { sql } from 'drizzle-orm'
import { appliedMigrations, journalEntries } from '../../db/migrate.js'

const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/healthz', {
    config: { access: { public: true } },
    schema: { tags: ['health'], summary: 'Liveness', response: { 200: z.object({ status: z.literal('ok') }) } },
  }, async () => ({ status: 'ok' as const }))

  const Ready = z.object({ status: z.enum(['ready', 'not_ready']), database: z.string(), migrations: z.object({ applied: z.number(), expected: z.number() }) })
  app.get('/readyz', {
    config: { access: { public: true } },
    schema: { tags: ['health'], summary: 'Readiness: database reachable and migrations current', response: { 200: Ready, 503: Ready } },
  }, async (_req, reply) => {
    const expected = journalEntries()
    try {
      await app.database.db.execute(sql`select 1`)
      const applied = await appliedMigrations(app.database)
      const ok = applied === expected
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not_ready', database: app.database.kind, migrations: { applied, expected } })
    } catch {
      return reply.status(503).send({ status: 'not_ready', database: app.database.kind, migrations: { applied: 0, expected } })
    }
  })
}

export default healthRoutes
