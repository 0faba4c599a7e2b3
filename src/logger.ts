import type { FastifyServerOptions } from 'fastify'
import type { DestinationStream } from 'pino'
import type { Config } from './config.js'

/**
 * Logs carry ids and routes, never personal data (DESIGN.md "Privacy rules"). Bodies are
 * not logged at all; query strings are dropped because a search can hold a name; these
 * paths cover whatever a later log line might attach by mistake.
 */
export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-refresh-token"]', 'res.headers["set-cookie"]',
  '*.password', '*.currentPassword', '*.newPassword', '*.passwordHash', '*.accessToken', '*.refreshToken', '*.token',
  '*.name', '*.displayName', '*.phone', '*.guardianName', '*.guardianPhone', '*.birthDate', '*.studentNo',
  '*.answers', '*.score', '*.scores', '*.note', '*.notes', '*.content', '*.summary', '*.text', '*.body',
]

export function loggerOptions(config: Config, stream?: DestinationStream): FastifyServerOptions['logger'] {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req(req: { method: string; url: string; id: string; routeOptions?: { url?: string } }) {
        return { method: req.method, url: req.url.split('?')[0], route: req.routeOptions?.url, reqId: req.id }
      },
      res(res: { statusCode: number }) {
        return { statusCode: res.statusCode }
      },
    },
    ...(stream ? { stream } : {}),
  }
}
