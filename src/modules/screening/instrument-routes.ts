import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import { XLSX_TYPE } from '../roster/import.js'
import type { InstrumentService } from './instrument-service.js'
import { errors, InstrumentCreate, InstrumentItem, InstrumentListQuery, security, tags } from './schemas.js'

const instrumentRoutes: FastifyPluginAsyncZod<{ service: InstrumentService }> = async (app, { service }) => {
  app.get('/screening/instruments', {
    config: { access: { resource: 'instruments', action: 'list' } },
    schema: {
      tags, security, summary: '测评工具 Instruments (built-in and the school’s own)',
      querystring: InstrumentListQuery, response: { 200: page(InstrumentItem), ...errors },
    },
  }, async (req) => service.list(contextOf(req), req.query))

  app.get('/screening/instruments/:id', {
    config: { access: { resource: 'instruments', action: 'read' } },
    schema: { tags, security, summary: '测评工具 One instrument with its items, bands and licence', params: IdParams, response: { 200: InstrumentItem, ...errors } },
  }, async (req) => service.get(contextOf(req), req.params.id))

  // For whoever may import results (the template is the import's own format), through their reading of the instrument.
  app.get('/screening/instruments/:id/template.xlsx', {
    config: { access: { resource: 'screening_responses', action: 'import' } },
    schema: {
      tags, security,
      summary: '导入模板 The result file template of one instrument (Chinese headers, one example row, item wording)',
      params: IdParams, produces: [XLSX_TYPE], response: { 200: z.any().describe('the .xlsx file'), ...errors },
    },
  }, async (req, reply) => {
    const { file, code } = await service.template(contextOf(req), req.params.id)
    const name = `${code}-导入模板.xlsx`
    return reply
      .header('content-type', XLSX_TYPE)
      .header('content-disposition', `attachment; filename="${code.replace(/[^A-Za-z0-9-]/g, '')}-template.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`)
      .header('cache-control', 'no-store')
      .send(file)
  })

  app.post('/screening/instruments', {
    config: { access: { resource: 'instruments', action: 'create' } },
    schema: {
      tags, security, summary: '新增校本测评工具 Add the school’s own instrument (validated)',
      description: 'Body { definition }: items with zh-CN and en text, options, sum scoring, bands tiling the whole score range, safety items, licence notice.',
      body: InstrumentCreate, response: { 201: InstrumentItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await service.create(contextOf(req), req.body)))
}

export default instrumentRoutes
