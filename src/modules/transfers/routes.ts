import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ErrorSchema, IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import { sealedArchive, transferHtml } from './export-archive.js'
import { SchoolChoice, TransferCreate, TransferDecline, TransferExport, TransferItem, TransferListQuery, TransferPatch } from './schemas.js'
import type { TransferService } from './transfer-service.js'

const tags = ['transfers']
const security = [{ bearer: [] }]
const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema }
const sent = { resource: 'student_transfers' }
const received = { resource: 'student_transfers_received' }

/** 转学: the file follows the pupil — prepared and sent by one school, accepted or declined by another. */
const transferRoutes: FastifyPluginAsyncZod<{ transfers: TransferService }> = async (app, { transfers }) => {
  app.get('/transfer-schools', {
    config: { access: { ...sent, action: 'create' } },
    schema: { tags, security, summary: '转入学校 The district\'s other XinAn schools (names only)', response: { 200: z.array(SchoolChoice), ...errors } },
  }, async (req) => transfers.schools(contextOf(req)))

  app.post('/students/:id/transfers', {
    config: { access: { ...sent, action: 'create' } },
    schema: {
      tags, security, summary: '准备转学档案 Prepare a transfer package (a draft) for a pupil',
      params: IdParams, body: TransferCreate, response: { 201: TransferItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await transfers.create(contextOf(req), req.params.id, req.body)))

  app.get('/students/:id/transfers', {
    config: { access: { ...sent, action: 'list' } },
    schema: { tags, security, summary: '学生的转学档案 The packages prepared for one pupil (no content)', params: IdParams, response: { 200: page(TransferItem), ...errors } },
  }, async (req) => transfers.ofPupil(contextOf(req), req.params.id))

  app.get('/transfers', {
    config: { access: { ...sent, action: 'list' } },
    schema: { tags, security, summary: '转出的档案 Packages this school prepared', querystring: TransferListQuery, response: { 200: page(TransferItem), ...errors } },
  }, async (req) => transfers.listSent(contextOf(req), req.query))

  app.get('/transfers/:id', {
    config: { access: { ...sent, action: 'read' } },
    schema: { tags, security, summary: '转出的档案 One package with its content (until accepted)', params: IdParams, response: { 200: TransferItem, ...errors } },
  }, async (req) => transfers.getSent(contextOf(req), req.params.id))

  app.patch('/transfers/:id', {
    config: { access: { ...sent, action: 'update' } },
    schema: { tags, security, summary: '修改草稿 Change a draft package', params: IdParams, body: TransferPatch, response: { 200: TransferItem, ...errors } },
  }, async (req) => transfers.update(contextOf(req), req.params.id, req.body))

  app.post('/transfers/:id/send', {
    config: { access: { ...sent, action: 'transition' } },
    schema: { tags, security, summary: '发送 Send the package (guardian consent required)', params: IdParams, response: { 200: TransferItem, ...errors } },
  }, async (req) => transfers.send(contextOf(req), req.params.id))

  app.post('/transfers/:id/cancel', {
    config: { access: { ...sent, action: 'transition' } },
    schema: { tags, security, summary: '撤回 Withdraw a package not yet decided', params: IdParams, response: { 200: TransferItem, ...errors } },
  }, async (req) => transfers.cancel(contextOf(req), req.params.id))

  app.get('/received-transfers', {
    config: { access: { ...received, action: 'list' } },
    schema: { tags, security, summary: '转入的档案 Packages sent to this school (content only once accepted)', querystring: TransferListQuery, response: { 200: page(TransferItem), ...errors } },
  }, async (req) => transfers.listReceived(contextOf(req), req.query))

  app.post('/received-transfers/:id/open', {
    config: { access: { ...received, action: 'read' } },
    schema: { tags, security, summary: '查看 Open a package (marks it viewed)', params: IdParams, response: { 200: TransferItem, ...errors } },
  }, async (req) => transfers.open(contextOf(req), req.params.id))

  app.post('/received-transfers/:id/accept', {
    config: { access: { ...received, action: 'transition' } },
    schema: { tags, security, summary: '接收 Accept (the pupil must be on the roster with this 学籍号)', params: IdParams, response: { 200: TransferItem, ...errors } },
  }, async (req) => transfers.accept(contextOf(req), req.params.id))

  app.post('/received-transfers/:id/decline', {
    config: { access: { ...received, action: 'transition' } },
    schema: { tags, security, summary: '退回 Decline with a reason', params: IdParams, body: TransferDecline, response: { 200: TransferItem, ...errors } },
  }, async (req) => transfers.decline(contextOf(req), req.params.id, req.body))

  app.post('/students/:id/transfer-export', {
    // The pupil's file leaving XinAn: a recent proof of the login's factors, like every export.
    config: { access: { ...sent, action: 'export' }, stepUp: true },
    schema: {
      tags, security, summary: '校外转学 An encrypted archive (AES-256 zip, a print-ready page) for a school outside XinAn',
      params: IdParams, body: TransferExport,
      response: { 200: z.any().describe('application/zip'), ...errors },
    },
  }, async (req, reply) => {
    const b = req.body
    const { content, schoolName, today } = await transfers.exportContent(contextOf(req), req.params.id, b.parts, b.summary ?? null)
    const html = transferHtml(content, {
      fromSchool: schoolName, toSchool: b.receivingSchoolName, preparedOn: today,
      consent: { guardian: b.consentGuardian, method: b.consentMethod, date: b.consentDate },
    })
    const zip = await sealedArchive(html, b.password)
    return reply.header('content-type', 'application/zip')
      .header('content-disposition', `attachment; filename="transfer.zip"; filename*=UTF-8''${encodeURIComponent('转学档案.zip')}`)
      .header('cache-control', 'no-store')
      .send(Buffer.from(zip))
  })
}

export default transferRoutes
