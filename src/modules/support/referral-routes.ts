import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import type { ReferralFormService } from './referral-form.js'
import {
  ReferralCreate, ReferralEventItem, ReferralItem, ReferralListQuery, ReferralPatch, ReferralTransition,
} from './referral-schemas.js'
import type { ReferralService } from './referral-service.js'
import { errors, security } from './route-parts.js'

const tags = ['referral']

/** 及时转介 (step 6): referrals to external institutions, their loop, and the printable form. */
const referralRoutes: FastifyPluginAsyncZod<{ referrals: ReferralService; forms: ReferralFormService }> = async (app, { referrals, forms }) => {
  app.post('/students/:id/referrals', {
    config: { access: { resource: 'referrals', action: 'create' } },
    schema: {
      tags, security, summary: '拟转介 Propose a referral to an institution of the directory',
      params: IdParams, body: ReferralCreate, response: { 201: ReferralItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await referrals.create(contextOf(req), req.params.id, req.body, req.locale)))

  app.get('/referrals', {
    config: { access: { resource: 'referrals', action: 'list' } },
    schema: {
      tags, security, summary: '转介列表 Referrals (by student, case, state; overdue=true for open loops past their follow-up date)',
      querystring: ReferralListQuery, response: { 200: page(ReferralItem), ...errors },
    },
  }, async (req) => referrals.list(contextOf(req), req.query, req.locale))

  app.get('/referrals/:id', {
    config: { access: { resource: 'referrals', action: 'read' } },
    schema: { tags, security, summary: '转介 One referral', params: IdParams, response: { 200: ReferralItem, ...errors } },
  }, async (req) => referrals.get(contextOf(req), req.params.id, req.locale))

  app.patch('/referrals/:id', {
    config: { access: { resource: 'referrals', action: 'update' } },
    schema: {
      tags, security, summary: '修改转介 Update follow-up date, case link; reason and institution until sent',
      params: IdParams, body: ReferralPatch, response: { 200: ReferralItem, ...errors },
    },
  }, async (req) => referrals.update(contextOf(req), req.params.id, req.body, req.locale))

  app.post('/referrals/:id/transitions', {
    config: { access: { resource: 'referrals', action: 'transition' } },
    schema: {
      tags, security,
      summary: '转介进度 Move a referral on: consented → sent → received → feedback → reassessed (复学评估) → closed, or withdrawn before sending',
      params: IdParams, body: ReferralTransition, response: { 200: ReferralItem, ...errors },
    },
  }, async (req) => referrals.transition(contextOf(req), req.params.id, req.body, req.locale))

  app.get('/referrals/:id/events', {
    config: { access: { resource: 'referral_events', action: 'list' } },
    schema: {
      tags, security, summary: '转介记录 Each step of a referral: who and when',
      params: IdParams, response: { 200: z.object({ items: z.array(ReferralEventItem), total: z.number() }), ...errors },
    },
  }, async (req) => referrals.events(contextOf(req), req.params.id))

  app.get('/referrals/:id/form', {
    config: { access: { resource: 'referrals', action: 'export' } },
    schema: {
      tags, security, summary: '转介单 The printable referral form (Chinese, HTML, audited as an export)',
      produces: ['text/html'], params: IdParams, response: { 200: z.string().describe('转介单 HTML'), ...errors },
    },
  }, async (req, reply) => {
    const html = await forms.form(contextOf(req), req.params.id)
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-disposition', `inline; filename="referral.html"; filename*=UTF-8''${encodeURIComponent('转介单.html')}`)
      .send(html)
  })
}

export default referralRoutes
