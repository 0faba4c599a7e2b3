import { z } from 'zod'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { contextOf } from '../../../plugins/access.js'
import { errors, PeriodQuery, ReportAnswer, SelfCheckPut, security, SurveyQuery, XLSX_TYPE } from './schemas.js'

const tags = ['self-check']

function attachment(name: string, ascii: string): string {
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}

/**
 * 学校自查: the checklist filled from the records for a term or a school year, the school's
 * own parts, and the exports. School admins read and write; psychology teachers read.
 */
const selfCheckRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = app.services.selfCheck

  app.get('/self-check', {
    config: { access: { resource: 'self_checks', action: 'read' } },
    schema: {
      tags, security, summary: '学校自查 The self-check report of a term or a school year (counts only)',
      querystring: PeriodQuery, response: { 200: ReportAnswer, ...errors },
    },
  }, async (req) => service.report(contextOf(req), req.query))

  app.put('/self-check', {
    config: { access: { resource: 'self_checks', action: 'update' } },
    schema: {
      tags, security, summary: '填写学校自查 The school\'s own parts: 亮点, 存在的主要问题, 备注 per item, 责任督学 and 督导时间',
      querystring: PeriodQuery, body: SelfCheckPut, response: { 200: ReportAnswer, ...errors },
    },
  }, async (req) => service.save(contextOf(req), req.query, req.body))

  app.get('/self-check/export.xlsx', {
    config: { access: { resource: 'self_checks', action: 'export' }, stepUp: true },
    schema: {
      tags, security, summary: '导出督导自查表 The checklist as .xlsx (A4 landscape)', produces: [XLSX_TYPE],
      querystring: PeriodQuery, response: { 200: z.any().describe('the .xlsx file'), ...errors },
    },
  }, async (req, reply) => {
    const { file, name } = await service.workbook(contextOf(req), req.query)
    return reply.header('content-type', XLSX_TYPE).header('content-disposition', attachment(name, 'self-check.xlsx')).send(file)
  })

  app.get('/self-check/print.html', {
    config: { access: { resource: 'self_checks', action: 'export' }, stepUp: true },
    schema: {
      tags, security, summary: '打印督导自查表 The checklist as print-ready HTML (A4 landscape)', produces: ['text/html'],
      querystring: PeriodQuery, response: { 200: z.any().describe('an HTML page'), ...errors },
    },
  }, async (req, reply) => reply.type('text/html; charset=utf-8').send(await service.printHtml(contextOf(req), req.query)))

  app.get('/self-check/report.html', {
    config: { access: { resource: 'self_checks', action: 'export' }, stepUp: true },
    schema: {
      tags, security, summary: '自查报告 The self-check report (一、工作实施情况 / 二、存在的问题 / 三、整改措施) as print-ready HTML (A4)', produces: ['text/html'],
      querystring: PeriodQuery, response: { 200: z.any().describe('an HTML page'), ...errors },
    },
  }, async (req, reply) => reply.type('text/html; charset=utf-8').send(await service.selfCheckReport(contextOf(req), req.query)))

  app.get('/self-check/staffing-survey.xlsx', {
    config: { access: { resource: 'staff_profiles', action: 'list' }, stepUp: true },
    schema: {
      tags, security, summary: '心理健康教师基本情况调查表 The staffing survey (.xlsx) with the year\'s training hours', produces: [XLSX_TYPE],
      querystring: SurveyQuery, response: { 200: z.any().describe('the .xlsx file'), ...errors },
    },
  }, async (req, reply) => {
    const { file, name } = await service.staffingSurvey(contextOf(req), req.query.year)
    return reply.header('content-type', XLSX_TYPE).header('content-disposition', attachment(name, 'staffing-survey.xlsx')).send(file)
  })
}

export default selfCheckRoutes
