import t from '../helpers/tap.js'
import { screeningWorld } from '../screening/fixtures.js'

t.test('cases: risk with its text, allowed transitions only, who/when/why kept', async (t) => {
  const w = await screeningWorld()
  const { psych, psych2, psychB, admin, homeroom, mentor, call } = w
  const s = await w.pupil(w.A, w.A.classIds[0])
  await w.pair(mentor, s.id)

  const opened = await call(psych, 'POST', `/api/v1/students/${s.id}/cases`, { source: 'talk', riskLevel: 'yellow', summary: '班主任谈心后转来，学业压力大' })
  t.equal(opened.statusCode, 201, opened.body)
  const c = opened.json()
  t.match(c, { studentId: s.id, source: 'talk', riskLevel: 'yellow', riskLevelText: '关注', state: 'open', stateText: '已开案', openedBy: psych.id, closedAt: null })
  t.equal((await call(psych, 'POST', `/api/v1/students/${s.id}/cases`, { source: 'talk', riskLevel: 'purple' })).statusCode, 400)
  t.equal((await call(psych, 'POST', `/api/v1/students/${s.id}/cases`, { source: 'talk', riskLevel: 'red', state: 'closed' })).statusCode, 400, 'state is not set on create')

  t.test('only the allowed transitions, each with a reason', async (t) => {
    const go = (to: string, reason = '评估后决定') => call(psych2, 'POST', `/api/v1/cases/${c.id}/transition`, { to, reason })
    const bad = await go('monitoring')
    t.equal(bad.statusCode, 409)
    t.equal(bad.json().code, 'case_transition_not_allowed')
    t.equal((await call(psych, 'POST', `/api/v1/cases/${c.id}/transition`, { to: 'intervening' })).statusCode, 400, 'a reason is required')
    t.match((await go('intervening')).json(), { state: 'intervening', stateText: '干预中' })
    t.match((await go('monitoring')).json(), { state: 'monitoring' })
    t.match((await go('intervening', '复发')).json(), { state: 'intervening' })
    t.match((await go('monitoring')).json(), { state: 'monitoring' })
    const closed = (await go('closed', '三次复评稳定')).json()
    t.equal(closed.state, 'closed')
    t.ok(closed.closedAt)
    t.equal((await go('intervening')).statusCode, 409, 'a closed case only reopens')
    const reopened = (await go('open', '期末前情绪反复')).json()
    t.match(reopened, { state: 'open', closedAt: null })
  })

  t.test('a risk change needs a reason and is recorded', async (t) => {
    const noReason = await call(psych, 'PATCH', `/api/v1/cases/${c.id}`, { riskLevel: 'orange' })
    t.equal(noReason.json().code, 'risk_change_needs_reason')
    const up = await call(psych, 'PATCH', `/api/v1/cases/${c.id}`, { riskLevel: 'orange', reason: '出现自伤念头的表述' })
    t.match(up.json(), { riskLevel: 'orange', riskLevelText: '较高' })
    t.equal((await call(psych, 'PATCH', `/api/v1/cases/${c.id}`, { summary: '更新摘要' })).json().summary, '更新摘要')
    t.equal((await call(psych, 'PATCH', `/api/v1/cases/${c.id}`, { reason: '无' })).json().code, 'reason_without_risk_change')
    t.equal((await call(psych, 'PATCH', `/api/v1/cases/${c.id}`, { openedBy: psych2.id })).statusCode, 400)

    const events = (await call(psych, 'GET', `/api/v1/cases/${c.id}/events`)).json().items as Array<Record<string, unknown>>
    t.same(events.map((e) => [e.fromState, e.toState]), [
      [null, 'open'], ['open', 'intervening'], ['intervening', 'monitoring'], ['monitoring', 'intervening'],
      ['intervening', 'monitoring'], ['monitoring', 'closed'], ['closed', 'open'], ['open', 'open'],
    ])
    t.match(events[0], { riskTo: 'yellow', riskToText: '关注', actorId: psych.id })
    t.match(events[1], { reason: '评估后决定', actorId: psych2.id })
    t.match(events.at(-1), { riskFrom: 'yellow', riskTo: 'orange', riskFromText: '关注', riskToText: '较高', reason: '出现自伤念头的表述', actorId: psych.id })
    t.ok(events.every((e) => typeof e.at === 'string'))
  })

  t.test('lists filter by state, risk and mine', async (t) => {
    const other = await w.pupil(w.A, w.A.classIds[1])
    await call(psych2, 'POST', `/api/v1/students/${other.id}/cases`, { source: 'screening', riskLevel: 'red' })
    const mine = (await call(psych, 'GET', '/api/v1/cases?mine=true')).json()
    t.same(mine.items.map((i: { id: string }) => i.id), [c.id])
    const red = (await call(psych, 'GET', '/api/v1/cases?riskLevel=red')).json()
    t.same(red.items.map((i: { studentId: string }) => i.studentId), [other.id])
    t.equal((await call(psych, 'GET', '/api/v1/cases?state=open')).json().total, 2)
  })

  t.test('case content is for psychology teachers of the school only', async (t) => {
    for (const who of [homeroom, mentor, admin, psychB]) {
      t.equal((await call(who, 'GET', `/api/v1/cases/${c.id}`)).statusCode, 404)
      t.equal((await call(who, 'GET', `/api/v1/cases/${c.id}/events`)).statusCode, 404)
      t.equal((await call(who, 'POST', `/api/v1/cases/${c.id}/transition`, { to: 'closed', reason: 'x' })).statusCode, 404)
    }
    t.equal((await call(homeroom, 'GET', '/api/v1/cases')).statusCode, 403)
    t.equal((await call(psychB, 'GET', '/api/v1/cases')).json().total, 0)
    t.equal((await call(psychB, 'POST', `/api/v1/students/${s.id}/cases`, { source: 'other', riskLevel: 'green' })).statusCode, 404)
    const audits = await w.auditRows('cases')
    t.ok(audits.some((a) => a.action === 'C' && a.record_ids.includes(c.id) && a.student_ids.includes(s.id)))
    t.ok(audits.some((a) => a.outcome === 'denied' || a.outcome === 'not_found'), 'refused attempts are audited')
  })
})
