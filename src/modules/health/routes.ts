import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { sql } from 'drizzle-orm'
import { appliedMigrations, journalEntries } from '../../db/migrate.js'

const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/healthz', {
    config: { access: { public: true } },
    schema: { tags: ['health'], summary: 'Liveness', response: { 200: z.object({ status: z.literal('ok') }) } },
  }, async () => ({ status: 'ok' as const }))

  // Free space on the embedded data folder's filesystem: 'low' means writes answer 507 until space is freed.
  const Disk = z.object({ status: z.enum(['ok', 'low', 'unwatched']), freeMb: z.number().nullable(), floorMb: z.number() })
  const Ready = z.object({ status: z.enum(['ready', 'not_ready']), database: z.string(), migrations: z.object({ applied: z.number(), expected: z.number() }), disk: Disk })
  app.get('/readyz', {
    config: { access: { public: true } },
    schema: { tags: ['health'], summary: 'Readiness: database reachable and migrations current', response: { 200: Ready, 503: Ready } },
  }, async (_req, reply) => {
    const expected = journalEntries()
    const d = await app.diskSpace.status()
    const disk = { status: !d.watched ? 'unwatched' as const : d.ok ? 'ok' as const : 'low' as const, freeMb: d.freeMb, floorMb: d.floorMb }
    let timer: NodeJS.Timeout | undefined
    try {
      // Its own deadline: a frozen or restarting database must not hang the probe (503 instead).
      const deadline = new Promise<never>((_, fail) => {
        timer = setTimeout(() => fail(new Error('readiness probe timed out')), app.config.READYZ_TIMEOUT_MS)
      })
      const probe = (async () => {
        await app.database.db.execute(sql`select 1`)
        return appliedMigrations(app.database)
      })()
      probe.catch(() => {})
      const applied = await Promise.race([probe, deadline])
      const ok = applied === expected && disk.status !== 'low'
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not_ready', database: app.database.kind, migrations: { applied, expected }, disk })
    } catch {
      return reply.status(503).send({ status: 'not_ready', database: app.database.kind, migrations: { applied: 0, expected }, disk })
    } finally {
      clearTimeout(timer)
    }
  })
}

export default healthRoutes
