import fp from 'fastify-plugin'
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

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
 * declaration must fail loudly, not default to open: least privilege by default.
 */
export default fp<{ publicPaths?: RegExp[] }>(async (app, opts) => {
  const publicPaths = opts.publicPaths ?? []
  const undeclared: string[] = []
  const declared: DeclaredRoute[] = []
  app.decorate('declaredRoutes', declared)
  app.addHook('onRoute', (route) => {
    if (route.config?.access && 'public' in route.config.access) publicPaths.push(pathPattern(route.url))
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

/** A route's path as a pattern for raw request paths (before routing): `:param` is one segment. */
export function pathPattern(url: string): RegExp {
  const body = url.split(/(:\w+|\*)/).map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('')
  return new RegExp(`^${body}/?$`, 'i')
}

const CLIENT_REQUEST_ID = /^[\w.-]{8,64}$/

/**
 * The request id: a well-formed client `X-Request-Id` is adopted only on a request that
 * carries a bearer token and is not for a public route. Such a caller is identified by its
 * token anyway, so its id joining our log to a proxy's log adds nothing; on a public route
 * (sign-in, the anonymous letter box) an id chosen by the client or a proxy would join our
 * audit row and log line to a log that holds the sender's address. Runs before routing,
 * so public routes are recognised by their path patterns (collected by the route guard).
 */
export function requestIdFor(req: IncomingMessage, publicPaths: RegExp[]): string {
  const given = req.headers['x-request-id']
  const auth = req.headers.authorization
  if (typeof given !== 'string' || !CLIENT_REQUEST_ID.test(given)) return randomUUID()
  if (typeof auth !== 'string' || !/^Bearer\s+\S+$/i.test(auth)) return randomUUID()
  const path = (req.url ?? '/').split('?')[0]!.replace(/\/{2,}/g, '/')
  let decoded = path
  try { decoded = decodeURIComponent(path) } catch { /* a malformed escape: match the path as sent */ }
  if (publicPaths.some((re) => re.test(path) || re.test(decoded))) return randomUUID()
  return given
}
