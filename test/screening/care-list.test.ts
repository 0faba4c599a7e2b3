import t from '../helpers/tap.js'
import { GAD7_ID, openCampaign, screeningWorld } from './fixtures.js'

t.test('关注名单: who learns what', async (t) => {
  const w = await screeningWorld()
  const { psych, psychB, admin, homeroom, homeroomB, mentor, monitor, district, call } = w
  const c = await openCampaign(w, psych)
  const own = await w.pupil(w.A, w.A.classIds[0])
  const otherClass = await w.pupil(w.A, w.A.classIds[1])
  await w.pair(mentor, otherClass.id)
  const r = (await call(psych, 'POST', `/api/v1/screening/campaigns/${c.id}/responses`, { studentId: own.id, instrumentId: GAD7_ID, answers: [2, 2, 2, 2, 2, 1, 1] })).json()

  const withScreening = await call(psych, 'POST', `/api/v1/students/${own.id}/care-list`, {
    riskLevel: 'orange', reason: '测评中度焦虑，近期失眠', guidance: '多留意课间情绪，避免当众批评', sourceResponseId: r.id,
  })
  t.equal(withScreening.statusCode, 201, withScreening.body)
  t.match(withScreening.json(), { studentId: own.id, riskLevel: 'orange', riskLevelText: '较高', reason: '测评中度焦虑，近期失眠', sourceResponseId: r.id, addedBy: psych.id })
  const entry = withScreening.json().id as string
  const twice = await call(psych, 'POST', `/api/v1/students/${own.id}/care-list`, { riskLevel: 'yellow' })
  t.equal(twice.statusCode, 409, 'one active entry per student')

  const without = await call(psych, 'POST', `/api/v1/students/${otherClass.id}/care-list`, { riskLevel: 'yellow', reason: '家长反映', guidance: '结对教师每周谈心一次' })
  t.equal(without.statusCode, 201, 'a student goes on the list without a screening too')
  const wrongResponse = await call(psych, 'POST', `/api/v1/students/${otherClass.id}/care-list`, { riskLevel: 'yellow', sourceResponseId: r.id })
  t.equal(wrongResponse.statusCode, 404, 'a screening of another student is not a source')

  t.test('the homeroom teacher sees own-class entries: keys, since when, guidance — no reason, no risk', async (t) => {
    const list = await call(homeroom, 'GET', '/api/v1/care-list')
    t.equal(list.statusCode, 200)
    const items = list.json().items as Array<Record<string, unknown>>
    t.same(items.map((i) => i.studentId), [own.id], 'own class only')
    t.same(Object.keys(items[0]!).sort(), ['addedAt', 'guidance', 'id', 'removedAt', 'schoolId', 'studentId'])
    t.notOk(/焦虑|失眠|orange|较高/.test(list.body), 'no reason or risk anywhere in the answer')
    const one = await call(homeroom, 'GET', `/api/v1/care-list/${entry}`)
    t.equal(one.json().guidance, '多留意课间情绪，避免当众批评')
    t.equal((await call(homeroom, 'GET', `/api/v1/care-list/${without.json().id}`)).statusCode, 404, 'another class: not found')
    t.equal((await call(homeroom, 'PATCH', `/api/v1/care-list/${entry}`, { guidance: 'x' })).statusCode, 404)
    t.equal((await call(homeroom, 'POST', `/api/v1/students/${own.id}/care-list`, { riskLevel: 'green' })).statusCode, 404)
  })

  t.test('a mentor sees the guidance for paired students only', async (t) => {
    const list = (await call(mentor, 'GET', '/api/v1/care-list')).json()
    t.same(list.items.map((i: { studentId: string }) => i.studentId), [otherClass.id])
    t.equal(list.items[0].guidance, '结对教师每周谈心一次')
    t.notOk('reason' in list.items[0] || 'riskLevel' in list.items[0])
    t.equal((await call(mentor, 'GET', `/api/v1/care-list/${entry}`)).statusCode, 404)
  })

  t.test('no one else reads the list', async (t) => {
    for (const who of [monitor, district]) t.equal((await call(who, 'GET', '/api/v1/care-list')).statusCode, 403)
    // A school admin is a teacher too, so a mentor of paired students (none here): an empty list.
    const adminList = await call(admin, 'GET', '/api/v1/care-list')
    t.equal(adminList.statusCode, 200)
    t.same(adminList.json().items, [])
    t.equal((await call(admin, 'GET', `/api/v1/care-list/${entry}`)).statusCode, 404)
    t.equal((await call(psychB, 'GET', `/api/v1/care-list/${entry}`)).statusCode, 404)
    t.same((await call(homeroomB, 'GET', '/api/v1/care-list')).json().items, [])
  })

  t.test('update and removal with a reason; removed entries leave the active list', async (t) => {
    const upd = await call(psych, 'PATCH', `/api/v1/care-list/${entry}`, { guidance: '每天放学前简单问候' })
    t.equal(upd.json().guidance, '每天放学前简单问候')
    t.equal((await call(psych, 'PATCH', `/api/v1/care-list/${entry}`, { addedBy: psych.id })).statusCode, 400)
    const rm = await call(psych, 'POST', `/api/v1/care-list/${entry}/remove`, { removedReason: '复评正常，情绪稳定' })
    t.equal(rm.statusCode, 200)
    t.ok(rm.json().removedAt)
    t.equal((await call(psych, 'POST', `/api/v1/care-list/${entry}/remove`, { removedReason: 'x' })).json().code, 'care_already_removed')
    t.same((await call(homeroom, 'GET', '/api/v1/care-list')).json().items, [])
    const removed = (await call(homeroom, 'GET', '/api/v1/care-list?state=removed')).json().items
    t.same(removed.map((i: { id: string }) => i.id), [entry])
    t.notOk('removedReason' in removed[0])
    const again = await call(psych, 'POST', `/api/v1/students/${own.id}/care-list`, { riskLevel: 'yellow' })
    t.equal(again.statusCode, 201, 'back on the list after removal')
    const audits = await w.auditRows('care_list')
    t.ok(audits.some((a) => a.action === 'U' && a.record_ids.includes(entry)))
  })
})
