import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import {
  ActivityCreate, ActivityItem, ActivityListQuery, ActivityPatch, ActivitySummary, ActivitySummaryQuery,
} from './parent-activity-schemas.js'
import type { ActivityService } from './parent-activity-service.js'
import { errors, security } from './route-parts.js'

const tags = ['parents']

/** 家校协同 activities: 家长学校, 家访, 家长会 per class or school, with attendance. */
const activityRoutes: FastifyPluginAsyncZod<{ activities: ActivityService }> = async (app, { activities }) => {
  app.post('/home-school-activities', {
    config: { access: { resource: 'home_school_activities', action: 'create' } },
    schema: {
      tags, security, summary: '家校活动 Record a 家长学校 / 家访 / 家长会 (a class, or the school when no class)',
      body: ActivityCreate, response: { 201: ActivityItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await activities.create(contextOf(req), req.body)))

  app.get('/home-school-activities', {
    config: { access: { resource: 'home_school_activities', action: 'list' } },
    schema: {
      tags, security, summary: '家校活动列表 Home–school activities',
      querystring: ActivityListQuery, response: { 200: page(ActivityItem), ...errors },
    },
  }, async (req) => activities.list(contextOf(req), req.query))

  app.get('/home-school-activities/summary', {
    config: { access: { resource: 'home_school_activities', action: 'list' } },
    schema: {
      tags, security, summary: '家校活动统计 Activities and attendance per kind and class',
      querystring: ActivitySummaryQuery, response: { 200: ActivitySummary, ...errors },
    },
  }, async (req) => activities.summary(contextOf(req), req.query))

  app.get('/home-school-activities/:id', {
    config: { access: { resource: 'home_school_activities', action: 'read' } },
    schema: { tags, security, summary: '家校活动 One activity', params: IdParams, response: { 200: ActivityItem, ...errors } },
  }, async (req) => activities.get(contextOf(req), req.params.id))

  app.patch('/home-school-activities/:id', {
    config: { access: { resource: 'home_school_activities', action: 'update' } },
    schema: {
      tags, security, summary: '修改家校活动 Update an activity',
      params: IdParams, body: ActivityPatch, response: { 200: ActivityItem, ...errors },
    },
  }, async (req) => activities.update(contextOf(req), req.params.id, req.body))
}

export default activityRoutes
