import fp from 'fastify-plugin'
import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod'
import { AppError } from '../lib/errors.js'
import { pickLocale, translate, type Locale } from '../lib/i18n.js'
import { detailWords, humanParams } from '../lib/error-words.js'

/** Codes whose message already names the field from its parameters (adding the details would say it twice). */
const MESSAGES_NAMING_FIELDS = new Set(['duplicate', 'field_not_writable', 'field_not_readable', 'unknown_reference', 'import_rejected', 'import_bad_headers', 'import_unknown_columns', 'student_no_not_in_class', 'classmate_name_not_found', 'student_not_in_class'])
import { isDatabaseUnavailable } from '../db/server-client.js'

declare module 'fastify' {
  interface FastifyRequest {
    locale: Locale
  }
}

export interface ErrorBody {
  statusCode: number
  code: string
  message: string
  requestId: string
  details?: unknown
}

export function errorBody(req: FastifyRequest, statusCode: number, code: string, params: Record<string, string | number> = {}, details?: unknown): ErrorBody {
  const locale = req.locale ?? 'zh-CN'
  // The message names the field or value concerned, in words.
  let message = translate(code, locale, humanParams(code, params, locale))
  const named = detailWords(details, locale)
  if (named && !MESSAGES_NAMING_FIELDS.has(code)) message = translate('invalid_fields', locale, { message, fields: named })
  const body: ErrorBody = { statusCode, code, message, requestId: String(req.id) }
  if (details !== undefined) body.details = details
  return body
}

const SQLSTATE = /^[0-9A-Z]{5}$/
type Loose = Record<string, unknown>
const str = (v: unknown) => (typeof v === 'string' ? v : undefined)

/**
 * What an unexpected error may put in the log (logs never carry personal data).
 * drizzle's DrizzleQueryError message lists the query's parameter values ("params: …"), and
 * PostgreSQL messages and details can quote input ('invalid input syntax …: "…"', "Key (…)=(…)").
 * So a database error logs the statement text (placeholders only), the SQLSTATE and object
 * names, and a stack without its message line. Other errors keep kind, code, message, stack.
 */
export function loggableError(err: unknown): Loose {
  const chain: Loose[] = []
  for (let e: unknown = err; e && typeof e === 'object' && chain.length < 5; e = (e as Loose).cause) chain.push(e as Loose)
  const top = chain[0] ?? {}
  const pg = chain.find((e) => typeof e.code === 'string' && SQLSTATE.test(e.code) && 'severity' in e)
  const query = chain.map((e) => str(e.query)).find(Boolean)
  if (pg || query) {
    const frames = str(top.stack)?.split('\n').filter((l) => /^\s+at /.test(l)).join('\n')
    return {
      kind: str(top.name),
      sqlState: str(pg?.code),
      table: str(pg?.table) ?? str(pg?.table_name),
      column: str(pg?.column) ?? str(pg?.column_name),
      constraint: str(pg?.constraint) ?? str(pg?.constraint_name),
      routine: str(pg?.routine),
      query,
      stack: frames,
    }
  }
  // `kind`: pino's err serializer overwrites `type` with the constructor name, and `*.name` is redacted.
  return { kind: str(top.name), code: top.code, message: str(top.message), stack: str(top.stack) }
}

/** SQLSTATEs that only a submitted value can cause, and the issue each names. */
const INPUT_SQLSTATES: Record<string, string> = {
  '22P05': 'invalid_characters', // untranslatable character (NUL in text or jsonb)
  '22021': 'invalid_characters', // invalid byte sequence for the encoding
  '22007': 'invalid_date', // invalid datetime format
  '22008': 'invalid_date', // datetime field overflow (year 0, 2026-02-30)
  '22003': 'out_of_range', // numeric value out of range
  '22001': 'too_long', // string too long for the column
  '22P02': 'invalid_format', // invalid text representation (a malformed uuid, number or enum)
  '54000': 'too_long', // program limit exceeded: a value too large for an index row
}

/** The database error an input value caused, with the column when PostgreSQL names one. */
export function inputErrorOf(err: unknown): { field: string; issue: string } | null {
  for (let e: unknown = err, n = 0; e && typeof e === 'object' && n < 5; e = (e as Loose).cause, n++) {
    const code = str((e as Loose).code)
    if (code && SQLSTATE.test(code) && INPUT_SQLSTATES[code]) {
      const column = str((e as Loose).column) ?? str((e as Loose).column_name)
      return { field: column ?? 'request', issue: INPUT_SQLSTATES[code] }
    }
  }
  return null
}

/** Bad escapes and over-long path parameters, found while routing (before any hook runs). */
export function answerFrameworkError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  req.locale = pickLocale(req.headers['accept-language'])
  const status = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400
  void reply.status(status).header('x-request-id', req.id).header('cache-control', 'no-store')
    .send(errorBody(req, status, status === 414 ? 'uri_too_long' : 'bad_request'))
}

const CLIENT_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large'],
  HPE_URI_TOO_LONG: [414, 'uri_too_long'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout'],
}

/**
 * Requests Node's HTTP parser refuses never reach Fastify (headers over maxHeaderSize, a
 * malformed request line): answered here in the documented shape, on the raw socket. The
 * headers were not read, so the message is in the default language.
 */
export function writeClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || socket.destroyed) return
  // As Node does: answer only on a socket that has not yet carried part of an answer.
  if (!socket.writable || ((socket as Duplex & { bytesWritten?: number }).bytesWritten ?? 0) > 0) {
    socket.destroy()
    return
  }
  const [status, code] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'bad_request']
  const requestId = randomUUID()
  const body = JSON.stringify({ statusCode: status, code, message: translate(code, 'zh-CN'), requestId })
  socket.write([
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'cache-control: no-store',
    `x-request-id: ${requestId}`,
    'connection: close',
    '', body,
  ].join('\r\n'))
  socket.destroy()
}

/** One mapper from thrown errors to the public error shape; 5xx never carries internals. */
export default fp(async (app) => {
  app.decorateRequest('locale', 'zh-CN')
  app.addHook('onRequest', async (req) => {
    req.locale = pickLocale(req.headers['accept-language'])
  })

  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof AppError) {
      // A refusal that came from a failure (an upload the parser failed on) logs where it failed:
      // a damaged file and a fault of the reader's own are told apart there, not in the answer.
      if (typeof err.cause === 'string') {
        req.log[err.statusCode >= 500 ? 'error' : 'warn']({ code: err.code, cause: err.cause }, 'request refused, with where it failed')
      }
      return reply.status(err.statusCode).send(errorBody(req, err.statusCode, err.code, err.params, err.details))
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      // Only paths and zod's issue codes: never the submitted values, which may be personal.
      const details = err.validation.map((v) => ({
        field: [err.validationContext, ...(v.instancePath ? v.instancePath.split('/').filter(Boolean) : [])].join('.'),
        issue: v.params?.issue && typeof v.params.issue === 'object' && 'code' in v.params.issue ? String(v.params.issue.code) : v.keyword,
        ...(v.params?.issue && typeof v.params.issue === 'object' && 'keys' in v.params.issue ? { keys: v.params.issue.keys } : {}),
        // fastify-type-provider-zod 7 spreads the zod issue into params itself (no `issue` key).
        ...(Array.isArray(v.params?.keys) ? { keys: v.params.keys } : {}),
      }))
      return reply.status(400).send(errorBody(req, 400, 'validation_failed', {}, details))
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err: { message: 'response serialization failed', route: req.routeOptions.url } })
      return reply.status(500).send(errorBody(req, 500, 'internal'))
    }
    const input = inputErrorOf(err)
    if (input) {
      // PostgreSQL refused a value the schemas let through: the client's input, not a fault.
      req.log.warn({ err: loggableError(err) }, 'database refused an input value')
      return reply.status(400).send(errorBody(req, 400, 'validation_failed', {}, [{ field: input.field, issue: input.issue }]))
    }
    const status = err.statusCode ?? 500
    if (status === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send(errorBody(req, 413, 'payload_too_large'))
    }
    if (status === 415 || err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send(errorBody(req, 415, 'unsupported_media_type'))
    }
    if (status === 429) {
      return reply.status(429).send(errorBody(req, 429, 'rate_limited'))
    }
    if (status >= 400 && status < 500) {
      return reply.status(status).send(errorBody(req, status, 'bad_request'))
    }
    if (isDatabaseUnavailable(err)) {
      // Lost, refused, frozen or restarting database, or a statement over DB_STATEMENT_TIMEOUT_MS:
      // a retryable 503, logged as a warning without the query's parameters.
      req.log.warn({ err: loggableError(err) }, 'database unavailable')
      return reply.header('retry-after', '2').status(503).send(errorBody(req, 503, 'database_unavailable'))
    }
    req.log.error({ err: loggableError(err) }, 'unhandled error')
    return reply.status(500).send(errorBody(req, 500, 'internal'))
  })

  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send(errorBody(req, 404, 'route_not_found'))
  })
}, { name: 'errors' })
