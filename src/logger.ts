import type { FastifyServerOptions } from 'fastify'
import type { DestinationStream } from 'pino'
import type { Config } from './config.js'

/**
 * Logs carry ids and routes, never personal data. Bodies are
 * not logged at all; query strings are dropped because a search can hold a name; these
 * paths cover whatever a later log line might attach by mistake.
 */
export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-refresh-token"]', 'res.headers["set-cookie"]',
  '*.password', '*.currentPassword', '*.newPassword', '*.passwordHash', '*.accessToken', '*.refreshToken', '*.token',
  '*.name', '*.displayName', '*.phone', '*.guardianName', '*.guardianPhone', '*.birthDate', '*.studentNo',
  '*.answers', '*.score', '*.scores', '*.note', '*.notes', '*.content', '*.summary', '*.text', '*.body',
]

/**
 * Paths whose parameters must not reach a log line, logged with the parameter replaced:
 * the letter box's public link (its slug names the school, and the line's time and request
 * id would date a letter to it), and a teacher turning a letter into an alert, case or
 * crisis (the letter's id next to the request id would link the letter to the student whom
 * the new record's audit row names). Matched on the path itself, so a path no route knows
 * is covered too.
 */
const HIDDEN_PARAMS: [RegExp, string][] = [
  [/^((?:\/+api\/+v1)?)\/+letterbox\/+[^/]*/i, '$1/letterbox/:slug'],
  [/^\/+api\/+v1\/+letters\/+[^/]+\/+(alert|case|danger)\/*$/i, '/api/v1/letters/:id/$1'],
]
const HIDDEN_ROUTES = /\/letterbox\/:slug|\/letters\/:id\/(alert|case|danger)$/

export function loggedPath(path: string, route?: string): string {
  // A matched route of these kinds logs its pattern, however the path was spelled (%-escapes).
  if (route && HIDDEN_ROUTES.test(route)) return route
  let plain = path
  try { plain = decodeURIComponent(path) } catch { /* a malformed escape: match the path as sent */ }
  for (const [re, to] of HIDDEN_PARAMS) if (re.test(plain)) return plain.replace(re, to)
  return path
}

export function loggerOptions(config: Config, stream?: DestinationStream): FastifyServerOptions['logger'] {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req(req: { method: string; url: string; id: string; routeOptions?: { url?: string } }) {
        return { method: req.method, url: loggedPath(req.url.split('?')[0]!, req.routeOptions?.url), route: req.routeOptions?.url, reqId: req.id }
      },
      res(res: { statusCode: number }) {
        return { statusCode: res.statusCode }
      },
    },
    ...(stream ? { stream } : {}),
  }
}
