import { z } from 'zod'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import { createLetterboxAdminService } from './letterbox-admin-service.js'
import { createLetterService } from './letter-service.js'
import {
  BoxItem, BoxPatch, ConvertedAnswer, EmptyBody, errors, LetterDanger, LetterItem, LetterListQuery, LetterPatch, LetterReply,
  LetterToAlert, LetterToCase, QrQuery, security,
} from './schemas.js'

const tags = ['letterbox']

/** 解忧树洞 for psychology teachers (letters) and for psychology teachers and admins (the box). */
const letterRoutes: FastifyPluginAsyncZod = async (app) => {
  const letters = createLetterService(app)
  const boxes = createLetterboxAdminService(app)

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
  }, async (req, reply) => reply.status(201).send(await letters.toAlert(contextOf(req), req.params.id, req.body)))

  app.post('/letters/:id/case', {
    config: { access: { resource: 'letters', action: 'transition' } },
    schema: { tags, security, summary: '转为个案 Open a case for the student a letter names', params: IdParams, body: LetterToCase, response: { 201: ConvertedAnswer, ...errors } },
  }, async (req, reply) => reply.status(201).send(await letters.toCase(contextOf(req), req.params.id, req.body)))

  app.post('/letters/:id/danger', {
    config: { access: { resource: 'letters', action: 'transition' } },
    schema: {
      tags, security, summary: '危机标记 Flag a letter as signalling danger; with a student, open a crisis event',
      params: IdParams, body: LetterDanger.nullish(),
      response: { 200: z.object({ letter: LetterItem, crisisId: z.string().nullable() }), ...errors },
    },
  }, async (req) => letters.flagDanger(contextOf(req), req.params.id, req.body))

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
    schema: { tags, security, summary: '二维码海报 Printable QR poster of the public link (SVG)', querystring: QrQuery, response: { 200: z.string(), ...errors } },
  }, async (req, reply) => {
    const origin = req.query.base ?? app.config.PUBLIC_BASE_URL?.replace(/\/$/, '') ?? `${req.protocol}://${req.host}`
    const svg = await boxes.qr(contextOf(req), new URL(origin).origin)
    return reply.type('image/svg+xml; charset=utf-8').header('cache-control', 'no-store').send(svg)
  })
}

export default letterRoutes
