import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import fastifyStatic from '@fastify/static'

export interface WebOptions {
  /** Folder of the built client; default dist/web of the project. */
  root?: string
}

/** The project folder: the nearest parent with a package.json (works from src/ and from a tsc build in dist/). */
function projectRoot(from: string): string {
  let dir = from
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) return from
    dir = up
  }
  return dir
}

export const defaultWebRoot = () => join(projectRoot(import.meta.dirname), 'dist', 'web')

/** Paths that belong to the API side: they never fall back to the client's index.html. */
const SERVER_PATHS = /^\/(api|docs|healthz|readyz)(\/|$)/
/** A path with a file extension asks for a file; a missing one is a 404, not the app. */
const FILE_LIKE = /\/[^/]*\.[A-Za-z0-9]{1,8}$/

/**
 * The web client: the Vite build in dist/web, served at `/` under the API's own
 * helmet CSP (scripts 'self' only — the build has no inline script). Client routes such as
 * /students/… get index.html; /api, /docs and file-like paths keep their JSON 404.
 * Hashed assets are cached for a year; index.html is revalidated every time, so a new build
 * is picked up at once. Assets go out as the build compressed them (.br, .gz beside each
 * file) to a client that accepts it; plugins/compression.ts compresses index.html itself.
 */
const webPlugin: FastifyPluginAsync<WebOptions> = async (app, opts) => {
  const root = resolve(opts.root ?? defaultWebRoot())
  const indexFile = join(root, 'index.html')

  if (!existsSync(indexFile)) {
    app.log.warn({ root }, 'web client not built: run `npm run build:web`')
    const notBuilt = (reply: FastifyReply) => reply.status(503).type('text/plain; charset=utf-8')
      .send('心安网页端尚未构建，请运行 npm run build:web。\nThe XinAn web client is not built: run `npm run build:web`.\n')
    app.get('/', async (_req, reply) => notBuilt(reply))
    app.get('/*', async (req, reply) => (SERVER_PATHS.test(req.url) || FILE_LIKE.test(req.url.split('?')[0]!) ? reply.callNotFound() : notBuilt(reply)))
    return
  }

  // The login page shows the demo accounts only where the demo data can exist with its public password.
  const { config } = app
  const demo = config.NODE_ENV !== 'production' && config.SEED_DEMO && config.DEMO_PASSWORD === 'XinAn-demo-2026'
  const html = readFileSync(indexFile, 'utf8')
    .replace(/(<meta charset[^>]*>)/i, demo ? '$1\n    <meta name="xinan-demo" content="1" />' : '$1')

  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // Routes for the files present at start: no catch-all, so /api keeps its own 404.
    wildcard: false,
    index: false,
    // The build's .br/.gz twins are chosen by Accept-Encoding (preCompressed), never asked for by name.
    globIgnore: ['index.html', '**/*.br', '**/*.gz'],
    preCompressed: true,
    decorateReply: false,
    serveDotFiles: false,
    setHeaders(reply, path) {
      reply.header('cache-control', path.includes(`${join(root, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache')
    },
  })

  const sendIndex = (reply: FastifyReply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html)
  // index.html itself is served from memory (with the demo flag), under every client route.
  app.get('/', async (_req, reply) => sendIndex(reply))
  app.get('/*', async (req, reply) => {
    const path = req.url.split('?')[0]!
    if (path === '/index.html') return sendIndex(reply)
    if (SERVER_PATHS.test(path) || FILE_LIKE.test(path)) return reply.callNotFound()
    return sendIndex(reply)
  })
}

export default webPlugin
