import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page, Pagination } from '../../lib/schemas.js'
import { pickLocale, translate } from '../../lib/i18n.js'
import { contextOf } from '../../plugins/access.js'
import type { RolloverService } from './rollover-service.js'
import { RolloverApplied, RolloverItem, RolloverPlan, RolloverRequest } from './rollover-schemas.js'
import { errors, security } from './route-parts.js'

const tags = ['roster']

/**
 * 升年级 (school-year rollover), the school admin's only. Classes move up a grade and keep
 * their ids (八年级(1)班 becomes 九年级(1)班, its pupils and records with it); the top grade of
 * each stage (六年级, 九年级, 高三) graduates — pupils 已毕业, class ended, not deleted — and
 * the entry grade (一年级 or the school's lowest, 七年级, 高一) gets new classes. Homeroom
 * and class-monitor grants of the classes that moved or graduated end, so next year's are
 * made fresh. Undo is open until the school writes its first record after the rollover.
 */
const rolloverRoutes: FastifyPluginAsyncZod<{ service: RolloverService }> = async (app, { service }) => {
  const APPLY_HELP = '升年级：所有班级升入下一年级（班级编号不变，历史记录仍指向原班级），各学段最高年级毕业（学生记为已毕业、班级结束但保留），起始年级新建班级（数量默认与现有起始年级相同），原班级的班主任与心理委员授权结束。'
    + ' School-year rollover: each class moves up a grade keeping its id (records keep pointing at it); the top grade of each stage graduates (pupils graduated, class ended, not deleted); the entry grade gets new classes (by default as many as it has now); homeroom and class-monitor grants of the old classes end. One transaction with its audit rows; a second rollover for the same school year is refused with 409.'

  app.post('/school-year/rollover/preview', {
    config: { access: { resource: 'school_year_rollovers', action: 'create' } },
    schema: {
      tags, security, summary: '升年级预览 Preview the school-year rollover (nothing is written)', description: APPLY_HELP,
      body: RolloverRequest, response: { 200: RolloverPlan, ...errors },
    },
  }, async (req) => service.preview(contextOf(req), req.body))

  app.post('/school-year/rollover', {
    config: { access: { resource: 'school_year_rollovers', action: 'create' } },
    schema: {
      tags, security, summary: '执行升年级 Apply the school-year rollover', description: APPLY_HELP,
      body: RolloverRequest, response: { 201: RolloverApplied, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await service.apply(contextOf(req), req.body)))

  app.post('/school-year/rollovers/:id/undo', {
    config: { access: { resource: 'school_year_rollovers', action: 'update' } },
    schema: {
      tags, security, summary: '撤销升年级 Undo a rollover',
      description: '恢复升年级之前的班级、年级、学生状态与授权。只能撤销最近一次升年级，且升年级之后本校尚未写入任何记录（谈话、个案、测评、学生、账号等任何修改）。'
        + ' Restores classes, grades, pupil status and grants exactly. Only the latest rollover, and only while the school has written nothing since it (any audited change: a talk log, a case, a screening, a pupil, an account); otherwise 409.',
      params: IdParams, response: { 200: RolloverItem, ...errors },
    },
  }, async (req) => withMessage(await service.undo(contextOf(req), req.params.id), req.headers['accept-language']))

  app.get('/school-year/rollovers', {
    config: { access: { resource: 'school_year_rollovers', action: 'list' } },
    schema: { tags, security, summary: '升年级记录 Rollovers of the school, newest first', querystring: Pagination, response: { 200: page(RolloverItem), ...errors } },
  }, async (req) => {
    const r = await service.list(contextOf(req), req.query)
    return { ...r, items: r.items.map((i) => withMessage(i, req.headers['accept-language'])) }
  })
}

/** Why an undo is closed, in the caller's language: the screen shows it as it is. */
function withMessage<T extends { undo: { allowed: boolean; reason?: string; params?: Record<string, string> } }>(item: T, lang: string | undefined): T {
  if (!item.undo.reason) return item
  return { ...item, undo: { ...item.undo, message: translate(item.undo.reason, pickLocale(lang), item.undo.params ?? {}) } }
}

export default rolloverRoutes
