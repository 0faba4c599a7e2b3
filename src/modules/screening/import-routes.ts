import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { AppError, NotFound } from '../../lib/errors.js'
import { ErrorSchema, IdParams } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import { XLSX_TYPE } from '../roster/import.js'
import { publicJob } from './import-jobs.js'
import type { ImportService } from './import-service.js'
import { errors, ImportJob, ImportQuery, security, tags } from './schemas.js'

/** 测评结果导入: the file is the body; progress is polled by job id. */
const importRoutes: FastifyPluginAsyncZod<{ service: ImportService }> = async (app, { service }) => {
  const limit = app.config.UPLOAD_LIMIT_BYTES

  // This plugin's own context: the raw-file parsers and the larger body limit reach no other route.
  app.addContentTypeParser(['text/csv', XLSX_TYPE], { parseAs: 'buffer', bodyLimit: limit }, (_req, body, done) => done(null, body))

  app.post('/screening/campaigns/:id/import', {
    bodyLimit: limit,
    config: { access: { resource: 'screening_responses', action: 'import' } },
    schema: {
      tags, security,
      summary: '导入测评结果 Import a campaign’s results (CSV or xlsx, one row per student)',
      description: 'Body: the file itself, Content-Type text/csv (UTF-8 or GB18030) or ' + XLSX_TYPE + '. Columns 学号, [姓名] (checked only), '
        + 'item columns PHQ1…PHQ9 / GAD1…GAD7 (or 第1题… with one instrument or ?instrument=), [测评日期]. Scores are computed here, never read '
        + 'from the file. All or nothing; importing the same file again changes nothing. An answer ≥ 1 to PHQ item 9, or any yes on the ASQ, opens a crisis event. '
        + 'When the campaign requires consent (知情同意), a row of a student without it is a bad row (row number and reason: 监护人不同意 / 未收回同意书 / 学生本人不同意) '
        + 'unless consentOverride=<reason> is given: then such rows are imported, carry the reason, and the audit row names the override. '
        + 'Without wait=true the answer is 202 with a job to poll at GET /screening/imports/:id.',
      consumes: ['text/csv', XLSX_TYPE],
      params: IdParams, querystring: ImportQuery,
      response: { 200: ImportJob, 202: ImportJob, ...errors, 413: ErrorSchema, 415: ErrorSchema, 422: ErrorSchema },
    },
  }, async (req, reply) => {
    if (!Buffer.isBuffer(req.body)) throw new AppError(415, 'unsupported_media_type')
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
    const wait = req.query.wait === 'true'
    const job = await service.start(contextOf(req), req.params.id, req.body, type === XLSX_TYPE ? 'xlsx' : 'csv', {
      wait, instrument: req.query.instrument, locale: req.locale, consentOverride: req.query.consentOverride,
    })
    return reply.status(wait ? 200 : 202).send(publicJob(job))
  })

  app.get('/screening/imports/:id', {
    config: { access: { resource: 'screening_responses', action: 'import' } },
    schema: {
      tags, security, summary: '导入进度 Progress of an import (status, phase, processed / total, errors)',
      params: IdParams, response: { 200: ImportJob, ...errors },
    },
  }, async (req) => {
    const job = service.status(contextOf(req), req.params.id)
    if (!job) throw new NotFound()
    return publicJob(job)
  })
}

export default importRoutes
