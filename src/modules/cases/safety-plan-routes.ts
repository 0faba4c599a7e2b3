import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import {
  SafetyPlanContent, SafetyPlanCreate, SafetyPlanDefaults, SafetyPlanItem, SafetyPlanLastReview, SafetyPlanListQuery,
  SafetyPlanPrint, SafetyPlanReviewCreate, SafetyPlanReviewItem, SafetyPlanVersionItem, SafetyPlanView, VersionParams,
} from './safety-plan-schemas.js'
import type { SafetyPlanService } from './safety-plan-service.js'
import { EmptyBody, errors, security } from './schemas.js'

const tags = ['safety-plans']

/**
 * 安全计划 (Stanley–Brown): a case's plan, its versions, reviews, and the student's printed
 * card. Psychology teachers of the school read and write; a paired mentor reads the steps
 * addressed to them while the pairing is active.
 */
const safetyPlanRoutes: FastifyPluginAsyncZod<{ service: SafetyPlanService }> = async (app, { service }) => {
  app.post('/cases/:id/safety-plan', {
    config: { access: { resource: 'safety_plans', action: 'create' } },
    schema: {
      tags, security,
      summary: '制定安全计划 Create the case’s safety plan (six steps and reasons for living; step 5 pre-filled when omitted; optional crisisId); 409 when the case already has an active plan',
      params: IdParams, body: SafetyPlanCreate, response: { 201: SafetyPlanView, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await service.create(contextOf(req), req.params.id, req.body, req.locale)))

  app.get('/cases/:id/safety-plan', {
    config: { access: { resource: 'safety_plans', action: 'read' } },
    schema: {
      tags, security, summary: '安全计划 The case’s active safety plan: current version, version list, last review',
      params: IdParams, response: { 200: SafetyPlanView, ...errors },
    },
  }, async (req) => service.ofCase(contextOf(req), req.params.id, req.locale))

  app.get('/cases/:id/safety-plan/defaults', {
    config: { access: { resource: 'safety_plans', action: 'create' } },
    schema: {
      tags, security, summary: '安全计划预填 What a new plan’s step 5 starts with: the school’s psychology teachers, referral institutions, 12356, 120, 110',
      params: IdParams, response: { 200: SafetyPlanDefaults, ...errors },
    },
  }, async (req) => service.defaults(contextOf(req), req.params.id))

  app.get('/cases/:id/safety-plan/last-review', {
    config: { access: { resource: 'safety_plan_reviews', action: 'read' } },
    schema: {
      tags, security, summary: '安全计划最近复查 When the case’s safety plan was last reviewed (shown at the 复学 step of a referral)',
      params: IdParams, response: { 200: SafetyPlanLastReview, ...errors },
    },
  }, async (req) => service.lastReviewOfCase(contextOf(req), req.params.id, req.locale))

  app.get('/safety-plans', {
    config: { access: { resource: 'safety_plans', action: 'list' } },
    schema: {
      tags, security, summary: '安全计划列表 Safety plans with their current version, as the caller reads them (a mentor: the steps addressed to mentors)',
      querystring: SafetyPlanListQuery, response: { 200: page(SafetyPlanItem), ...errors },
    },
  }, async (req) => service.list(contextOf(req), req.query))

  app.get('/safety-plans/:id', {
    config: { access: { resource: 'safety_plans', action: 'read' } },
    schema: {
      tags, security, summary: '安全计划 One safety plan: current version, version list, last review',
      params: IdParams, response: { 200: SafetyPlanView, ...errors },
    },
  }, async (req) => service.get(contextOf(req), req.params.id, req.locale))

  app.post('/safety-plans/:id/versions', {
    config: { access: { resource: 'safety_plan_versions', action: 'create' } },
    schema: {
      tags, security, summary: '修改安全计划 Save the whole plan as its next version (the earlier versions stay readable)',
      params: IdParams, body: SafetyPlanContent, response: { 201: SafetyPlanView, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await service.saveVersion(contextOf(req), req.params.id, req.body, req.locale)))

  app.get('/safety-plans/:id/versions/:version', {
    config: { access: { resource: 'safety_plan_versions', action: 'read' } },
    schema: {
      tags, security, summary: '安全计划历史版本 One version of a safety plan',
      params: VersionParams, response: { 200: SafetyPlanVersionItem, ...errors },
    },
  }, async (req) => service.version(contextOf(req), req.params.id, req.params.version))

  app.post('/safety-plans/:id/end', {
    config: { access: { resource: 'safety_plans', action: 'transition' } },
    schema: {
      tags, security, summary: '停用安全计划 End a safety plan (it stays readable; the case may then get a new one)',
      params: IdParams, body: EmptyBody, response: { 200: SafetyPlanView, ...errors },
    },
  }, async (req) => service.end(contextOf(req), req.params.id, req.locale))

  app.post('/safety-plans/:id/reviews', {
    config: { access: { resource: 'safety_plan_reviews', action: 'create' } },
    schema: {
      tags, security,
      summary: '复查安全计划 Record a review (reviewedOn, context follow_up | return_to_school (复学) | other, note); with `plan` the new content is saved as the next version',
      params: IdParams, body: SafetyPlanReviewCreate, response: { 201: SafetyPlanReviewItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await service.review(contextOf(req), req.params.id, req.body, req.locale)))

  app.get('/safety-plans/:id/reviews', {
    config: { access: { resource: 'safety_plan_reviews', action: 'list' } },
    schema: {
      tags, security, summary: '安全计划复查记录 Reviews of a safety plan, latest first',
      params: IdParams, response: { 200: z.object({ items: z.array(SafetyPlanReviewItem), total: z.number() }), ...errors },
    },
  }, async (req) => service.reviews(contextOf(req), req.params.id, req.locale))

  app.get('/safety-plans/:id/print', {
    config: { access: { resource: 'safety_plans', action: 'export' } },
    schema: {
      tags, security, summary: '打印安全计划 What the student’s printed plan shows: names, the six steps, reasons for living, hotlines (audited as an export)',
      params: IdParams, response: { 200: SafetyPlanPrint, ...errors },
    },
  }, async (req) => service.print(contextOf(req), req.params.id))
}

export default safetyPlanRoutes
