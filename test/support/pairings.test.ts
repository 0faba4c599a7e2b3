import t from '../helpers/tap.js'
import { eq } from 'drizzle-orm'
import { pairings } from '../../db/schema/index.js'
import { supportWorld } from './fixtures.js'

t.test('师生结对: a psychology teacher pairs a mentor with a student', async (t) => {
  const w = await supportWorld()
  const s = await w.student()
  const body = { mentorId: w.mentor.id, purpose: '学业压力疏导', frequency: 'weekly', guidance: '多倾听，少评价', startDate: '2024-09-01', plannedEndDate: '2099-01-31' }

  const byHomeroom = await w.call(w.homeroom, 'POST', `/api/v1/students/${s.id}/pairings`, body)
  t.equal(byHomeroom.statusCode, 404, 'only psychology teachers pair')

  const res = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/pairings`, body)
  t.equal(res.statusCode, 201, res.body)
  const p = res.json()
  t.match(p, { studentId: s.id, mentorId: w.mentor.id, purpose: '学业压力疏导', guidance: '多倾听，少评价', frequency: 'weekly', active: true, endedAt: null })
  t.equal((await w.lastAudit()).action, 'C')

  t.equal((await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/pairings`, body)).statusCode, 409, 'one active pairing per student')
  // Two pairings sent at the same moment: the per-student lock lets exactly one through.
  const racer = await w.student()
  const raced = await Promise.all(Array.from({ length: 8 }, () => 0).map(() => w.call(w.psych, 'POST', `/api/v1/students/${racer.id}/pairings`, body)))
  t.same(raced.map((r) => r.statusCode).sort(), [201, 409, 409, 409, 409, 409, 409, 409], 'concurrent requests: one pairing, seven conflicts')
  t.equal((await w.database.db.select().from(pairings).where(eq(pairings.studentId, racer.id))).length, 1, 'one row stored')
  const won = raced.find((r) => r.statusCode === 201)!.json()
  t.equal((await w.call(w.psych, 'POST', `/api/v1/pairings/${won.id}/end`, { endedReason: '测试结束' })).statusCode, 200, 'ended again, so the mentor has only the first pairing')
  const s2 = await w.student()
  const notTeacher = await w.call(w.psych, 'POST', `/api/v1/students/${s2.id}/pairings`, { ...body, mentorId: w.monitor.id })
  t.equal(notTeacher.statusCode, 400)
  t.equal(notTeacher.json().code, 'mentor_not_teacher')
  const backwards = await w.call(w.psych, 'POST', `/api/v1/students/${s2.id}/pairings`, { ...body, plannedEndDate: '2024-08-01' })
  t.equal(backwards.json().code, 'date_range_invalid')
  const other = await w.student('schoolB')
  t.equal((await w.call(w.psych, 'POST', `/api/v1/students/${other.id}/pairings`, body)).statusCode, 404, 'another school’s pupil does not exist')

  await t.test('the mentor reads purpose and guidance; the homeroom teacher only that a pairing exists', async (t) => {
    const m = (await w.call(w.mentor, 'GET', `/api/v1/pairings/${p.id}`)).json()
    t.match(m, { purpose: '学业压力疏导', guidance: '多倾听，少评价', active: true })
    t.notOk('endedReason' in m)
    t.notOk('createdBy' in m)
    const h = await w.call(w.homeroom, 'GET', `/api/v1/pairings/${p.id}`)
    t.equal(h.statusCode, 200)
    t.match(h.json(), { mentorId: w.mentor.id, active: true })
    t.notOk('guidance' in h.json())
    t.notOk('purpose' in h.json())
    const student = await w.call(w.mentor, 'GET', `/api/v1/students/${s.id}`)
    t.equal(student.statusCode, 200)
    t.equal(student.json().name, s.name)
    t.notOk('birthDate' in student.json(), 'basic details only')
  })

  await t.test('PATCH changes guidance; the mentor cannot', async (t) => {
    t.equal((await w.call(w.mentor, 'PATCH', `/api/v1/pairings/${p.id}`, { guidance: 'x' })).statusCode, 404)
    const r = await w.call(w.psych, 'PATCH', `/api/v1/pairings/${p.id}`, { guidance: '每两周一次户外活动' })
    t.equal(r.statusCode, 200)
    t.equal(r.json().guidance, '每两周一次户外活动')
    const bad = await w.call(w.psych, 'PATCH', `/api/v1/pairings/${p.id}`, { mentorId: w.homeroom.id })
    t.equal(bad.statusCode, 400, 'the mentor is changed by ending and pairing anew')
  })

  await t.test('mentor contacts: logged by the mentor, read by psychology, not by others', async (t) => {
    const c = await w.call(w.mentor, 'POST', `/api/v1/pairings/${p.id}/contacts`, { kind: 'talk', contactDate: '2024-10-08', summary: '谈了月考' })
    t.equal(c.statusCode, 201, c.body)
    t.match(c.json(), { pairingId: p.id, studentId: s.id, mentorId: w.mentor.id, kind: 'talk', summary: '谈了月考' })
    t.equal((await w.call(w.mentor, 'POST', `/api/v1/pairings/${p.id}/contacts`, { kind: 'talk', contactDate: '2099-01-01' })).json().code, 'date_in_future')
    t.equal((await w.call(w.psych, 'POST', `/api/v1/pairings/${p.id}/contacts`, { kind: 'talk' })).statusCode, 404, 'only the pairing’s mentor logs')
    const mine = (await w.call(w.mentor, 'GET', `/api/v1/mentor-contacts?pairingId=${p.id}`)).json()
    t.equal(mine.total, 1)
    const psych = (await w.call(w.psych, 'GET', `/api/v1/mentor-contacts?studentId=${s.id}`)).json()
    t.equal(psych.items[0].summary, '谈了月考')
    t.equal((await w.call(w.homeroom, 'GET', `/api/v1/mentor-contacts?studentId=${s.id}`)).json().total, 0, 'the homeroom teacher is not the mentor')
    t.equal((await w.call(w.monitor, 'GET', '/api/v1/mentor-contacts')).statusCode, 403)
  })

  await t.test('a teacher who is not the mentor reaches nothing', async (t) => {
    const stranger = await w.caller(w.A, [{ role: 'mentor' }])
    t.equal((await w.call(stranger, 'GET', `/api/v1/pairings/${p.id}`)).statusCode, 404)
    t.equal((await w.call(stranger, 'GET', `/api/v1/students/${s.id}`)).statusCode, 404)
    t.equal((await w.call(stranger, 'POST', `/api/v1/pairings/${p.id}/contacts`, { kind: 'talk' })).statusCode, 404)
    t.equal((await w.call(stranger, 'GET', '/api/v1/pairings')).json().total, 0)
  })

  await t.test('ending the pairing ends the mentor’s access on the next request', async (t) => {
    const before = await w.call(w.mentor, 'GET', `/api/v1/students/${s.id}/archive`)
    t.equal(before.statusCode, 200)
    t.ok(before.json().items.some((i: { kind: string }) => i.kind === 'pairing'), 'the pairing is on the archive timeline')

    const end = await w.call(w.psych, 'POST', `/api/v1/pairings/${p.id}/end`, { endedReason: '学期结束' })
    t.equal(end.statusCode, 200, end.body)
    t.match(end.json(), { active: false, endedReason: '学期结束' })
    t.ok(end.json().endedAt)
    t.equal((await w.call(w.psych, 'POST', `/api/v1/pairings/${p.id}/end`, {})).statusCode, 409, 'ends once')

    t.equal((await w.call(w.mentor, 'GET', `/api/v1/students/${s.id}`)).statusCode, 404)
    t.equal((await w.call(w.mentor, 'GET', `/api/v1/pairings/${p.id}`)).statusCode, 404)
    t.equal((await w.call(w.mentor, 'GET', `/api/v1/students/${s.id}/archive`)).statusCode, 404)
    const list = await w.call(w.mentor, 'GET', '/api/v1/pairings')
    t.equal(list.json().total, 0)
    t.notOk(list.body.includes('多倾听'), 'no guidance anywhere in the answer')
    t.equal((await w.call(w.mentor, 'GET', `/api/v1/mentor-contacts?pairingId=${p.id}`)).json().total, 0)
    t.equal((await w.call(w.mentor, 'POST', `/api/v1/pairings/${p.id}/contacts`, { kind: 'talk' })).statusCode, 404)
    // The psychology teacher keeps the history.
    t.equal((await w.call(w.psych, 'GET', `/api/v1/mentor-contacts?pairingId=${p.id}`)).json().total, 1)
    // And may pair the student anew.
    t.equal((await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/pairings`, { mentorId: w.homeroom.id, purpose: '接续' })).statusCode, 201)
  })

  await t.test('a pairing past its planned end grants nothing, without anyone ending it', async (t) => {
    const s3 = await w.student('class2')
    const q = (await w.call(w.psych, 'POST', `/api/v1/students/${s3.id}/pairings`, { mentorId: w.mentor.id, purpose: '短期' })).json()
    t.equal((await w.call(w.mentor, 'GET', `/api/v1/students/${s3.id}`)).statusCode, 200)
    await w.database.db.update(pairings).set({ plannedEndDate: '2020-01-01', startDate: '2019-09-01' }).where(eq(pairings.id, q.id))
    t.equal((await w.call(w.mentor, 'GET', `/api/v1/students/${s3.id}`)).statusCode, 404)
    t.equal((await w.call(w.mentor, 'GET', `/api/v1/pairings/${q.id}`)).statusCode, 404)
    const psych = (await w.call(w.psych, 'GET', `/api/v1/pairings?studentId=${s3.id}&active=false`)).json()
    t.equal(psych.total, 1)
    t.equal(psych.items[0].active, false)
  })

  await t.test('ending without a body', async (t) => {
    const s4 = await w.student()
    const q = (await w.call(w.psych, 'POST', `/api/v1/students/${s4.id}/pairings`, { mentorId: w.mentor.id, purpose: '短期' })).json()
    const r = await w.call(w.psych, 'POST', `/api/v1/pairings/${q.id}/end`)
    t.equal(r.statusCode, 200, r.body)
    t.equal(r.json().endedReason, null)
  })
})
