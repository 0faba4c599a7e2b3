import fp from 'fastify-plugin'

export interface DeclaredRoute {
  method: string
  url: string
  access: { public: true } | { resource: string; action: string }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every /api route with its access declaration: the generated access matrix walks this. */
    declaredRoutes: DeclaredRoute[]
  }
}

/**
 * A route under /api that does not declare what it touches refuses to start: a forgotten
 * declaration must fail loudly, not default to open (DESIGN.md "Least privilege").
 */
export default fp(async (app) => {
  const undeclared: string[] = []
  const declared: DeclaredRoute[] = []
  app.decorate('declaredRoutes', declared)
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    for (const method of methods) {
      if (method === 'HEAD') continue
      if (!route.config?.access) undeclared.push(`${String(method)} ${route.url}`)
      else declared.push({ method: String(method), url: route.url, access: route.config.access })
    }
  })
  app.addHook('onReady', async () => {
    if (undeclared.length > 0) throw new Error(`Routes without an access declaration: ${undeclared.join(', ')}`)
  })
}, { name: 'route-guard' })
