import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { IdParams, page } from '../../lib/schemas.js'
import { contextOf } from '../../plugins/access.js'
import {
  WatchNoteCreate, WatchNoteItem, WatchRequestCreate, WatchRequestItem, WatchRequestListQuery,
} from './alert-watch-schemas.js'
import type { WatchService } from './alert-watch-service.js'
import { errors, security } from './route-parts.js'

const tags = ['peer']

/** 同伴跟防 peer watch: a psychology teacher asks a monitor to keep an eye on a classmate. */
const watchRoutes: FastifyPluginAsyncZod<{ watch: WatchService }> = async (app, { watch }) => {
  app.post('/students/:id/peer-watch-requests', {
    config: { access: { resource: 'peer_watch_requests', action: 'create' } },
    schema: {
      tags, security, summary: '请心理委员关注 Ask a monitor of the student’s class to keep an eye on them',
      params: IdParams, body: WatchRequestCreate, response: { 201: WatchRequestItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await watch.create(contextOf(req), req.params.id, req.body)))

  app.get('/students/:id/peer-monitors', {
    config: { access: { resource: 'peer_watch_requests', action: 'create' } },
    schema: {
      tags, security, summary: '可请求的心理委员 The monitors of the student’s class a watch request can go to (names only)',
      params: IdParams, response: { 200: z.object({ items: z.array(z.object({ id: z.string(), displayName: z.string() })), total: z.number() }), ...errors },
    },
  }, async (req) => watch.monitorsOf(contextOf(req), req.params.id))

  app.get('/peer-watch-requests', {
    config: { access: { resource: 'peer_watch_requests', action: 'list' } },
    schema: {
      tags, security, summary: '关注请求 Watch requests (a monitor: their own open ones, ask and student only)',
      querystring: WatchRequestListQuery, response: { 200: page(WatchRequestItem), ...errors },
    },
  }, async (req) => watch.list(contextOf(req), req.query))

  app.get('/peer-watch-requests/:id', {
    config: { access: { resource: 'peer_watch_requests', action: 'read' } },
    schema: { tags, security, summary: '关注请求 One watch request', params: IdParams, response: { 200: WatchRequestItem, ...errors } },
  }, async (req) => watch.get(contextOf(req), req.params.id))

  app.post('/peer-watch-requests/:id/end', {
    config: { access: { resource: 'peer_watch_requests', action: 'transition' } },
    schema: { tags, security, summary: '结束关注 End a watch request', params: IdParams, response: { 200: WatchRequestItem, ...errors } },
  }, async (req) => watch.end(contextOf(req), req.params.id))

  app.post('/peer-watch-requests/:id/notes', {
    config: { access: { resource: 'peer_watch_notes', action: 'create' } },
    schema: {
      tags, security, summary: '关注记录 A monitor adds a short note (write-only)',
      params: IdParams, body: WatchNoteCreate, response: { 201: WatchNoteItem, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await watch.addNote(contextOf(req), req.params.id, req.body)))

  app.get('/peer-watch-requests/:id/notes', {
    config: { access: { resource: 'peer_watch_notes', action: 'list' } },
    schema: {
      tags, security, summary: '关注记录列表 Notes on a watch request (psychology teachers)',
      params: IdParams, response: { 200: z.object({ items: z.array(WatchNoteItem), total: z.number() }), ...errors },
    },
  }, async (req) => watch.listNotes(contextOf(req), req.params.id))
}

export default watchRoutes
