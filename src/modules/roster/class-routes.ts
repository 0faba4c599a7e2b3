import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page, Pagination } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import type { ClassService } from './class-service.js'
import { errors, NoContent, security, tags } from './route-parts.js'
import { ClassCreate, ClassItem, ClassListQuery, ClassPatch, GradeCreate, GradeItem } from './schemas.js'

const classRoutes: FastifyPluginAsyncZod<{ service: ClassService }> = async (app, { service }) => {
  app.get('/grades', {
    config: { access: { resource: 'grades', action: 'list' } },
    schema: { tags, security, summary: '年级列表 Grades of the school', querystring: Pagination, response: { 200: page(GradeItem), ...errors } },
  }, async (req) => service.listGrades(contextOf(req), req.query))

  app.post('/grades', {
    config: { access: { resource: 'grades', action: 'create' } },
    schema: { tags, security, summary: '新建年级 Create a grade', body: GradeCreate, response: { 201: GradeItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await service.createGrade(contextOf(req), req.body)))

  app.get('/classes', {
    config: { access: { resource: 'classes', action: 'list' } },
    schema: { tags, security, summary: '班级列表 Classes (filter by grade)', querystring: ClassListQuery, response: { 200: page(ClassItem), ...errors } },
  }, async (req) => service.listClasses(contextOf(req), req.query))

  app.post('/classes', {
    config: { access: { resource: 'classes', action: 'create' } },
    schema: { tags, security, summary: '新建班级 Create a class', body: ClassCreate, response: { 201: ClassItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await service.createClass(contextOf(req), req.body)))

  app.get('/classes/:id', {
    config: { access: { resource: 'classes', action: 'read' } },
    schema: { tags, security, summary: '班级 One class', params: IdParams, response: { 200: ClassItem, ...errors } },
  }, async (req) => service.getClass(contextOf(req), req.params.id))

  app.patch('/classes/:id', {
    config: { access: { resource: 'classes', action: 'update' } },
    schema: { tags, security, summary: '修改班级 Update a class', params: IdParams, body: ClassPatch, response: { 200: ClassItem, ...errors } },
  }, async (req) => service.updateClass(contextOf(req), req.params.id, req.body))

  app.delete('/classes/:id', {
    config: { access: { resource: 'classes', action: 'delete' } },
    schema: { tags, security, summary: '删除班级 Delete an empty class', params: IdParams, response: { 204: NoContent, ...errors } },
  }, async (req, reply) => {
    await service.deleteClass(contextOf(req), req.params.id)
    return reply.status(204).send(null)
  })
}

export default classRoutes
