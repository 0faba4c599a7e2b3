import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ErrorSchema, IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import { XLSX_TYPE } from '../roster/import.js'
import { contentDisposition } from './records-routes.js'
import {
  ActivityCreate, ActivityItem, ActivityListQuery, ActivityPatch, LessonItem, LessonListQuery, LessonPatch, LessonQuickEntry,
  LessonSummary, SummaryQuery, TimetableEntry, TimetableResult,
} from './lessons-schemas.js'

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema }
const security = [{ bearer: [] }]
const tags = ['lessons']

/** 课程与活动: lessons held per class (quick entry, the timetable, the summary against the rules) and themed activities. */
const lessonRoutes: FastifyPluginAsyncZod = async (app) => {
  const { lessons, activities } = app.services.lessons

  app.post('/lessons', {
    config: { access: { resource: 'lesson_records', action: 'create' } },
    schema: {
      tags, security, summary: '课程记录 Record one day’s lessons of a class',
      body: LessonQuickEntry, response: { 201: z.object({ items: z.array(LessonItem) }), ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await lessons.quickEntry(contextOf(req), req.body)))

  app.get('/lessons', {
    config: { access: { resource: 'lesson_records', action: 'list' } },
    schema: { tags, security, summary: '课程记录列表 Lessons (by class, kind, dates)', querystring: LessonListQuery, response: { 200: page(LessonItem), ...errors } },
  }, async (req) => lessons.list(contextOf(req), req.query))

  app.patch('/lessons/:id', {
    config: { access: { resource: 'lesson_records', action: 'update' } },
    schema: { tags, security, summary: '修改课程记录 Change periods or topic', params: IdParams, body: LessonPatch, response: { 200: LessonItem, ...errors } },
  }, async (req) => lessons.update(contextOf(req), req.params.id, req.body))

  app.delete('/lessons/:id', {
    config: { access: { resource: 'lesson_records', action: 'delete' } },
    schema: { tags, security, summary: '删除课程记录 Delete a lesson record', params: IdParams, response: { 204: z.null(), ...errors } },
  }, async (req, reply) => { await lessons.remove(contextOf(req), req.params.id); return reply.status(204).send(null) })

  app.post('/lessons/timetable', {
    config: { access: { resource: 'lesson_records', action: 'create' } },
    schema: {
      tags, security, summary: '按课表批量录入 Regular lessons from the timetable (dry run first)',
      body: TimetableEntry, response: { 200: TimetableResult, ...errors },
    },
  }, async (req) => lessons.timetable(contextOf(req), req.body))

  app.get('/lessons/summary', {
    config: { access: { resource: 'lesson_records', action: 'list' } },
    schema: {
      tags, security, summary: '课程开设情况 Lessons per class and month against the rules',
      querystring: SummaryQuery, response: { 200: LessonSummary, ...errors },
    },
  }, async (req) => lessons.summary(contextOf(req), req.query))

  app.get('/lessons/summary.xlsx', {
    config: { access: { resource: 'lesson_records', action: 'export' } },
    schema: {
      tags, security, summary: '导出课程开设情况 The summary as .xlsx (Chinese)',
      querystring: SummaryQuery, produces: [XLSX_TYPE], response: { 200: z.any().describe('the .xlsx file'), ...errors },
    },
  }, async (req, reply) => reply.header('content-type', XLSX_TYPE)
    .header('content-disposition', contentDisposition(`课程开设情况_${req.query.from}_${req.query.to}.xlsx`))
    .send(await lessons.exportSummary(contextOf(req), req.query)))

  app.get('/school-activities', {
    config: { access: { resource: 'school_activities', action: 'list' } },
    schema: { tags, security, summary: '主题活动列表 Themed activities', querystring: ActivityListQuery, response: { 200: page(ActivityItem), ...errors } },
  }, async (req) => activities.list(contextOf(req), req.query))

  app.get('/school-activities/:id', {
    config: { access: { resource: 'school_activities', action: 'read' } },
    schema: { tags, security, summary: '主题活动 One activity', params: IdParams, response: { 200: ActivityItem, ...errors } },
  }, async (req) => activities.get(contextOf(req), req.params.id))

  app.post('/school-activities', {
    config: { access: { resource: 'school_activities', action: 'create' } },
    schema: { tags, security, summary: '记录主题活动 Record a themed activity', body: ActivityCreate, response: { 201: ActivityItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await activities.create(contextOf(req), req.body)))

  app.patch('/school-activities/:id', {
    config: { access: { resource: 'school_activities', action: 'update' } },
    schema: { tags, security, summary: '修改主题活动 Change an activity', params: IdParams, body: ActivityPatch, response: { 200: ActivityItem, ...errors } },
  }, async (req) => activities.update(contextOf(req), req.params.id, req.body))

  app.delete('/school-activities/:id', {
    config: { access: { resource: 'school_activities', action: 'delete' } },
    schema: { tags, security, summary: '删除主题活动 Delete an activity', params: IdParams, response: { 204: z.null(), ...errors } },
  }, async (req, reply) => { await activities.remove(contextOf(req), req.params.id); return reply.status(204).send(null) })
}

export default lessonRoutes
