import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import { checklistById } from './checklists/index.js'
import {
  CheckCreate, CheckCreated, ChecklistItems, DistrictSummary, DistrictSummaryQuery, errors, ItemDetail, ItemItem, ItemListQuery, ItemPatch, NoteCreate, NoteItem, ProblemAdd, security,
  VisitCreate, VisitDetail, VisitItem, VisitListQuery, VisitPatch,
} from './rectification-schemas.js'

const tags = ['inspection']
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/**
 * 督导整改: inspection visits with the problems of their 整改通知书, progress notes and
 * 回头看. The school admin keeps them; psychology teachers read them and add notes.
 */
const rectificationRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = app.services.rectification

  app.get('/inspection-checklist', {
    config: { access: { resource: 'rectification_items', action: 'list' } },
    schema: { tags, security, summary: '督导清单项目 The checklist\'s items (code and 考核要点) a problem is tied to', response: { 200: ChecklistItems, ...errors } },
  }, async () => {
    const c = checklistById()!
    return { id: c.id, title: c.title, items: c.items.map((i) => ({ code: i.code, point: i.point })) }
  })

  app.get('/inspection-visits', {
    config: { access: { resource: 'inspection_visits', action: 'list' } },
    schema: { tags, security, summary: '督导检查记录 Inspection visits, newest first, with counts of their problems', querystring: VisitListQuery, response: { 200: page(VisitItem), ...errors } },
  }, async (req) => service.listVisits(contextOf(req), req.query))

  app.post('/inspection-visits', {
    config: { access: { resource: 'inspection_visits', action: 'create' } },
    schema: {
      tags, security,
      summary: '登记督导检查 Record a visit and the problems of its 整改通知书 in one transaction',
      description: 'Each problem names a checklist item (itemCode, 422 when the checklist has no such item), its 整改措施, the person responsible (responsibleUserId of the school or responsibleName; one is required, 422) and its 整改时限 (deadline, not before the visit: 422).',
      body: VisitCreate, response: { 201: VisitDetail, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await service.createVisit(contextOf(req), req.body)))

  app.get('/inspection-visits/:id', {
    config: { access: { resource: 'inspection_visits', action: 'read' } },
    schema: { tags, security, summary: '督导检查 One visit with its problems', params: IdParams, response: { 200: VisitDetail, ...errors } },
  }, async (req) => service.getVisit(contextOf(req), req.params.id))

  app.patch('/inspection-visits/:id', {
    config: { access: { resource: 'inspection_visits', action: 'update' } },
    schema: { tags, security, summary: '修改督导检查 Update a visit', params: IdParams, body: VisitPatch, response: { 200: VisitItem, ...errors } },
  }, async (req) => service.updateVisit(contextOf(req), req.params.id, req.body))

  app.post('/inspection-visits/:id/items', {
    config: { access: { resource: 'rectification_items', action: 'create' } },
    schema: { tags, security, summary: '增加整改问题 Add a problem to a visit\'s 整改通知书', params: IdParams, body: ProblemAdd, response: { 201: ItemItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await service.addProblem(contextOf(req), req.params.id, req.body)))

  app.get('/rectification-items', {
    config: { access: { resource: 'rectification_items', action: 'list' } },
    schema: {
      tags, security,
      summary: '整改问题清单 Problems by 整改时限; overdue=true: open and past it in the school\'s calendar',
      querystring: ItemListQuery, response: { 200: page(ItemItem), ...errors },
    },
  }, async (req) => service.listItems(contextOf(req), req.query))

  app.get('/rectification-items/:id', {
    config: { access: { resource: 'rectification_items', action: 'read' } },
    schema: { tags, security, summary: '整改问题 One problem with its progress notes and 回头看', params: IdParams, response: { 200: ItemDetail, ...errors } },
  }, async (req) => service.getItem(contextOf(req), req.params.id))

  app.patch('/rectification-items/:id', {
    config: { access: { resource: 'rectification_items', action: 'update' } },
    schema: { tags, security, summary: '修改整改措施、责任人或整改时限 Update the measure, the person responsible or the deadline', params: IdParams, body: ItemPatch, response: { 200: ItemItem, ...errors } },
  }, async (req) => service.updateItem(contextOf(req), req.params.id, req.body))

  app.post('/rectification-items/:id/notes', {
    config: { access: { resource: 'rectification_notes', action: 'create' } },
    schema: { tags, security, summary: '整改进展 Add a progress note (optionally a document as evidence)', params: IdParams, body: NoteCreate, response: { 201: NoteItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await service.addNote(contextOf(req), req.params.id, req.body)))

  app.post('/rectification-items/:id/checks', {
    config: { access: { resource: 'rectification_checks', action: 'create' } },
    schema: {
      tags, security,
      summary: '回头看 Record a follow-up check: rectified closes the problem; not rectified keeps it open and needs a reason (422)',
      params: IdParams, body: CheckCreate, response: { 201: CheckCreated, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await service.addCheck(contextOf(req), req.params.id, req.body)))

  // 督导汇总 for district staff: counts per item and per school, never a person.
  const district = app.services.rectificationDistrict
  app.get('/district/inspection-summary', {
    config: { access: { resource: 'district_stats', action: 'read' } },
    schema: {
      tags: ['district'], security,
      summary: '督导汇总 Per checklist item: schools that meet it in the period and schools with open 整改 problems past their deadline; the same per school',
      description: 'Counts of schools and of 整改 problems only; a school\'s name is the finest detail. Whether an item is met comes from each school\'s self-check for the period; overdue is as of today in the schools\' calendar.',
      querystring: DistrictSummaryQuery, response: { 200: DistrictSummary, ...errors },
    },
  }, async (req) => district.summary(contextOf(req), req.query))

  app.get('/district/inspection-summary.xlsx', {
    config: { access: { resource: 'district_stats', action: 'export' }, stepUp: true },
    schema: {
      tags: ['district'], security,
      summary: '导出督导汇总表 The summary for the report to the city (.xlsx, Chinese)',
      produces: [XLSX_TYPE],
      querystring: DistrictSummaryQuery, response: { 200: z.any().describe('the .xlsx file'), ...errors },
    },
  }, async (req, reply) => {
    const file = await district.exportXlsx(contextOf(req), req.query)
    return reply
      .header('content-type', XLSX_TYPE)
      .header('content-disposition', `attachment; filename="inspection-summary.xlsx"; filename*=UTF-8''${encodeURIComponent('督导汇总表.xlsx')}`)
      .header('cache-control', 'no-store')
      .send(file)
  })
}

export default rectificationRoutes
