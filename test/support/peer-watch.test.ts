import t from '../helpers/tap.js'
import { supportWorld } from './fixtures.js'

t.test('同伴跟防 peer watch: ask, write-only notes, nothing clinical', async (t) => {
  const w = await supportWorld()
  const s = await w.student('class1')

  const wrongMonitor = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/peer-watch-requests`, { monitorId: w.monitor2.id, ask: '留意午饭' })
  t.equal(wrongMonitor.statusCode, 400)
  t.equal(wrongMonitor.json().code, 'monitor_not_in_class')
  t.equal((await w.call(w.homeroom, 'POST', `/api/v1/students/${s.id}/peer-watch-requests`, { monitorId: w.monitor.id, ask: 'x' })).statusCode, 404)

  const created = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/peer-watch-requests`, { monitorId: w.monitor.id, ask: '留意午饭是否一个人' })
  t.equal(created.statusCode, 201, created.body)
  const req = created.json()
  t.match(req, { studentId: s.id, monitorId: w.monitor.id, requestedBy: w.psych.id, endedAt: null })

  await t.test('the monitor sees the ask and the student id only', async (t) => {
    const list = (await w.call(w.monitor, 'GET', '/api/v1/peer-watch-requests')).json()
    t.equal(list.total, 1)
    t.same(Object.keys(list.items[0]).sort(), ['ask', 'id', 'studentId'])
    t.equal(list.items[0].ask, '留意午饭是否一个人')
    t.equal((await w.call(w.monitor2, 'GET', `/api/v1/peer-watch-requests/${req.id}`)).statusCode, 404, 'addressed to someone else')
    t.equal((await w.call(w.monitor2, 'GET', '/api/v1/peer-watch-requests')).json().total, 0)
    t.equal((await w.call(w.homeroom, 'GET', '/api/v1/peer-watch-requests')).statusCode, 403)
  })

  await t.test('notes are write-only for the monitor', async (t) => {
    const n = await w.call(w.monitor, 'POST', `/api/v1/peer-watch-requests/${req.id}/notes`, { note: '今天和同桌一起吃饭，看起来还好' })
    t.equal(n.statusCode, 201, n.body)
    t.same(Object.keys(n.json()), ['id'], 'the answer is the new id only')
    t.equal((await w.call(w.monitor, 'GET', `/api/v1/peer-watch-requests/${req.id}/notes`)).statusCode, 404, 'no reading back')
    t.equal((await w.call(w.monitor2, 'POST', `/api/v1/peer-watch-requests/${req.id}/notes`, { note: 'x' })).statusCode, 404, 'not their request')
    t.equal((await w.call(w.psych, 'POST', `/api/v1/peer-watch-requests/${req.id}/notes`, { note: 'x' })).statusCode, 404, 'notes come from the monitor')
    const notes = (await w.call(w.psych, 'GET', `/api/v1/peer-watch-requests/${req.id}/notes`)).json()
    t.equal(notes.total, 1)
    t.match(notes.items[0], { note: '今天和同桌一起吃饭，看起来还好', monitorId: w.monitor.id, studentId: s.id })
    const archive = (await w.call(w.psych, 'GET', `/api/v1/students/${s.id}/archive`)).json()
    t.ok(archive.items.some((i: { kind: string }) => i.kind === 'peer_watch_note'))
    t.ok(archive.items.some((i: { kind: string }) => i.kind === 'peer_watch'))
    const homeroomArchive = await w.call(w.homeroom, 'GET', `/api/v1/students/${s.id}/archive`)
    t.notOk(homeroomArchive.body.includes('同桌'), 'the homeroom teacher does not read monitor notes')
    t.notOk(homeroomArchive.body.includes(w.monitor.id), 'nor learns who the monitor is')
  })

  await t.test('an ended request disappears for the monitor and takes no notes', async (t) => {
    const end = await w.call(w.psych, 'POST', `/api/v1/peer-watch-requests/${req.id}/end`)
    t.equal(end.statusCode, 200, end.body)
    t.ok(end.json().endedAt)
    t.equal((await w.call(w.psych, 'POST', `/api/v1/peer-watch-requests/${req.id}/end`)).statusCode, 409)
    t.equal((await w.call(w.monitor, 'GET', '/api/v1/peer-watch-requests')).json().total, 0)
    t.equal((await w.call(w.monitor, 'GET', `/api/v1/peer-watch-requests/${req.id}`)).statusCode, 404)
    t.equal((await w.call(w.monitor, 'POST', `/api/v1/peer-watch-requests/${req.id}/notes`, { note: '还在看' })).statusCode, 404)
    const psych = (await w.call(w.psych, 'GET', `/api/v1/peer-watch-requests?studentId=${s.id}&open=false`)).json()
    t.equal(psych.total, 1)
  })
})
