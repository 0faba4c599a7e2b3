import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import { all, errors, NoContent, security, tags } from './route-parts.js'
import { PasswordResetResult, RoleGrantBody, UserCreate, UserItem, UserListQuery, UserPatch, UserRoleItem } from './schemas.js'
import type { UserService } from './user-service.js'

const userRoutes: FastifyPluginAsyncZod<{ service: UserService }> = async (app, { service }) => {
  app.get('/users', {
    config: { access: { resource: 'users', action: 'list' } },
    schema: { tags, security, summary: '教职工账号 Staff accounts of the school', querystring: UserListQuery, response: { 200: page(UserItem), ...errors } },
  }, async (req) => service.list(contextOf(req), req.query))

  app.get('/users/:id', {
    config: { access: { resource: 'users', action: 'read' } },
    schema: { tags, security, summary: '账号 One account', params: IdParams, response: { 200: UserItem, ...errors } },
  }, async (req) => service.get(contextOf(req), req.params.id))

  app.post('/users', {
    config: { access: { resource: 'users', action: 'create' } },
    schema: { tags, security, summary: '新建账号 Create an account (initial password, optional roles)', body: UserCreate, response: { 201: UserItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await service.create(contextOf(req), req.body)))

  app.patch('/users/:id', {
    config: { access: { resource: 'users', action: 'update' } },
    schema: { tags, security, summary: '修改账号 Update or disable an account', params: IdParams, body: UserPatch, response: { 200: UserItem, ...errors } },
  }, async (req) => service.update(contextOf(req), req.params.id, req.body))

  app.post('/users/:id/password-reset', {
    config: { access: { resource: 'users', action: 'update' } },
    schema: { tags, security, summary: '重置密码 Reset a password (a one-time password, shown once, to be changed at sign-in)', params: IdParams, response: { 200: PasswordResetResult, ...errors } },
  }, async (req) => service.resetPassword(contextOf(req), req.params.id))

  app.get('/users/:id/roles', {
    config: { access: { resource: 'user_roles', action: 'list' } },
    schema: { tags, security, summary: '账号角色 Roles of an account', params: IdParams, response: { 200: all(UserRoleItem), ...errors } },
  }, async (req) => service.listRoles(contextOf(req), req.params.id))

  app.post('/users/:id/roles', {
    config: { access: { resource: 'user_roles', action: 'create' } },
    schema: { tags, security, summary: '授予角色 Grant a role', params: IdParams, body: RoleGrantBody, response: { 201: UserRoleItem, ...errors } },
  }, async (req, reply) => reply.status(201).send(await service.addRole(contextOf(req), req.params.id, req.body)))

  app.delete('/user-roles/:id', {
    config: { access: { resource: 'user_roles', action: 'delete' } },
    schema: { tags, security, summary: '撤销角色 Revoke a role', params: IdParams, response: { 204: NoContent, ...errors } },
  }, async (req, reply) => {
    await service.removeRole(contextOf(req), req.params.id)
    return reply.status(204).send(null)
  })
}

export default userRoutes
