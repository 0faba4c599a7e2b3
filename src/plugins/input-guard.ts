import fp from 'fastify-plugin'
import { AppError, Validation } from '../lib/errors.js'

/**
 * Control characters have no business in any field: PostgreSQL refuses NUL in text (the
 * request would fail deep inside a transaction), and the others hide text from people who
 * read it later. Free text keeps tab, line feed and carriage return; the query string, path
 * parameters and object keys keep none.
 */
/* eslint-disable no-control-regex -- matching control characters is the point */
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/
const CONTROL_ANY = /[\u0000-\u001F\u007F]/
/* eslint-enable no-control-regex */

/** A DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port. */
const HOST = /^(?:\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252}))(?::\d{1,5})?$/

/**
 * The first field holding a control character, as a dotted path ("body.notes", "querystring.q"; named as schema validation names them),
 * or null. Walks plain JSON values only; uploads (streams, buffers) are checked by their parsers.
 */
export function fieldWithControlChars(value: unknown, path: string, text: RegExp, depth = 0): string | null {
  if (typeof value === 'string') return text.test(value) ? path : null
  if (value === null || typeof value !== 'object' || depth > 32) return null
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = fieldWithControlChars(value[i], `${path}.${i}`, text, depth + 1)
      if (hit) return hit
    }
    return null
  }
  // Parsed query strings may come with their own prototype: skip only binary data and streams.
  if (ArrayBuffer.isView(value) || value instanceof Date || typeof (value as { pipe?: unknown }).pipe === 'function') return null
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    // The key itself is named by its position only: it may be the bad part.
    if (CONTROL_ANY.test(k)) return path
    const hit = fieldWithControlChars(v, `${path}.${k}`, text, depth + 1)
    if (hit) return hit
  }
  return null
}

/**
 * Registered after the access plugin: its permission check (also preValidation) answers a
 * caller without access first, so a refusal here tells nothing to someone who may not call
 * the route. Runs before schema validation, so no field reaches a service or the database.
 */
export default fp(async (app) => {
  app.addHook('onRequest', async (req) => {
    const host = req.headers.host
    if (host !== undefined && (host.length > 261 || !HOST.test(host))) {
      throw new AppError(400, 'invalid_host', {}, [{ field: 'headers.host', issue: 'invalid_host' }])
    }
  })

  app.addHook('preValidation', async (req) => {
    const field = fieldWithControlChars(req.params, 'params', CONTROL_ANY)
      ?? fieldWithControlChars(req.query, 'querystring', CONTROL_ANY)
      ?? fieldWithControlChars(req.body, 'body', CONTROL_IN_TEXT)
    if (field) throw new Validation('validation_failed', {}, [{ field, issue: 'invalid_characters' }])
  })
}, { name: 'input-guard', dependencies: ['errors'] })
