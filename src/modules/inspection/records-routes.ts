import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { FastifyReply } from 'fastify'
import { z } from 'zod'
import { AppError } from '../../lib/errors.js'
import { ErrorSchema, IdParams, page, Pagination } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import { XLSX_TYPE } from '../roster/import.js'
import {
  CurrentPlan, DateRangeQuery, DOCUMENT_BODY_LIMIT, DocumentItem, DocumentUpload, DrillCreate, DrillItem, DrillPatch, errors, MeetingCreate,
  MeetingItem, MeetingPatch, MemberCreate, MemberItem, MemberPatch, NoContent, PlanVersionCreate, PlanVersionItem, SchoolYearParams, security, tags,
  TrainingCreate, TrainingImportResult, TrainingItem, TrainingListQuery, TrainingPatch, YearlyPlanItem, YearlyPlanPut,
} from './records-schemas.js'
import { trainingTemplateXlsx } from './records-trainings.js'

const base = '/inspection'

/**
 * RFC 6266 / 5987: an ASCII fallback for old clients and the UTF-8 name in filename*, so a
 * Chinese file name arrives as it was uploaded and no quote or line break can end the header.
 */
export function contentDisposition(fileName: string): string {
  // eslint-disable-next-line no-control-regex -- control characters never reach a header
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_').replace(/[\u0000-\u001f]/g, '_') || 'file'
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`
}

const file = (reply: FastifyReply, type: string, name: string, body: Buffer) =>
  reply.header('content-type', type).header('content-disposition', contentDisposition(name)).send(body)

/** 督导资料: 领导小组, 工作方案与经费, 教师培训, 应急预案与演练, and their documents. */
const inspectionRecordsRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = app.services.inspectionRecords
  const uploadLimit = app.config.UPLOAD_LIMIT_BYTES

  // Raw .xlsx / CSV bodies for the training import, in this plugin's context only.
  app.addContentTypeParser(['text/csv', XLSX_TYPE], { parseAs: 'buffer', bodyLimit: uploadLimit }, (_req, body, done) => done(null, body))

  // ── documents ──
  app.get(`${base}/documents`, {
    config: { access: { resource: 'inspection_documents', action: 'list' } },
    schema: { tags, security, summary: '督导资料文件 Documents (names and sizes, not the files)', querystring: Pagination, response: { 200: page(DocumentItem), ...errors } },
  }, async (req) => service.listDocuments(contextOf(req), req.query))

  app.post(`${base}/documents`, {
    bodyLimit: DOCUMENT_BODY_LIMIT,
    config: { access: { resource: 'inspection_documents', action: 'create' } },
    schema: {
      tags, security,
      summary: '上传文件 Upload a document (JSON: fileName and the bytes as base64, at most 10 MB)',
      description: 'The type is taken from the file name’s extension; a file over 10 MB answers 413 document_too_large.',
      body: DocumentUpload, response: { 201: DocumentItem, ...errors, 413: ErrorSchema },
    },
  }, async (req, reply) => reply.status(201).send(await service.uploadDocument(contextOf(req), req.body)))

  app.get(`${base}/documents/:id/content`, {
    config: { access: { resource: 'inspection_documents', action: 'read' } },
    schema: { tags, security, summary: '下载文件 Download a document', params: IdParams, response: { 200: z.any().describe('the file'), ...errors } },
  }, async (req, reply) => {
    const doc = await service.downloadDocument(contextOf(req), req.params.id)
    return file(reply, doc.mediaType, doc.fileName, doc.content)
  })

  app.delete(`${base}/documents/:id`, {
    config: { access: { resource: 'inspection_documents', action: 'delete' } },
    schema: { tags, security, summary: '删除文件 Delete a document (409 while a record names it)', params: IdParams, response: { 204: NoContent, ...errors } },
  }, async (req, reply) => { await service.deleteDocument(contextOf(req), req.params.id); return reply.status(204).send(null) })

  // ── 领导小组 ──
  app.get(`${base}/leadership/members`, {
    config: { access: { resource: 'leadership_members', action: 'list' } },
    schema: { tags, security, summary: '领导小组成员 Members of the leadership group', querystring: Pagination, response: { 200: page(MemberItem), ...errors } },
  }, async (req) => service.listMembers(contextOf(req), req.query))

  app.post(`${base}/leadership/members`, {
    config: { access: { resource: 'leadership_members', action: 'create' } },
    schema: { tags, security, summary: '添加成员 Add a member (an account or a name)', body: MemberCreate, response: { 201: MemberItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await service.createMember(contextOf(req), req.body)))

  app.patch(`${base}/leadership/members/:id`, {
    config: { access: { resource: 'leadership_members', action: 'update' } },
    schema: { tags, security, summary: '修改成员 Update a member (until: the day they left)', params: IdParams, body: MemberPatch, response: { 200: MemberItem, ...errors } },
  }, async (req) => service.updateMember(contextOf(req), req.params.id, req.body))

  app.delete(`${base}/leadership/members/:id`, {
    config: { access: { resource: 'leadership_members', action: 'delete' } },
    schema: { tags, security, summary: '删除成员 Delete a member entered by mistake', params: IdParams, response: { 204: NoContent, ...errors } },
  }, async (req, reply) => { await service.deleteMember(contextOf(req), req.params.id); return reply.status(204).send(null) })

  app.get(`${base}/leadership/meetings`, {
    config: { access: { resource: 'leadership_meetings', action: 'list' } },
    schema: { tags, security, summary: '领导小组会议 Meetings', querystring: DateRangeQuery, response: { 200: page(MeetingItem), ...errors } },
  }, async (req) => service.listMeetings(contextOf(req), req.query))

  app.post(`${base}/leadership/meetings`, {
    config: { access: { resource: 'leadership_meetings', action: 'create' } },
    schema: { tags, security, summary: '登记会议 Record a meeting (minutes: an uploaded document)', body: MeetingCreate, response: { 201: MeetingItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await service.createMeeting(contextOf(req), req.body)))

  app.patch(`${base}/leadership/meetings/:id`, {
    config: { access: { resource: 'leadership_meetings', action: 'update' } },
    schema: { tags, security, summary: '修改会议 Update a meeting', params: IdParams, body: MeetingPatch, response: { 200: MeetingItem, ...errors } },
  }, async (req) => service.updateMeeting(contextOf(req), req.params.id, req.body))

  app.delete(`${base}/leadership/meetings/:id`, {
    config: { access: { resource: 'leadership_meetings', action: 'delete' } },
    schema: { tags, security, summary: '删除会议 Delete a meeting', params: IdParams, response: { 204: NoContent, ...errors } },
  }, async (req, reply) => { await service.deleteMeeting(contextOf(req), req.params.id); return reply.status(204).send(null) })

  // ── 工作方案与经费 ──
  app.get(`${base}/yearly-plans`, {
    config: { access: { resource: 'yearly_plans', action: 'list' } },
    schema: { tags, security, summary: '工作方案与经费 Yearly plans and budgets', querystring: Pagination, response: { 200: page(YearlyPlanItem), ...errors } },
  }, async (req) => service.listYearlyPlans(contextOf(req), req.query))

  app.put(`${base}/yearly-plans/:schoolYear`, {
    config: { access: { resource: 'yearly_plans', action: 'update' } },
    schema: {
      tags, security, summary: '保存工作方案与经费 Set a school year’s plan and budget (every field; absent = empty)',
      params: SchoolYearParams, body: YearlyPlanPut, response: { 200: YearlyPlanItem, ...errors },
    },
  }, async (req) => service.putYearlyPlan(contextOf(req), req.params.schoolYear, req.body))

  // ── 教师培训 ──
  app.get(`${base}/trainings`, {
    config: { access: { resource: 'staff_trainings', action: 'list' } },
    schema: { tags, security, summary: '教师培训 Staff training records', querystring: TrainingListQuery, response: { 200: page(TrainingItem), ...errors } },
  }, async (req) => service.listTrainings(contextOf(req), req.query))

  app.post(`${base}/trainings`, {
    config: { access: { resource: 'staff_trainings', action: 'create' } },
    schema: { tags, security, summary: '登记培训 Record a training (no userId or name: the caller’s own)', body: TrainingCreate, response: { 201: TrainingItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await service.createTraining(contextOf(req), req.body)))

  app.patch(`${base}/trainings/:id`, {
    config: { access: { resource: 'staff_trainings', action: 'update' } },
    schema: { tags, security, summary: '修改培训 Update a training record', params: IdParams, body: TrainingPatch, response: { 200: TrainingItem, ...errors } },
  }, async (req) => service.updateTraining(contextOf(req), req.params.id, req.body))

  app.delete(`${base}/trainings/:id`, {
    config: { access: { resource: 'staff_trainings', action: 'delete' } },
    schema: { tags, security, summary: '删除培训 Delete a training record', params: IdParams, response: { 204: NoContent, ...errors } },
  }, async (req, reply) => { await service.deleteTraining(contextOf(req), req.params.id); return reply.status(204).send(null) })

  app.get(`${base}/trainings/import-template.xlsx`, {
    config: { access: { resource: 'staff_trainings', action: 'import' } },
    schema: { tags, security, summary: '教师培训导入模板 Import template (.xlsx)', produces: [XLSX_TYPE], response: { 200: z.any().describe('the .xlsx file'), ...errors } },
  }, async (req, reply) => file(reply, XLSX_TYPE, '教师培训导入模板.xlsx', await trainingTemplateXlsx(req.locale)))

  app.post(`${base}/trainings/import`, {
    bodyLimit: uploadLimit,
    config: { access: { resource: 'staff_trainings', action: 'import' } },
    schema: {
      tags, security,
      summary: '导入教师培训 Import training records (.xlsx or CSV; all or nothing)',
      description: 'Body: the file, Content-Type ' + XLSX_TYPE + ' or text/csv. Columns 姓名, [账号], 培训名称, [主办单位], 学时, 完成日期, [证书编号]. '
        + 'Any bad row → 422 import_rejected with each problem by row and column; the same person, course and date already kept is skipped.',
      consumes: ['text/csv', XLSX_TYPE],
      response: { 200: TrainingImportResult, ...errors, 413: ErrorSchema, 415: ErrorSchema, 422: ErrorSchema },
    },
  }, async (req) => {
    if (!Buffer.isBuffer(req.body)) throw new AppError(415, 'unsupported_media_type')
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
    return service.importTrainings(contextOf(req), req.body, type === XLSX_TYPE ? 'xlsx' : 'csv', req.locale)
  })

  app.get(`${base}/trainings/export.xlsx`, {
    config: { access: { resource: 'staff_trainings', action: 'export' } },
    schema: { tags, security, summary: '导出教师培训 Export training records (.xlsx, the import’s columns)', produces: [XLSX_TYPE], response: { 200: z.any().describe('the .xlsx file'), ...errors } },
  }, async (req, reply) => file(reply, XLSX_TYPE, '教师培训.xlsx', await service.exportTrainings(contextOf(req))))

  // ── 应急预案 ──
  app.get(`${base}/emergency-plans`, {
    config: { access: { resource: 'emergency_plans', action: 'list' } },
    schema: { tags, security, summary: '应急预案版本 Emergency plan versions (newest first)', querystring: Pagination, response: { 200: page(PlanVersionItem), ...errors } },
  }, async (req) => service.listPlanVersions(contextOf(req), req.query))

  app.get(`${base}/emergency-plans/current`, {
    config: { access: { resource: 'emergency_plans', action: 'read' } },
    schema: { tags, security, summary: '现行应急预案 The version in force (null when none)', response: { 200: CurrentPlan, ...errors } },
  }, async (req) => service.currentPlan(contextOf(req)))

  app.post(`${base}/emergency-plans`, {
    config: { access: { resource: 'emergency_plans', action: 'create' } },
    schema: { tags, security, summary: '发布新版本 Adopt a new version (numbered by the server)', body: PlanVersionCreate, response: { 201: PlanVersionItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await service.createPlanVersion(contextOf(req), req.body)))

  // ── 演练 ──
  app.get(`${base}/drills`, {
    config: { access: { resource: 'emergency_drills', action: 'list' } },
    schema: { tags, security, summary: '应急演练 Drills', querystring: DateRangeQuery, response: { 200: page(DrillItem), ...errors } },
  }, async (req) => service.listDrills(contextOf(req), req.query))

  app.post(`${base}/drills`, {
    config: { access: { resource: 'emergency_drills', action: 'create' } },
    schema: { tags, security, summary: '登记演练 Record a drill', body: DrillCreate, response: { 201: DrillItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await service.createDrill(contextOf(req), req.body)))

  app.patch(`${base}/drills/:id`, {
    config: { access: { resource: 'emergency_drills', action: 'update' } },
    schema: { tags, security, summary: '修改演练 Update a drill', params: IdParams, body: DrillPatch, response: { 200: DrillItem, ...errors } },
  }, async (req) => service.updateDrill(contextOf(req), req.params.id, req.body))

  app.delete(`${base}/drills/:id`, {
    config: { access: { resource: 'emergency_drills', action: 'delete' } },
    schema: { tags, security, summary: '删除演练 Delete a drill', params: IdParams, response: { 204: NoContent, ...errors } },
  }, async (req, reply) => { await service.deleteDrill(contextOf(req), req.params.id); return reply.status(204).send(null) })
}

export default inspectionRecordsRoutes
