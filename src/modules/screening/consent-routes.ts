import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import type { ConsentService } from './consent-service.js'
import {
  ConsentBulk, ConsentBulkAnswer, ConsentClassQuery, ConsentItem, ConsentParams, ConsentRoster, ConsentSet, ConsentSummary, errors, security, tags,
} from './schemas.js'

/** 知情同意: guardians' consent and students' assent per campaign, one by one or for a class list. */
const consentRoutes: FastifyPluginAsyncZod<{ service: ConsentService }> = async (app, { service }) => {
  app.get('/screening/campaigns/:id/consents', {
    config: { access: { resource: 'screening_consents', action: 'list' } },
    schema: {
      tags, security,
      summary: '知情同意名单 A class list with each student’s guardian consent and own assent (psychology teachers)',
      description: 'States: guardianConsent given / refused / not_returned, studentAssent given / refused / not_asked; consentOk says whether answers may be taken.',
      params: IdParams, querystring: ConsentClassQuery, response: { 200: ConsentRoster, ...errors },
    },
  }, async (req) => service.roster(contextOf(req), req.params.id, req.query.classId))

  app.get('/screening/campaigns/:id/consents/summary', {
    config: { access: { resource: 'screening_consents', action: 'read' } },
    schema: {
      tags, security,
      summary: '知情同意统计 Consent counts of one class (homeroom teachers: given / not given only)',
      params: IdParams, querystring: ConsentClassQuery, response: { 200: ConsentSummary, ...errors },
    },
  }, async (req) => service.summary(contextOf(req), req.params.id, req.query.classId))

  app.put('/screening/campaigns/:id/consents/:studentId', {
    config: { access: { resource: 'screening_consents', action: 'update' } },
    schema: {
      tags, security,
      summary: '录入知情同意 Record one student’s guardian consent and/or own assent (who and when are kept)',
      params: ConsentParams, body: ConsentSet, response: { 200: ConsentItem, ...errors },
    },
  }, async (req) => service.set(contextOf(req), req.params.id, req.params.studentId, req.body))

  app.post('/screening/campaigns/:id/consents/bulk', {
    config: { access: { resource: 'screening_consents', action: 'create' } },
    schema: {
      tags, security,
      summary: '批量录入知情同意 Record the same consent for selected students of a class list (one transaction: all or nothing)',
      params: IdParams, body: ConsentBulk, response: { 200: ConsentBulkAnswer, ...errors },
    },
  }, async (req) => service.bulk(contextOf(req), req.params.id, req.body))
}

export default consentRoutes
