import fp from 'fastify-plugin'
import compress from '@fastify/compress'

/**
 * Answers that carry a bearer or refresh token next to what the caller sent: left
 * uncompressed, so the compressed length cannot be used to guess the token byte by byte
 * (BREACH). They are a few hundred bytes; nothing is lost.
 */
const TOKEN_ROUTES = /^\/api\/v1\/auth\/(login|refresh|password)$/

/**
 * HTTP compression: br or gzip for every answer of a compressible type over 1 KiB —
 * the API's JSON, index.html, the letter box page. The client's hashed assets are compressed
 * once at build time (src/web/vite.config.ts) and sent as they are by plugins/web.ts; an
 * answer that already has a Content-Encoding is left alone. Spreadsheets (.xlsx is a zip) are
 * not a compressible type and go out byte for byte.
 *
 * Request bodies are never inflated: no client sends them compressed, and inflating them
 * would let a small upload grow past the body and spreadsheet limits before they are checked.
 */
export default fp(async (app) => {
  // Runs before @fastify/compress's own onRoute hook, which reads `compress` (hooks run in order).
  app.addHook('onRoute', (route) => {
    if (TOKEN_ROUTES.test(route.url)) route.compress = false
  })
  await app.register(compress, {
    global: true,
    globalDecompression: false,
    encodings: ['br', 'gzip'],
    threshold: 1024,
  })
}, { name: 'compression' })
