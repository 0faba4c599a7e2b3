import t from '../helpers/tap.js'
import { letters } from '../../db/schema/index.js'
import { sentBy } from '../helpers/statements.js'
import { buildTestApp } from '../helpers/app.js'
import { as, practiceWorld } from './helpers.js'

/**
 * Statements a practices write sends to the database (test/helpers/statements.ts). Each write is one statement through the
 * gateway (UPDATE/INSERT/DELETE … RETURNING, scoped by the policy) instead of a scope read, the
 * write and a read back; the bounds are the counts measured then, beside those sent before.
 */

async function counted(fn: () => Promise<{ statusCode: number; body: string }>, status: number) {
  const { result: res, sent: all } = await sentBy(fn)
  if (res.statusCode !== status) throw new Error(`${res.statusCode}: ${res.body}`)
  // The service's transaction only: signing in checks the session outside it, cached per token.
  return all.slice(all.indexOf('BEGIN'), all.lastIndexOf('COMMIT') + 1)
}

t.test('practices writes: statements per request', async (t) => {
  const { app, database } = await buildTestApp(t)
  const w = await practiceWorld(app, database)
  const studentId = await w.student()
  /** At most `max` statements (BEGIN … COMMIT included); `before` is what the request sent when it read its record back. */
  const measure = async (name: string, status: number, max: number, before: number, fn: () => Promise<{ statusCode: number; body: string }>) => {
    const sent = await counted(fn, status)
    if (sent.length === 0) throw new Error(`${name}: no transaction`)
    t.ok(sent.length <= max, `${name}: at most ${max} statements (was ${before}), got ${sent.length}:\n${sent.join('\n')}`)
  }

  // First use of the box (made in this request), then a change of an existing one.
  await measure('GET letterbox-admin (box made)', 200, 6, 7, () => as(app, w.admin, 'GET', '/api/v1/letterbox-admin'))
  await measure('PATCH letterbox-admin', 200, 6, 7, () => as(app, w.psych, 'PATCH', '/api/v1/letterbox-admin', { open: true }))
  const slug = (await as(app, w.psych, 'GET', '/api/v1/letterbox-admin')).json().slug as string
  const write = async (body: string) => {
    t.equal((await app.inject({ method: 'POST', url: `/api/v1/letterbox/${slug}/letters`, payload: { body } })).statusCode, 201)
    // Sealed at rest: compared after drizzle opened it, not in SQL.
    return (await database.db.select({ id: letters.id, body: letters.body }).from(letters)).find((r) => r.body === body)!.id
  }
  const one = await write('最近总是睡不着。')
  const two = await write('同桌说不想活了。')
  await measure('PATCH letters/:id', 200, 5, 7, () => as(app, w.psych, 'PATCH', `/api/v1/letters/${one}`, { category: 'emotion' }))
  await measure('PUT letters/:id/reply', 200, 5, 7, () => as(app, w.psych, 'PUT', `/api/v1/letters/${one}/reply`, { replyText: '谢谢你写信。' }))
  await measure('POST letters/:id/danger (crisis)', 200, 9, 10, () => as(app, w.psych, 'POST', `/api/v1/letters/${two}/danger`, { studentId }))
  await measure('PUT barometer/settings', 200, 5, 6, () => as(app, w.admin, 'PUT', '/api/v1/barometer/settings', { period: 'monthly' }))
  await measure('POST barometer (one name)', 201, 8, 9, () => as(app, w.homeroom, 'POST', '/api/v1/barometer', { classId: w.school.classIds[0], mood: 3, names: [studentId] }))
  await measure('PUT counselling-room/settings', 200, 5, 6, () => as(app, w.admin, 'PUT', '/api/v1/counselling-room/settings', { location: '302' }))
  const visit = await as(app, w.psych, 'POST', '/api/v1/counselling-room/visits', { studentId, visitDate: '2026-10-12', durationMin: 40, topic: 'study' })
  t.equal(visit.statusCode, 201)
  await measure('POST counselling-room/visits', 201, 6, 7, () => as(app, w.psych, 'POST', '/api/v1/counselling-room/visits', { studentId, visitDate: '2026-10-13', durationMin: 30, topic: 'study' }))
  await measure('PATCH counselling-room/visits/:id', 200, 6, 7, () => as(app, w.psych, 'PATCH', `/api/v1/counselling-room/visits/${visit.json().id}`, { durationMin: 45 }))
  await measure('DELETE counselling-room/visits/:id', 204, 5, 6, () => as(app, w.psych, 'DELETE', `/api/v1/counselling-room/visits/${visit.json().id}`))
  await measure('POST staff-profiles', 201, 5, 6, () => as(app, w.admin, 'POST', '/api/v1/staff-profiles', { name: '王老师', employment: 'part_time' }))
})
