import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import {
  ChainItem, ChainList, ChainPut, errors, HoursItem, HoursPut, KindParams, NoContent, OnCallNow, security, ShiftCreate, ShiftItem,
  ShiftListQuery, ShiftPatch,
} from './schemas.js'

const tags = ['escalation']

/**
 * 危机上报链与值班表: the school's escalation chains (crisis events, peer alerts), the on-call
 * roster and the school hours. School admins keep them; psychology teachers read them.
 */
const escalationRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = app.services.escalation

  app.get('/escalation-chains', {
    config: { access: { resource: 'escalation_chains', action: 'list' } },
    schema: { tags, security, summary: '危机上报链 The chains (crisis events, peer alerts); the built-in one where the school has none', response: { 200: ChainList, ...errors } },
  }, async (req) => service.listChains(contextOf(req)))

  app.get('/escalation-chains/:kind', {
    config: { access: { resource: 'escalation_chains', action: 'read' } },
    schema: { tags, security, summary: '危机上报链 One chain', params: KindParams, response: { 200: ChainItem, ...errors } },
  }, async (req) => service.getChain(contextOf(req), req.params.kind))

  app.put('/escalation-chains/:kind', {
    config: { access: { resource: 'escalation_chains', action: 'update' } },
    schema: { tags, security, summary: '设置上报链 Set the steps (recipients, minutes after the previous step) and the repeat interval', params: KindParams, body: ChainPut, response: { 200: ChainItem, ...errors } },
  }, async (req) => service.putChain(contextOf(req), req.params.kind, req.body))

  app.delete('/escalation-chains/:kind', {
    config: { access: { resource: 'escalation_chains', action: 'delete' } },
    schema: { tags, security, summary: '恢复默认上报链 Back to the built-in chain', params: KindParams, response: { 200: ChainItem, ...errors } },
  }, async (req) => service.resetChain(contextOf(req), req.params.kind))

  app.get('/on-call', {
    config: { access: { resource: 'on_call_shifts', action: 'list' } },
    schema: { tags, security, summary: '值班表 On-call shifts (default: those not yet over)', querystring: ShiftListQuery, response: { 200: page(ShiftItem), ...errors } },
  }, async (req) => service.listShifts(contextOf(req), req.query))

  app.get('/on-call/now', {
    config: { access: { resource: 'on_call_shifts', action: 'list' } },
    schema: { tags, security, summary: '现在谁值班 Who a crisis escalated now reaches as the teacher on call', response: { 200: OnCallNow, ...errors } },
  }, async (req) => service.onCallNow(contextOf(req)))

  app.post('/on-call', {
    config: { access: { resource: 'on_call_shifts', action: 'create' } },
    schema: { tags, security, summary: '添加值班 Add a shift', body: ShiftCreate, response: { 201: ShiftItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await service.createShift(contextOf(req), req.body)))

  app.get('/on-call/:id', {
    config: { access: { resource: 'on_call_shifts', action: 'read' } },
    schema: { tags, security, summary: '值班 One shift', params: IdParams, response: { 200: ShiftItem, ...errors } },
  }, async (req) => service.getShift(contextOf(req), req.params.id))

  app.patch('/on-call/:id', {
    config: { access: { resource: 'on_call_shifts', action: 'update' } },
    schema: { tags, security, summary: '修改值班 Change a shift', params: IdParams, body: ShiftPatch, response: { 200: ShiftItem, ...errors } },
  }, async (req) => service.updateShift(contextOf(req), req.params.id, req.body))

  app.delete('/on-call/:id', {
    config: { access: { resource: 'on_call_shifts', action: 'delete' } },
    schema: { tags, security, summary: '删除值班 Remove a shift', params: IdParams, response: { 204: NoContent, ...errors } },
  }, async (req, reply) => {
    await service.removeShift(contextOf(req), req.params.id)
    return reply.status(204).send(null)
  })

  app.get('/school-hours', {
    config: { access: { resource: 'school_hours', action: 'read' } },
    schema: { tags, security, summary: '在校时间 School hours (outside them a crisis goes to the teacher on call)', response: { 200: HoursItem, ...errors } },
  }, async (req) => service.getHours(contextOf(req)))

  app.put('/school-hours', {
    config: { access: { resource: 'school_hours', action: 'update' } },
    schema: { tags, security, summary: '设置在校时间 Set the school hours', body: HoursPut, response: { 200: HoursItem, ...errors } },
  }, async (req) => service.putHours(contextOf(req), req.body))
}

export default escalationRoutes
