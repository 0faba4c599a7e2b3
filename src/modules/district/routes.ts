import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ErrorSchema } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import { Coverage, Crisis, HomeSchool, Referrals, RiskByYear, RiskCurrent, Staffing, TalkCompliance } from './schemas.js'
import { createDistrictService } from './service.js'
import type { TableName } from './tables.js'

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/**
 * 区级汇总 (issue 7): fixed aggregate tables for district staff. No route takes a filter, a
 * date range or an id — free slicing would let withheld counts be recovered by subtraction.
 */
const districtRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = createDistrictService(app)
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
        description: 'Counts from 1 to 10 are withheld ({ value: null, suppressed: true }); further cells are withheld so none can be recovered from totals or other tables.',
        response: { 200: t.schema, ...errors },
      },
    }, async (req) => service.table(contextOf(req), t.name))
  }

  app.get('/district/tables/staffing', {
    config: { access },
    schema: {
      tags, security,
      summary: '心理健康教师基本情况 Psychology staffing per school and whether the staffing rule holds',
      description: 'Staff counts per school (full-time, part-time, certified, training hours this year), never a name; a large school needs at least one full-time psychology teacher.',
      response: { 200: Staffing, ...errors },
    },
  }, async (req) => service.staffing(contextOf(req)))

  app.get('/district/export.xlsx', {
    config: { access: { resource: 'district_stats', action: 'export' } },
    schema: {
      tags, security,
      summary: '导出区级汇总表 Export the district tables (.xlsx, same suppression)',
      produces: [XLSX_TYPE],
      response: { 200: z.any().describe('the .xlsx file'), ...errors },
    },
  }, async (req, reply) => {
    const file = await service.exportXlsx(contextOf(req))
    return reply
      .header('content-type', XLSX_TYPE)
      .header('content-disposition', `attachment; filename="district-tables.xlsx"; filename*=UTF-8''${encodeURIComponent('区级汇总表.xlsx')}`)
      .header('cache-control', 'no-store')
      .send(file)
  })
}

export default districtRoutes
