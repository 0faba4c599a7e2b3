import t from '../helpers/tap.js'
import { supportWorld } from './fixtures.js'

t.test('家校协同 activities: per class or school, with attendance, for the statistics', async (t) => {
  const w = await supportWorld()
  const [class1, class2] = w.A.classIds
  const add = (who: typeof w.psych, body: Record<string, unknown>) => w.call(who, 'POST', '/api/v1/home-school-activities', body)

  const school = await add(w.psych, { kind: 'parent_school', title: '家长学校：青春期沟通', activityDate: '2024-10-12', attendance: 210 })
  t.equal(school.statusCode, 201, school.body)
  t.match(school.json(), { classId: null, kind: 'parent_school', attendance: 210, createdBy: w.psych.id })
  const meeting = await add(w.homeroom, { classId: class1, kind: 'parent_meeting', title: '期中家长会', activityDate: '2024-11-08', attendance: 41 })
  t.equal(meeting.statusCode, 201, meeting.body)
  t.equal((await add(w.homeroom, { classId: class2, kind: 'parent_meeting', title: 'x', activityDate: '2024-11-08', attendance: 1 })).statusCode, 404, 'not their class')
  const noClass = await add(w.homeroom, { kind: 'home_visit', title: 'x', activityDate: '2024-11-08', attendance: 1 })
  t.equal(noClass.json().code, 'class_required', 'a homeroom teacher records for their class')
  t.equal((await add(w.psych, { classId: w.B.classIds[0], kind: 'home_visit', title: 'x', activityDate: '2024-11-08', attendance: 1 })).statusCode, 404)
  t.equal((await add(w.admin, { kind: 'home_visit', title: 'x', activityDate: '2024-11-08', attendance: 1 })).statusCode, 403, 'the admin reads only')
  await add(w.psych, { classId: class2, kind: 'home_visit', title: '家访', activityDate: '2024-11-20', attendance: 3 })
  await add(w.psych, { classId: class2, kind: 'home_visit', title: '家访', activityDate: '2024-12-02', attendance: 2 })

  const adminList = (await w.call(w.admin, 'GET', '/api/v1/home-school-activities')).json()
  t.equal(adminList.total, 4)
  const homeroomList = (await w.call(w.homeroom, 'GET', '/api/v1/home-school-activities')).json()
  t.same(homeroomList.items.map((i: { id: string }) => i.id), [meeting.json().id], 'a homeroom teacher sees their class')
  t.equal((await w.call(w.mentor, 'GET', '/api/v1/home-school-activities')).statusCode, 403)

  const summary = (await w.call(w.admin, 'GET', '/api/v1/home-school-activities/summary?from=2024-09-01&to=2025-01-31')).json()
  t.same(summary.items, [
    { kind: 'home_visit', classId: class2, activities: 2, attendance: 5 },
    { kind: 'parent_meeting', classId: class1, activities: 1, attendance: 41 },
    { kind: 'parent_school', classId: null, activities: 1, attendance: 210 },
  ])
  const hrSummary = (await w.call(w.homeroom, 'GET', '/api/v1/home-school-activities/summary')).json()
  t.same(hrSummary.items, [{ kind: 'parent_meeting', classId: class1, activities: 1, attendance: 41 }])

  const patched = await w.call(w.homeroom, 'PATCH', `/api/v1/home-school-activities/${meeting.json().id}`, { attendance: 43 })
  t.equal(patched.json().attendance, 43)
  t.equal((await w.call(w.homeroom, 'PATCH', `/api/v1/home-school-activities/${meeting.json().id}`, { classId: class2 })).statusCode, 404, 'cannot move it out of reach')
  t.equal((await w.call(w.homeroom, 'GET', `/api/v1/home-school-activities/${meeting.json().id}`)).json().classId, class1)
})

t.test('转介机构名录: psychology teachers keep it; the school admin reads it', async (t) => {
  const w = await supportWorld()
  const body = { name: '市精神卫生中心', kind: 'mental_health_centre', department: '儿童青少年心理科', contactPhone: '010-12345678', address: '示范路1号' }
  const created = await w.call(w.psych, 'POST', '/api/v1/institutions', body)
  t.equal(created.statusCode, 201, created.body)
  t.match(created.json(), body)
  t.equal((await w.call(w.admin, 'POST', '/api/v1/institutions', body)).statusCode, 403)
  t.equal((await w.call(w.admin, 'GET', '/api/v1/institutions')).json().items[0].name, '市精神卫生中心')
  for (const who of [w.homeroom, w.mentor, w.monitor, w.district]) t.equal((await w.call(who, 'GET', '/api/v1/institutions')).statusCode, 403)
  const bad = await w.call(w.psych, 'POST', '/api/v1/institutions', { ...body, contactPhone: 'call me' })
  t.equal(bad.statusCode, 400)
  const upd = await w.call(w.psych, 'PATCH', `/api/v1/institutions/${created.json().id}`, { department: null })
  t.equal(upd.json().department, null)
  const otherSchool = await w.caller(w.B, [{ role: 'psych_teacher' }])
  t.equal((await w.call(otherSchool, 'GET', `/api/v1/institutions/${created.json().id}`)).statusCode, 404)
})
