import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import type { GuardianService } from './guardian-service.js'
import { all, errors, NoContent, security, tags } from './route-parts.js'
import type { StudentService } from './student-service.js'
import {
  GuardianCreate, GuardianItem, GuardianPatch, StudentCreate, StudentItem, StudentListQuery, StudentPatch,
} from './schemas.js'

const studentRoutes: FastifyPluginAsyncZod<{ students: StudentService; guardians: GuardianService }> = async (app, { students, guardians }) => {
  app.get('/students', {
    config: { access: { resource: 'students', action: 'list' } },
    schema: {
      tags, security, summary: '学生列表 Students (class, status, name or 学号 search, sort)',
      querystring: StudentListQuery, response: { 200: page(StudentItem), ...errors },
    },
  }, async (req) => students.list(contextOf(req), req.query))

  app.get('/students/:id', {
    config: { access: { resource: 'students', action: 'read' } },
    schema: { tags, security, summary: '学生 One student', params: IdParams, response: { 200: StudentItem, ...errors } },
  }, async (req) => students.get(contextOf(req), req.params.id))

  app.post('/students', {
    config: { access: { resource: 'students', action: 'create' } },
    schema: { tags, security, summary: '新建学生 Create a student', body: StudentCreate, response: { 201: StudentItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await students.create(contextOf(req), req.body)))

  app.patch('/students/:id', {
    config: { access: { resource: 'students', action: 'update' } },
    schema: { tags, security, summary: '修改学生 Update a student', params: IdParams, body: StudentPatch, response: { 200: StudentItem, ...errors } },
  }, async (req) => students.update(contextOf(req), req.params.id, req.body))

  app.delete('/students/:id', {
    config: { access: { resource: 'students', action: 'delete' } },
    schema: { tags, security, summary: '删除学生 Delete a student', params: IdParams, response: { 204: NoContent, ...errors } },
  }, async (req, reply) => {
    await students.remove(contextOf(req), req.params.id)
    return reply.status(204).send(null)
  })

  app.get('/students/:id/guardians', {
    config: { access: { resource: 'guardians', action: 'list' } },
    schema: { tags, security, summary: '监护人列表 Guardians of a student', params: IdParams, response: { 200: all(GuardianItem), ...errors } },
  }, async (req) => guardians.listOfStudent(contextOf(req), req.params.id))

  app.post('/students/:id/guardians', {
    config: { access: { resource: 'guardians', action: 'create' } },
    schema: { tags, security, summary: '新增监护人 Add a guardian', params: IdParams, body: GuardianCreate, response: { 201: GuardianItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await guardians.create(contextOf(req), req.params.id, req.body)))

  app.patch('/guardians/:id', {
    config: { access: { resource: 'guardians', action: 'update' } },
    schema: { tags, security, summary: '修改监护人 Update a guardian', params: IdParams, body: GuardianPatch, response: { 200: GuardianItem, ...errors } },
  }, async (req) => guardians.update(contextOf(req), req.params.id, req.body))

  app.delete('/guardians/:id', {
    config: { access: { resource: 'guardians', action: 'delete' } },
    schema: { tags, security, summary: '删除监护人 Remove a guardian', params: IdParams, response: { 204: NoContent, ...errors } },
  }, async (req, reply) => {
    await guardians.remove(contextOf(req), req.params.id)
    return reply.status(204).send(null)
  })
}

export default studentRoutes
