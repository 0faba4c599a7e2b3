import { z } from 'zod'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { pickLocale } from '../../lib/i18n.js'
import { contextOf } from '../../plugins/access.js'
import { ComplianceReport, errors, security, XLSX_TYPE, YearQuery } from './schemas.js'

const tags = ['compliance']

function attachment(name: string, ascii: string): string {
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}

/**
 * 合规审计: the yearly report of the school's processing of minors' personal information, for
 * the school admin only (policies/audit-log.ts: read and export). Any other caller, district
 * staff included, is refused (403), and the attempt is audited. The exports, like every export,
 * need a recent proof of the login's factors (step-up).
 */
const complianceRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = app.services.compliance

  app.get('/compliance/report', {
    config: { access: { resource: 'audit_log', action: 'read' } },
    schema: {
      tags, security, summary: '合规审计 The yearly compliance report of the school (counts only) of a calendar year',
      querystring: YearQuery, response: { 200: ComplianceReport, ...errors },
    },
  }, async (req) => service.report(contextOf(req), req.query.year))

  app.get('/compliance/report/export.xlsx', {
    config: { access: { resource: 'audit_log', action: 'export' }, stepUp: true },
    schema: {
      tags, security, summary: '导出合规审计报告 The yearly compliance report as .xlsx', produces: [XLSX_TYPE],
      querystring: YearQuery, response: { 200: z.any().describe('the .xlsx file'), ...errors },
    },
  }, async (req, reply) => {
    const { file, name } = await service.workbook(contextOf(req), req.query.year, pickLocale(req.headers['accept-language']))
    return reply.header('content-type', XLSX_TYPE).header('content-disposition', attachment(name, `compliance-${req.query.year}.xlsx`)).send(file)
  })

  app.get('/compliance/report/print.html', {
    config: { access: { resource: 'audit_log', action: 'export' }, stepUp: true },
    schema: {
      tags, security, summary: '打印合规审计报告 The yearly compliance report as print-ready HTML (A4)', produces: ['text/html'],
      querystring: YearQuery, response: { 200: z.any().describe('an HTML page'), ...errors },
    },
  }, async (req, reply) => reply.type('text/html; charset=utf-8').send(await service.printHtml(contextOf(req), req.query.year, pickLocale(req.headers['accept-language']))))
}

export default complianceRoutes
