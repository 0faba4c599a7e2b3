import { z } from 'zod'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { FastifyRequest } from 'fastify'
import type { Config } from '../../config.js'
import { appendAudit } from '../../audit/audit.js'
import { StaleActor } from '../../access/transaction.js'
import { AppError } from '../../lib/errors.js'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf, purposeOf } from '../../plugins/access.js'
import {
  BoxItem, BoxPatch, ConvertedAnswer, EmptyBody, errors, LetterDanger, LetterItem, LetterListQuery, LetterPatch, LetterReply,
  LetterToAlert, LetterToCase, QrQuery, security,
} from './schemas.js'

const tags = ['letterbox']

/**
 * Where the printed poster sends students: PUBLIC_BASE_URL, never anything from the request
 * (a Host or X-Forwarded-Host header is the client's to choose, and a poster pointing at
 * someone else's site would collect letters for them). Without it, production refuses and
 * says what to set; development uses the address the server listens on.
 */
export function posterBase(config: Pick<Config, 'PUBLIC_BASE_URL' | 'NODE_ENV' | 'HOST' | 'PORT'>): string {
  if (config.PUBLIC_BASE_URL) {
    const u = new URL(config.PUBLIC_BASE_URL)
    return u.origin + u.pathname.replace(/\/+$/, '')
  }
  if (config.NODE_ENV === 'production') throw new AppError(409, 'public_base_url_missing')
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' || config.HOST === '' ? 'localhost' : config.HOST
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.PORT}`
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** 解忧树洞 for psychology teachers (letters) and for psychology teachers and admins (the box). */
const letterRoutes: FastifyPluginAsyncZod = async (app) => {
  const { letters, letterboxAdmin: boxes } = app.services.practices

  /**
   * A letter turned into an alert, case or crisis that fails is audited here instead of by the
   * generic refusal row, which would put the letter's id (from the path) and the student's
   * (from the body) in one row: this row is about the record that was to be made, names the
   * student the request named, and no letter.
   */
  async function unlinked<T>(req: FastifyRequest, resource: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (err) {
      const decision = req.access
      // A stale actor ran nothing: the request is answered again as the actor loaded afresh (plugins/auth.ts).
      if (!decision || !req.actor || err instanceof StaleActor) throw err
      const status = err instanceof AppError ? err.statusCode : 500
      const named = (req.body as { studentId?: unknown } | null | undefined)?.studentId
      await appendAudit(app.database.db, {
        actorId: req.actor.userId, roles: decision.roles, action: status === 404 ? 'denied' : 'C', resource,
        recordIds: [], studentIds: typeof named === 'string' && UUID.test(named) ? [named.toLowerCase()] : [],
        outcome: status === 404 ? 'not_found' : status === 403 ? 'denied' : 'rejected',
        requestId: String(req.id), purpose: purposeOf(req), schoolId: req.actor.schoolId,
      }).catch((e: unknown) => req.log.error({ err: { name: (e as Error)?.name } }, 'audit of a failed letter conversion failed'))
      req.access = null // recorded above; the generic row would name the letter
      throw err
    }
  }

  app.get('/letters', {
    config: { access: { resource: 'letters', action: 'list' } },
    schema: { tags, security, summary: '来信列表 Letters of the school (danger and urgent first)', querystring: LetterListQuery, response: { 200: page(LetterItem), ...errors } },
  }, async (req) => letters.list(contextOf(req), req.query))

  app.get('/letters/:id', {
    config: { access: { resource: 'letters', action: 'read' } },
    schema: { tags, security, summary: '来信 One letter', params: IdParams, response: { 200: LetterItem, ...errors } },
  }, async (req) => letters.get(contextOf(req), req.params.id))

  app.patch('/letters/:id', {
    config: { access: { resource: 'letters', action: 'update' } },
    schema: { tags, security, summary: '分类 Classify a letter (category, urgent)', params: IdParams, body: LetterPatch, response: { 200: LetterItem, ...errors } },
  }, async (req) => letters.classify(contextOf(req), req.params.id, req.body))

  app.put('/letters/:id/reply', {
    config: { access: { resource: 'letters', action: 'update' } },
    schema: { tags, security, summary: '回信 Reply (the writer reads it with their code)', params: IdParams, body: LetterReply, response: { 200: LetterItem, ...errors } },
  }, async (req) => letters.reply(contextOf(req), req.params.id, req.body))

  app.post('/letters/:id/alert', {
    config: { access: { resource: 'letters', action: 'transition' } },
    schema: { tags, security, summary: '转为预警 Raise a peer alert about the student a letter names', params: IdParams, body: LetterToAlert, response: { 201: ConvertedAnswer, ...errors } },
  }, async (req, reply) => reply.status(201).send(await unlinked(req, 'peer_alerts', () => letters.toAlert(contextOf(req), req.params.id, req.body))))

  app.post('/letters/:id/case', {
    config: { access: { resource: 'letters', action: 'transition' } },
    schema: { tags, security, summary: '转为个案 Open a case for the student a letter names', params: IdParams, body: LetterToCase, response: { 201: ConvertedAnswer, ...errors } },
  }, async (req, reply) => reply.status(201).send(await unlinked(req, 'cases', () => letters.toCase(contextOf(req), req.params.id, req.body))))

  app.post('/letters/:id/danger', {
    config: { access: { resource: 'letters', action: 'transition' } },
    schema: {
      tags, security, summary: '危机标记 Flag a letter as signalling danger; with a student, open a crisis event',
      params: IdParams, body: LetterDanger.nullish(),
      response: { 200: z.object({ letter: LetterItem, crisisId: z.string().nullable() }), ...errors },
    },
  }, async (req) => unlinked(req, 'crisis_events', () => letters.flagDanger(contextOf(req), req.params.id, req.body)))

  app.get('/letterbox-admin', {
    config: { access: { resource: 'letter_boxes', action: 'read' } },
    schema: { tags, security, summary: '信箱设置 The school’s letter box (made, closed, on first use)', response: { 200: BoxItem, ...errors } },
  }, async (req) => boxes.get(contextOf(req)))

  app.patch('/letterbox-admin', {
    config: { access: { resource: 'letter_boxes', action: 'update' } },
    schema: { tags, security, summary: '开关信箱 Open or close the box; the message shown when closed', body: BoxPatch, response: { 200: BoxItem, ...errors } },
  }, async (req) => boxes.update(contextOf(req), req.body))

  app.post('/letterbox-admin/rotate', {
    config: { access: { resource: 'letter_boxes', action: 'update' } },
    schema: { tags, security, summary: '更换链接 New public link; the old one stops working', body: EmptyBody, response: { 200: BoxItem, ...errors } },
  }, async (req) => boxes.rotate(contextOf(req)))

  app.get('/letterbox-admin/qr.svg', {
    config: { access: { resource: 'letter_boxes', action: 'read' } },
    schema: { tags, security, summary: '二维码海报 Printable QR poster of the public link (SVG), at PUBLIC_BASE_URL', querystring: QrQuery, response: { 200: z.string(), ...errors } },
  }, async (req, reply) => {
    const svg = await boxes.qr(contextOf(req), posterBase(app.config))
    return reply.type('image/svg+xml; charset=utf-8').header('cache-control', 'no-store').send(svg)
  })
}

export default letterRoutes
