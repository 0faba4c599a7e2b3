import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page, Pagination } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import type { CalendarService } from './calendar-service.js'
import { errors, NoContent, security, tags as rosterTags } from './route-parts.js'
import { HolidayCreate, HolidayItem, HolidayListQuery, HolidayPatch, TermCreate, TermItem, TermPatch } from './schemas.js'

const tags = [...rosterTags, 'calendar']

const calendarRoutes: FastifyPluginAsyncZod<{ service: CalendarService }> = async (app, { service }) => {
  app.get('/calendar/terms', {
    config: { access: { resource: 'terms', action: 'list' } },
    schema: { tags, security, summary: '学期 Terms', querystring: Pagination, response: { 200: page(TermItem), ...errors } },
  }, async (req) => service.listTerms(contextOf(req), req.query))

  app.post('/calendar/terms', {
    config: { access: { resource: 'terms', action: 'create' } },
    schema: { tags, security, summary: '新建学期 Create a term', body: TermCreate, response: { 201: TermItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await service.createTerm(contextOf(req), req.body)))

  app.patch('/calendar/terms/:id', {
    config: { access: { resource: 'terms', action: 'update' } },
    schema: { tags, security, summary: '修改学期 Update a term', params: IdParams, body: TermPatch, response: { 200: TermItem, ...errors } },
  }, async (req) => service.updateTerm(contextOf(req), req.params.id, req.body))

  app.delete('/calendar/terms/:id', {
    config: { access: { resource: 'terms', action: 'delete' } },
    schema: { tags, security, summary: '删除学期 Delete a term', params: IdParams, response: { 204: NoContent, ...errors } },
  }, async (req, reply) => {
    await service.deleteTerm(contextOf(req), req.params.id)
    return reply.status(204).send(null)
  })

  app.get('/calendar/holidays', {
    config: { access: { resource: 'holidays', action: 'list' } },
    schema: { tags, security, summary: '节假日 Holidays (from/to)', querystring: HolidayListQuery, response: { 200: page(HolidayItem), ...errors } },
  }, async (req) => service.listHolidays(contextOf(req), req.query))

  app.post('/calendar/holidays', {
    config: { access: { resource: 'holidays', action: 'create' } },
    schema: { tags, security, summary: '新建节假日 Create a holiday', body: HolidayCreate, response: { 201: HolidayItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await service.createHoliday(contextOf(req), req.body)))

  app.patch('/calendar/holidays/:id', {
    config: { access: { resource: 'holidays', action: 'update' } },
    schema: { tags, security, summary: '修改节假日 Update a holiday', params: IdParams, body: HolidayPatch, response: { 200: HolidayItem, ...errors } },
  }, async (req) => service.updateHoliday(contextOf(req), req.params.id, req.body))

  app.delete('/calendar/holidays/:id', {
    config: { access: { resource: 'holidays', action: 'delete' } },
    schema: { tags, security, summary: '删除节假日 Delete a holiday', params: IdParams, response: { 204: NoContent, ...errors } },
  }, async (req, reply) => {
    await service.deleteHoliday(contextOf(req), req.params.id)
    return reply.status(204).send(null)
  })
}

export default calendarRoutes
