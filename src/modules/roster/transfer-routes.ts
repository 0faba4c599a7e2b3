import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../../lib/errors.js'
import { ErrorSchema } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import type { ExportService } from './export-service.js'
import { XLSX_TYPE } from './import.js'
import type { ImportService } from './import-service.js'
import { errors, security, tags } from './route-parts.js'
import { ImportResult } from './schemas.js'

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
      summary: '导入学生名册 Import the roster (CSV or xlsx with Chinese headers)',
      description: 'Body: the file itself, Content-Type text/csv (UTF-8) or ' + XLSX_TYPE + '. Columns 姓名 学号 性别 出生日期 年级 班级 监护人 联系电话 [关系] [状态]. '
        + 'Any bad row rejects the whole file (422 import_rejected, details.errors = [{ row, field, reason }]).',
      consumes: ['text/csv', XLSX_TYPE],
      // Documentation only: the parsers above hand over the raw file, checked in the handler.
      body: z.any().describe('the CSV or .xlsx file'),
      response: { 200: ImportResult, ...errors, 413: ErrorSchema, 415: ErrorSchema, 422: ErrorSchema },
    },
  }, async (req) => {
    // A JSON or text body reached another parser: only the two file types are imports.
    if (!Buffer.isBuffer(req.body)) throw new AppError(415, 'unsupported_media_type')
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
    return imports.importStudents(contextOf(req), req.body, type === XLSX_TYPE ? 'xlsx' : 'csv', req.locale)
  })

  app.get('/students/export.xlsx', {
    config: { access: { resource: 'students', action: 'export' } },
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
