import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import {
  errors, NoContent, RoomSettingsItem, RoomSettingsPut, RoomSummary, security, SessionCreate, SessionItem, SessionListQuery,
  SessionPatch, SummaryQuery, VisitCreate, VisitItem, VisitListQuery, VisitPatch,
} from './schemas.js'

const tags = ['counselling-room']
const base = '/counselling-room'

const roomRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = app.services.practices.room

  app.get(`${base}/settings`, {
    config: { access: { resource: 'room_settings', action: 'read' } },
    schema: { tags, security, summary: '辅导室信息 Location and opening hours', response: { 200: RoomSettingsItem, ...errors } },
  }, async (req) => service.getSettings(contextOf(req)))

  app.put(`${base}/settings`, {
    config: { access: { resource: 'room_settings', action: 'update' } },
    schema: { tags, security, summary: '设置开放时间 Set location and opening hours', body: RoomSettingsPut, response: { 200: RoomSettingsItem, ...errors } },
  }, async (req) => service.putSettings(contextOf(req), req.body))

  app.get(`${base}/visits`, {
    config: { access: { resource: 'room_visits', action: 'list' } },
    schema: { tags, security, summary: '来访记录 Visits', querystring: VisitListQuery, response: { 200: page(VisitItem), ...errors } },
  }, async (req) => service.listVisits(contextOf(req), req.query))

  app.post(`${base}/visits`, {
    config: { access: { resource: 'room_visits', action: 'create' } },
    schema: { tags, security, summary: '登记来访 Record a visit (no student: an anonymous walk-in)', body: VisitCreate, response: { 201: VisitItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await service.createVisit(contextOf(req), req.body)))

  app.get(`${base}/visits/:id`, {
    config: { access: { resource: 'room_visits', action: 'read' } },
    schema: { tags, security, summary: '来访记录 One visit', params: IdParams, response: { 200: VisitItem, ...errors } },
  }, async (req) => service.getVisit(contextOf(req), req.params.id))

  app.patch(`${base}/visits/:id`, {
    config: { access: { resource: 'room_visits', action: 'update' } },
    schema: { tags, security, summary: '修改来访记录 Update a visit', params: IdParams, body: VisitPatch, response: { 200: VisitItem, ...errors } },
  }, async (req) => service.updateVisit(contextOf(req), req.params.id, req.body))

  app.delete(`${base}/visits/:id`, {
    config: { access: { resource: 'room_visits', action: 'delete' } },
    schema: { tags, security, summary: '删除来访记录 Delete a visit', params: IdParams, response: { 204: NoContent, ...errors } },
  }, async (req, reply) => {
    await service.deleteVisit(contextOf(req), req.params.id)
    return reply.status(204).send(null)
  })

  app.get(`${base}/sessions`, {
    config: { access: { resource: 'group_sessions', action: 'list' } },
    schema: { tags, security, summary: '团体辅导 Group sessions', querystring: SessionListQuery, response: { 200: page(SessionItem), ...errors } },
  }, async (req) => service.listSessions(contextOf(req), req.query))

  app.post(`${base}/sessions`, {
    config: { access: { resource: 'group_sessions', action: 'create' } },
    schema: { tags, security, summary: '登记团体辅导 Record a group session', body: SessionCreate, response: { 201: SessionItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await service.createSession(contextOf(req), req.body)))

  app.get(`${base}/sessions/:id`, {
    config: { access: { resource: 'group_sessions', action: 'read' } },
    schema: { tags, security, summary: '团体辅导 One group session', params: IdParams, response: { 200: SessionItem, ...errors } },
  }, async (req) => service.getSession(contextOf(req), req.params.id))

  app.patch(`${base}/sessions/:id`, {
    config: { access: { resource: 'group_sessions', action: 'update' } },
    schema: { tags, security, summary: '修改团体辅导 Update a group session', params: IdParams, body: SessionPatch, response: { 200: SessionItem, ...errors } },
  }, async (req) => service.updateSession(contextOf(req), req.params.id, req.body))

  app.delete(`${base}/sessions/:id`, {
    config: { access: { resource: 'group_sessions', action: 'delete' } },
    schema: { tags, security, summary: '删除团体辅导 Delete a group session', params: IdParams, response: { 204: NoContent, ...errors } },
  }, async (req, reply) => {
    await service.deleteSession(contextOf(req), req.params.id)
    return reply.status(204).send(null)
  })

  app.get(`${base}/summary`, {
    config: { access: { resource: 'room_visits', action: 'export' } },
    schema: { tags, security, summary: '辅导室工作统计 Counts for an inspection (no student data)', querystring: SummaryQuery, response: { 200: RoomSummary, ...errors } },
  }, async (req) => service.summary(contextOf(req), req.query))
}

export default roomRoutes
