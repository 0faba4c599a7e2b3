import fp from 'fastify-plugin'
import type { Database } from '../db/database.js'
import type { Config } from '../config.js'

declare module 'fastify' {
  interface FastifyInstance {
    database: Database
    config: Config
  }
}

export default fp<{ database: Database; config: Config }>(async (app, opts) => {
  app.decorate('database', opts.database)
  app.decorate('config', opts.config)
}, { name: 'db' })
