import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ErrorSchema } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import {
  Coverage, Crisis, HomeSchool, Referrals, ReleaseCreated, ReleaseList, ReleaseQuery, RiskByYear, RiskCurrent, Staffing, TalkCompliance,
} from './schemas.js'
import type { TableName } from './tables.js'

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/**
 * 区级汇总: fixed aggregate tables for district staff, read from frozen, dated releases (see
 * release.ts). No route takes a filter, a date range or a record id — free slicing would let
 * withheld counts be recovered by subtraction; the only choice is which stored release.
 */
const districtRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = app.services.district
  const tags = ['district']
  const security = [{ bearer: [] }]
  const errors = { 401: ErrorSchema, 403: ErrorSchema }
  const access = { resource: 'district_stats', action: 'read' } as const

  const tables: Array<{ name: TableName; summary: string; schema: z.ZodType }> = [
    { name: 'risk-current', summary: '当前风险分布（学校×年级×风险等级）Current risk by school × grade × level', schema: RiskCurrent },
    { name: 'risk-by-year', summary: '本学年与上一学年测评风险分布 Screening risk, current and previous school year', schema: RiskByYear },
    { name: 'screening-coverage', summary: '测评覆盖率（已测评/在籍）Screening coverage (screened / enrolled)', schema: Coverage },
    { name: 'talk-compliance', summary: '三个必谈按时完成情况 Talk duties done on time, per school and window', schema: TalkCompliance },
    { name: 'home-school-activities', summary: '家校协同活动 Home–school activities per school', schema: HomeSchool },
    { name: 'referrals', summary: '转介回执与结案 Referrals: receipt, closure, median days to receipt', schema: Referrals },
    { name: 'crisis-response', summary: '危机事件按时确认率 Crisis events acknowledged within their deadline', schema: Crisis },
  ]
  for (const t of tables) {
    app.get(`/district/tables/${t.name}`, {
      config: { access },
      schema: {
        tags, security, summary: t.summary,
        description: 'From the latest release (or `release`). Counts carry bounded cell-key noise (|noise| ≤ 2, zero stays zero), totals are sums of the published cells; published counts from 1 to 10 are withheld ({ value: null, suppressed: true }); further cells are withheld so none can be recovered from totals or other tables.',
        querystring: ReleaseQuery,
        response: { 200: t.schema, ...errors, 404: ErrorSchema },
      },
    }, async (req) => service.table(contextOf(req), t.name, req.query.release))
  }

  app.get('/district/tables/staffing', {
    config: { access },
    schema: {
      tags, security,
      summary: '心理健康教师基本情况 Psychology staffing per school and whether the staffing rule holds',
      description: 'Staff counts per school (full-time, part-time, certified, training hours this year), never a name; a count of one person and one person\'s training hours are withheld; a large school needs at least one full-time psychology teacher.',
      querystring: ReleaseQuery,
      response: { 200: Staffing, ...errors, 404: ErrorSchema },
    },
  }, async (req) => service.staffing(contextOf(req), req.query.release))

  app.get('/district/releases', {
    config: { access },
    schema: {
      tags, security,
      summary: '数据发布记录 The release history, newest first',
      description: 'Every stored release of the caller\'s districts with its date, and per district the first day an on-demand release is allowed (null: now).',
      response: { 200: ReleaseList, ...errors },
    },
  }, async (req) => service.releases(contextOf(req)))

  app.post('/district/releases', {
    config: { access: { resource: 'district_stats', action: 'create' } },
    schema: {
      tags, security,
      summary: '按需发布 Publish a release now (at most once a week per district)',
      description: 'Computes, perturbs, suppresses and stores a release of every district of the caller. Refused with 429 release_too_soon while the district\'s latest release is less than 7 days old.',
      response: { 201: ReleaseCreated, ...errors, 404: ErrorSchema, 429: ErrorSchema },
    },
  }, async (req, reply) => {
    const items = await service.release(contextOf(req))
    return reply.code(201).send({ items: items.map((r) => ({ id: r.id, districtId: r.districtId, releasedOn: r.releasedOn, createdAt: r.createdAt, trigger: r.trigger })) })
  })

  app.get('/district/export.xlsx', {
    config: { access: { resource: 'district_stats', action: 'export' }, stepUp: true },
    schema: {
      tags, security,
      summary: '导出区级汇总表 Export the district tables (.xlsx, same suppression)',
      produces: [XLSX_TYPE],
      querystring: ReleaseQuery,
      response: { 200: z.any().describe('the .xlsx file'), ...errors, 404: ErrorSchema },
    },
  }, async (req, reply) => {
    const file = await service.exportXlsx(contextOf(req), req.query.release)
    return reply
      .header('content-type', XLSX_TYPE)
      .header('content-disposition', `attachment; filename="district-tables.xlsx"; filename*=UTF-8''${encodeURIComponent('区级汇总表.xlsx')}`)
      .header('cache-control', 'no-store')
      .send(file)
  })
}

export default districtRoutes
