import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { contextOf } from '../../plugins/access.js'
import {
  ChannelKindParams, errors, MyChannelsItem, MyChannelsPut, MyTestBody, SchoolChannelItem, SchoolChannelList, SchoolChannelPut,
  security, tags, TestResult,
} from './schemas.js'

/** 通知渠道 (school admin) and 通知设置 (each teacher's own). Mounted at /api/v1. */
const outboxRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = app.services.channels

  app.get('/notification-channels', {
    config: { access: { resource: 'school_channels', action: 'list' } },
    schema: { tags, security, summary: '通知渠道 The school\'s outbound channels (secrets shown only as set / not set)', response: { 200: SchoolChannelList, ...errors } },
  }, async (req) => service.list(contextOf(req)))

  app.put('/notification-channels/:kind', {
    config: { access: { resource: 'school_channels', action: 'update' } },
    schema: { tags, security, summary: '设置通知渠道 Set up a channel (secrets are write-only)', params: ChannelKindParams, body: SchoolChannelPut, response: { 200: SchoolChannelItem, ...errors } },
  }, async (req) => service.put(contextOf(req), req.params.kind, req.body))

  app.post('/notification-channels/:kind/test', {
    config: { access: { resource: 'school_channels', action: 'update' } },
    schema: { tags, security, summary: '发送测试消息 Send a test message now (e-mail and SMS: to the caller\'s own address)', params: ChannelKindParams, response: { 200: TestResult, ...errors } },
  }, async (req) => service.test(contextOf(req), req.params.kind))

  app.get('/me/notification-channels', {
    config: { access: { resource: 'user_channels', action: 'read' } },
    schema: { tags, security, summary: '我的通知设置 My e-mail and SMS alerts', response: { 200: MyChannelsItem, ...errors } },
  }, async (req) => service.getMine(contextOf(req)))

  app.put('/me/notification-channels', {
    config: { access: { resource: 'user_channels', action: 'update' } },
    schema: { tags, security, summary: '修改我的通知设置 Set my e-mail address, mobile and which are on', body: MyChannelsPut, response: { 200: MyChannelsItem, ...errors } },
  }, async (req) => service.putMine(contextOf(req), req.body))

  app.post('/me/notification-channels/test', {
    config: { access: { resource: 'user_channels', action: 'update' } },
    schema: { tags, security, summary: '给自己发测试消息 Send myself a test message', body: MyTestBody, response: { 200: TestResult, ...errors } },
  }, async (req) => service.testMine(contextOf(req), req.body.channel))
}

export default outboxRoutes
