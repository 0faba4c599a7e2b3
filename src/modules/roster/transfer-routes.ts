import type { FastifyReply } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../../lib/errors.js'
import { ErrorSchema } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import type { ExportService } from './export-service.js'
import { XLSX_TYPE } from './import.js'
import type { ImportService } from './import-service.js'
import { errors, security, tags } from './route-parts.js'
import { templateCsv, templateXlsx } from './roster-template.js'
import { ImportResult } from './schemas.js'

const ImportQuery = z.object({
  /** true: check the file and answer what an import would do; nothing is written. */
  dryRun: z.enum(['true', 'false']).optional().transform((v) => v === 'true'),
})

export const ImportPreview = z.object({
  /** Data rows in the file (blank rows are not counted). */
  rows: z.number(),
  /** Good rows that would create a student / change one on file / leave one as it is. */
  toCreate: z.number(),
  toUpdate: z.number(),
  unchanged: z.number(),
  /** Rows with at least one problem; `errors` lists each problem (up to 500), `truncated` when there were more. */
  badRows: z.number(),
  errors: z.array(z.object({
    row: z.number().describe('the row number in the file (the header is row 1)'),
    field: z.string().describe('the column as headed in the file (Chinese)'),
    label: z.string().describe('the column in the caller\'s language'),
    reason: z.string().describe('what is wrong, naming the column, in the caller\'s language'),
  })),
  truncated: z.boolean(),
})

const CSV_TYPE = 'text/csv; charset=utf-8'

/** 学生名册 import and export: the file is the body (import) or the answer (export). */
const transferRoutes: FastifyPluginAsyncZod<{ imports: ImportService; exports: ExportService }> = async (app, { imports, exports }) => {
  const limit = app.config.UPLOAD_LIMIT_BYTES

  // This plugin's own context: the raw-file parsers and the larger body limit reach no other route.
  app.addContentTypeParser(['text/csv', XLSX_TYPE], { parseAs: 'buffer', bodyLimit: limit }, (_req, body, done) => done(null, body))

  app.post('/students/import', {
    bodyLimit: limit,
    config: { access: { resource: 'students', action: 'import' } },
    schema: {
      tags, security,
      summary: '导入学生名册 Import the roster (CSV or xlsx with Chinese headers), or preview the import',
      description: 'Body: the file itself, Content-Type text/csv (UTF-8) or ' + XLSX_TYPE + '. Columns 姓名 学号 性别 出生日期 年级 班级 监护人 联系电话 [关系] [状态] '
        + '(GET /students/import-template.xlsx gives them with an example row). '
        + 'Any bad row rejects the whole file (422 import_rejected, details.errors = [{ row, field, reason }]). '
        + 'With ?dryRun=true nothing is written: 200 with the counts an import would give and every bad row (ImportPreview); '
        + 'a file the reader cannot take (headers, size, format) still answers 413/415/422.',
      consumes: ['text/csv', XLSX_TYPE],
      // Documentation only: the parsers above hand over the raw file, checked in the handler.
      querystring: ImportQuery,
      body: z.any().describe('the CSV or .xlsx file'),
      response: { 200: z.union([ImportResult, ImportPreview]), ...errors, 413: ErrorSchema, 415: ErrorSchema, 422: ErrorSchema },
    },
  }, async (req) => {
    // A JSON or text body reached another parser: only the two file types are imports.
    if (!Buffer.isBuffer(req.body)) throw new AppError(415, 'unsupported_media_type')
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
    const kind = type === XLSX_TYPE ? 'xlsx' : 'csv'
    if (!req.query.dryRun) return imports.importStudents(contextOf(req), req.body, kind, req.locale)
    const p = await imports.previewStudents(contextOf(req), req.body, kind, req.locale)
    return {
      rows: p.rows + p.badRows, toCreate: p.created, toUpdate: p.updated, unchanged: p.unchanged,
      badRows: p.badRows, errors: p.errors.map((e) => ({ ...e, label: e.label ?? e.field })), truncated: p.errors.length < p.badRows,
    }
  })

  // The template holds no one's data; it is offered to whoever may import.
  const templateSchema = (format: string, type: string) => ({
    tags, security,
    summary: `导入模板 The roster import template (${format})`,
    description: 'The import\'s Chinese headers (姓名 学号 性别 出生日期 年级 班级 监护人 联系电话 关系 状态) and one example row, '
      + 'which imports as it is; the .xlsx adds drop-downs for 性别 and 状态 and a sheet explaining each column in the caller\'s language.',
    produces: [type],
    response: { 200: z.any().describe(`the ${format} file`), ...errors },
  })
  const attachment = (reply: FastifyReply, type: string, ext: string, body: Buffer) => reply
    .header('content-type', type)
    .header('content-disposition', `attachment; filename="roster-template.${ext}"; filename*=UTF-8''${encodeURIComponent(`学生名册导入模板.${ext}`)}`)
    .send(body)

  app.get('/students/import-template.xlsx', {
    config: { access: { resource: 'students', action: 'import' } },
    schema: templateSchema('xlsx', XLSX_TYPE),
  }, async (req, reply) => attachment(reply, XLSX_TYPE, 'xlsx', await templateXlsx(req.locale)))

  app.get('/students/import-template.csv', {
    config: { access: { resource: 'students', action: 'import' } },
    schema: templateSchema('CSV', CSV_TYPE),
  }, async (_req, reply) => attachment(reply, CSV_TYPE, 'csv', templateCsv()))

  app.get('/students/export.xlsx', {
    config: { access: { resource: 'students', action: 'export' }, stepUp: true },
    schema: {
      tags, security,
      summary: '导出学生名册 Export the roster as xlsx (same columns as the import)',
      produces: [XLSX_TYPE],
      response: { 200: z.any().describe('the .xlsx file'), ...errors },
    },
  }, async (req, reply) => {
    const file = await exports.exportXlsx(contextOf(req))
    return reply
      .header('content-type', XLSX_TYPE)
      .header('content-disposition', `attachment; filename="roster.xlsx"; filename*=UTF-8''${encodeURIComponent('学生名册.xlsx')}`)
      .header('cache-control', 'no-store')
      .send(file)
  })
}

export default transferRoutes
