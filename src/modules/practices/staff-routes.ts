import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page, Pagination } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import { errors, NoContent, security, StaffCreate, StaffItem, StaffPatch } from './schemas.js'

const tags = ['staffing']

const staffRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = app.services.practices.staff

  app.get('/staff-profiles', {
    config: { access: { resource: 'staff_profiles', action: 'list' } },
    schema: { tags, security, summary: '心理教师情况 Psychology staff of the school', querystring: Pagination, response: { 200: page(StaffItem), ...errors } },
  }, async (req) => service.list(contextOf(req), req.query))

  app.post('/staff-profiles', {
    config: { access: { resource: 'staff_profiles', action: 'create' } },
    schema: { tags, security, summary: '登记心理教师 Add a staff profile (link an account, or a name)', body: StaffCreate, response: { 201: StaffItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await service.create(contextOf(req), req.body)))

  app.get('/staff-profiles/:id', {
    config: { access: { resource: 'staff_profiles', action: 'read' } },
    schema: { tags, security, summary: '心理教师情况 One staff profile', params: IdParams, response: { 200: StaffItem, ...errors } },
  }, async (req) => service.get(contextOf(req), req.params.id))

  app.patch('/staff-profiles/:id', {
    config: { access: { resource: 'staff_profiles', action: 'update' } },
    schema: { tags, security, summary: '修改心理教师情况 Update a staff profile', params: IdParams, body: StaffPatch, response: { 200: StaffItem, ...errors } },
  }, async (req) => service.update(contextOf(req), req.params.id, req.body))

  app.delete('/staff-profiles/:id', {
    config: { access: { resource: 'staff_profiles', action: 'delete' } },
    schema: { tags, security, summary: '删除心理教师情况 Delete a staff profile', params: IdParams, response: { 204: NoContent, ...errors } },
  }, async (req, reply) => {
    await service.remove(contextOf(req), req.params.id)
    return reply.status(204).send(null)
  })
}

export default staffRoutes
