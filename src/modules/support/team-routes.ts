import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import { PairingItem } from './pairing-schemas.js'
import { errors, security } from './route-parts.js'
import type { TeamService } from './team-service.js'
import { MemberParams, TeamCreate, TeamEnd, TeamItem, TeamListQuery, TeamMember } from './team-schemas.js'

const tags = ['pairing']

/** 多帮一: a support team of several staff around one student; each member is a pairing. */
const teamRoutes: FastifyPluginAsyncZod<{ teams: TeamService }> = async (app, { teams }) => {
  app.post('/students/:id/support-teams', {
    config: { access: { resource: 'support_teams', action: 'create' } },
    schema: {
      tags, security, summary: '多帮一小组 Form a support team around a student (each member is paired)',
      params: IdParams, body: TeamCreate, response: { 201: TeamItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await teams.create(contextOf(req), req.params.id, req.body)))

  app.get('/support-teams', {
    config: { access: { resource: 'support_teams', action: 'list' } },
    schema: { tags, security, summary: '多帮一小组列表 Support teams (by student, active)', querystring: TeamListQuery, response: { 200: page(TeamItem), ...errors } },
  }, async (req) => teams.list(contextOf(req), req.query))

  app.get('/support-teams/:id', {
    config: { access: { resource: 'support_teams', action: 'read' } },
    schema: { tags, security, summary: '多帮一小组 One support team with its members', params: IdParams, response: { 200: TeamItem, ...errors } },
  }, async (req) => teams.get(contextOf(req), req.params.id))

  app.post('/support-teams/:id/members', {
    config: { access: { resource: 'support_teams', action: 'update' } },
    schema: {
      tags, security, summary: '添加小组成员 Add a member (paired with the student from today)',
      params: IdParams, body: TeamMember, response: { 201: PairingItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await teams.addMember(contextOf(req), req.params.id, req.body)))

  app.post('/support-teams/:id/members/:memberId/end', {
    config: { access: { resource: 'support_teams', action: 'update' } },
    schema: {
      tags, security, summary: '移出小组成员 Remove a member (their pairing ends at once)',
      params: MemberParams, response: { 200: PairingItem, ...errors },
    },
  }, async (req) => teams.removeMember(contextOf(req), req.params.id, req.params.memberId))

  app.post('/support-teams/:id/end', {
    config: { access: { resource: 'support_teams', action: 'transition' } },
    schema: {
      tags, security, summary: '结束小组 End the team (every member’s pairing ends at once)',
      params: IdParams, body: TeamEnd.nullish(), response: { 200: TeamItem, ...errors },
    },
  }, async (req) => teams.end(contextOf(req), req.params.id, req.body ?? {}))
}

export default teamRoutes
