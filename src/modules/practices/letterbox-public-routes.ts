import { createHmac, randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { ErrorSchema } from '../../lib/schemas.js'
import { TooMany } from '../../lib/errors.js'
import { BoxInfo, LetterWritten, LetterWrite, ReplyAnswer, ReplyLookup, SlugParams } from './schemas.js'

/**
 * Abuse guard of the anonymous letter box: a budget per client and a much larger one per box.
 * The client budget stops one visitor flooding; the box budget only caps what a crowd can
 * store, and it is set so far above the client budget (by default 2000 letters an hour,
 * LETTERBOX_LETTERS_PER_HOUR, against 30 an hour per client) that silencing a box takes
 * some seventy networks writing flat out, not a handful of addresses. Windows in ms.
 */
export const LETTERBOX_LIMITS = {
  info: { client: { max: 60, timeWindow: 60_000 } },
  write: { client: { max: 5, timeWindow: 10 * 60_000 }, box: { timeWindow: 60 * 60_000 } },
  reply: { client: { max: 20, timeWindow: 10 * 60_000 }, box: { max: 5000, timeWindow: 60 * 60_000 } },
} as const

/**
 * Whose budget a request spends: an IPv4 address, or an IPv6 /64 (one household or phone is
 * given a whole /64, so counting single IPv6 addresses would give one visitor billions of
 * budgets). IPv4-mapped IPv6 counts as the IPv4 address.
 */
export function clientNetwork(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  if (mapped) return mapped[1]!
  if (!ip.includes(':')) return ip
  const [head = '', tail = ''] = ip.split('::', 2)
  const h = head ? head.split(':') : []
  const tl = ip.includes('::') ? (tail ? tail.split(':') : []) : []
  const groups = ip.includes('::') ? [...h, ...Array<string>(Math.max(0, 8 - h.length - tl.length)).fill('0'), ...tl] : h
  return groups.slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16)).join(':') + '::/64'
}

/**
 * The client key is an HMAC of the network under a key made at start-up and never stored:
 * the limiter's memory holds no IP address, and nothing here logs or stores one.
 */
const CLIENT_KEY = randomBytes(32)
const clientKey = (req: FastifyRequest) => `c:${createHmac('sha256', CLIENT_KEY).update(clientNetwork(req.ip)).digest('base64url').slice(0, 22)}`
const boxKey = (req: FastifyRequest) => `b:${(req.params as { slug?: string }).slug ?? ''}`

const tags = ['letterbox']
const publicErrors = { 400: ErrorSchema, 404: ErrorSchema, 423: ErrorSchema, 429: ErrorSchema }

const letterboxPublicRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = app.services.practices.letterboxPublic

  type Limiter = ReturnType<typeof app.createRateLimit>
  const limiter = (max: number, timeWindow: number, keyGenerator: (req: FastifyRequest) => string): Limiter =>
    app.createRateLimit({ max, timeWindow, keyGenerator })
  const guard = (limiters: Limiter[]) => async (req: FastifyRequest, reply: FastifyReply) => {
    for (const limit of limiters) {
      const r = await limit(req)
      if (!r.isAllowed && r.isExceeded) {
        reply.header('retry-after', r.ttlInSeconds)
        throw new TooMany('rate_limited')
      }
    }
  }
  const infoGuard = guard([limiter(LETTERBOX_LIMITS.info.client.max, LETTERBOX_LIMITS.info.client.timeWindow, clientKey)])
  const writeGuard = guard([
    limiter(LETTERBOX_LIMITS.write.client.max, LETTERBOX_LIMITS.write.client.timeWindow, clientKey),
    limiter(app.config.LETTERBOX_LETTERS_PER_HOUR, LETTERBOX_LIMITS.write.box.timeWindow, boxKey),
  ])
  const replyGuard = guard([
    limiter(LETTERBOX_LIMITS.reply.client.max, LETTERBOX_LIMITS.reply.client.timeWindow, clientKey),
    limiter(LETTERBOX_LIMITS.reply.box.max, LETTERBOX_LIMITS.reply.box.timeWindow, boxKey),
  ])

  app.get('/letterbox/:slug', {
    config: { access: { public: true } },
    onRequest: infoGuard,
    schema: { tags, summary: '解忧树洞 The letter box (anonymous)', params: SlugParams, response: { 200: BoxInfo, ...publicErrors } },
  }, async (req) => service.info(req.params.slug))

  app.post('/letterbox/:slug/letters', {
    config: { access: { public: true } },
    onRequest: writeGuard,
    schema: {
      tags, summary: '写信 Write a letter (anonymous); answers the reply code once',
      params: SlugParams, body: LetterWrite, response: { 201: LetterWritten, ...publicErrors },
    },
  }, async (req, reply) => reply.status(201).send(await service.write(req.params.slug, req.body)))

  // POST, not GET: the code must never sit in a URL, a log line or a browser history.
  app.post('/letterbox/:slug/replies', {
    config: { access: { public: true } },
    onRequest: replyGuard,
    schema: {
      tags, summary: '查看回信 Read the reply with the reply code (anonymous)',
      params: SlugParams, body: ReplyLookup, response: { 200: ReplyAnswer, ...publicErrors },
    },
  }, async (req) => service.reply(req.params.slug, req.body.replyCode))
}

export default letterboxPublicRoutes
