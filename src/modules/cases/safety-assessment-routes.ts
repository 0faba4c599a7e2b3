import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import type { CrisisDisclosureService } from './crisis-disclosure-service.js'
import {
  AssessmentCreate, AssessmentItem, DisclosureCreate, DisclosureItem, DisclosureList, errors, SafetyFormOut, WordingPut,
} from './safety-assessment-schemas.js'
import type { SafetyAssessmentService } from './safety-assessment-service.js'
import { security, tags } from './schemas.js'

/** 简要自杀安全评估 and 告知记录 of a crisis event. */
const safetyAssessmentRoutes: FastifyPluginAsyncZod<{ assessments: SafetyAssessmentService; disclosures: CrisisDisclosureService }> = async (app, { assessments, disclosures }) => {
  app.get('/safety-assessment-form', {
    config: { access: { resource: 'safety_assessments', action: 'read' } },
    schema: {
      tags, security,
      summary: '简要自杀安全评估表 The Brief Suicide Safety Assessment form (NIMH ASQ BSSA): sections, items, dispositions, zh-CN and en text, 待临床审核 flags, the public-domain notice',
      response: { 200: SafetyFormOut, ...errors },
    },
  }, async (req) => assessments.form(contextOf(req)))

  app.put('/safety-assessment-form/wording', {
    config: { access: { resource: 'safety_form_wordings', action: 'update' } },
    schema: {
      tags, security,
      summary: '修改中文措辞 Replace the Chinese wording of items of the safety assessment form for this school: texts maps item key → zh-CN text (an empty text goes back to the form\'s own). A key the form does not have answers 422 naming it. Answers the form with the school\'s wording (zhSchoolWording, not zhPendingReview)',
      body: WordingPut, response: { 200: SafetyFormOut, ...errors },
    },
  }, async (req) => assessments.putWording(contextOf(req), req.body))

  app.post('/crisis-events/:id/assessment', {
    config: { access: { resource: 'safety_assessments', action: 'create' } },
    schema: {
      tags, security,
      summary: '记录安全评估 Record the crisis event\'s safety assessment (once; a second answers 409). Disposition emergency 紧急转介: opens an urgent referral (referral.institutionId, referral.reason) and makes a parent contact due today; safety_plan 安全计划: followUpOn required; none 暂无需进一步处理: reason required. A wrong answer answers 422 naming the item',
      params: IdParams, body: AssessmentCreate, response: { 201: AssessmentItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await assessments.assess(contextOf(req), req.params.id, req.body)))

  app.get('/crisis-events/:id/assessment', {
    config: { access: { resource: 'safety_assessments', action: 'read' } },
    schema: {
      tags, security, summary: '安全评估 The crisis event\'s safety assessment (404 safety_assessment_missing when none is recorded yet)',
      params: IdParams, response: { 200: AssessmentItem, ...errors },
    },
  }, async (req) => assessments.get(contextOf(req), req.params.id))

  app.post('/crisis-events/:id/disclosures', {
    config: { access: { resource: 'crisis_disclosures', action: 'create' } },
    schema: {
      tags, security,
      summary: '记录告知 Record who was told: role homeroom_teacher 班主任 · guardian 监护人 · school_leader 学校领导 · other 其他; channel in_person 当面 · phone 电话 · message 消息 · other 其他; toldAt (now when left out). A guardian not told: notTold true with notToldReason',
      params: IdParams, body: DisclosureCreate, response: { 201: DisclosureItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await disclosures.add(contextOf(req), req.params.id, req.body)))

  app.get('/crisis-events/:id/disclosures', {
    config: { access: { resource: 'crisis_disclosures', action: 'list' } },
    schema: {
      tags, security, summary: '告知记录 Who was told of the crisis event, in the order recorded',
      params: IdParams, response: { 200: DisclosureList, ...errors },
    },
  }, async (req) => disclosures.list(contextOf(req), req.params.id))
}

export default safetyAssessmentRoutes
