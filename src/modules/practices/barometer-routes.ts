import { z } from 'zod'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import {
  BarometerItem, BarometerListQuery, BarometerSettingsItem, BarometerSettingsPut, BarometerWrite, errors, security, Trend, TrendQuery,
} from './schemas.js'

const tags = ['barometer']

const barometerRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = app.services.practices.barometer

  app.get('/barometer/settings', {
    config: { access: { resource: 'barometer_settings', action: 'read' } },
    schema: { tags, security, summary: '晴雨表周期 Barometer period of the school', response: { 200: BarometerSettingsItem, ...errors } },
  }, async (req) => service.getSettings(contextOf(req)))

  app.put('/barometer/settings', {
    config: { access: { resource: 'barometer_settings', action: 'update' } },
    schema: { tags, security, summary: '设置晴雨表周期 Set the period (weekly | monthly)', body: BarometerSettingsPut, response: { 200: BarometerSettingsItem, ...errors } },
  }, async (req) => service.putSettings(contextOf(req), req.body))

  app.post('/barometer', {
    config: { access: { resource: 'barometer_entries', action: 'create' } },
    schema: {
      tags, security, summary: '填写心理晴雨表 Report the class mood; named classmates become alerts',
      body: BarometerWrite, response: { 201: BarometerItem.extend({ alerts: z.number() }), ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await service.submit(contextOf(req), req.body)))

  app.get('/barometer', {
    config: { access: { resource: 'barometer_entries', action: 'list' } },
    schema: { tags, security, summary: '晴雨表记录 Barometer entries the caller may see', querystring: BarometerListQuery, response: { 200: page(BarometerItem), ...errors } },
  }, async (req) => service.list(contextOf(req), req.query))

  app.get('/barometer/classes/:id/trend', {
    config: { access: { resource: 'barometer_entries', action: 'read' } },
    schema: { tags, security, summary: '班级晴雨表趋势 Mood trend of one class', params: IdParams, querystring: TrendQuery, response: { 200: Trend, ...errors } },
  }, async (req) => service.trend(contextOf(req), req.params.id, req.query.last))
}

export default barometerRoutes
