import t from '../helpers/tap.js'
import { screeningWorld, shanghaiDay } from '../screening/fixtures.js'

t.test('intervention plan and counselling sessions', async (t) => {
  const w = await screeningWorld()
  const { psych, psychB, homeroom, mentor, admin, call } = w
  const s = await w.pupil(w.A, w.A.classIds[0])
  await w.pair(mentor, s.id)
  const c = (await call(psych, 'POST', `/api/v1/students/${s.id}/cases`, { source: 'screening', riskLevel: 'orange' })).json()

  const plan = await call(psych, 'POST', `/api/v1/cases/${c.id}/plan`, { goals: '两周内睡眠恢复规律', measures: '每周一次个体辅导；与家长沟通作息', reviewDate: shanghaiDay(14) })
  t.equal(plan.statusCode, 201, plan.body)
  t.match(plan.json(), { caseId: c.id, studentId: s.id, reviewDate: shanghaiDay(14), createdBy: psych.id })
  t.equal((await call(psych, 'POST', `/api/v1/cases/${c.id}/plan`, { goals: 'x', measures: 'y', reviewDate: shanghaiDay(1) })).statusCode, 409, 'one plan per case')
  t.equal((await call(psych, 'GET', `/api/v1/cases/${c.id}/plan`)).json().id, plan.json().id)
  const moved = await call(psych, 'PATCH', `/api/v1/plans/${plan.json().id}`, { reviewDate: shanghaiDay(5) })
  t.equal(moved.json().reviewDate, shanghaiDay(5))
  t.equal((await call(psych, 'PATCH', `/api/v1/plans/${plan.json().id}`, { caseId: c.id })).statusCode, 400)

  const s1 = await call(psych, 'POST', `/api/v1/cases/${c.id}/sessions`, {
    kind: 'individual', sessionDate: shanghaiDay(-3), durationMin: 45, notes: '谈到与同学的矛盾，情绪低落', reassessedRisk: 'yellow', reassessmentScore: 8,
  })
  t.equal(s1.statusCode, 201, s1.body)
  t.match(s1.json(), { kind: 'individual', durationMin: 45, notes: '谈到与同学的矛盾，情绪低落', reassessedRisk: 'yellow', reassessedRiskText: '关注', counsellorId: psych.id })
  const s2 = await call(psych, 'POST', `/api/v1/cases/${c.id}/sessions`, { kind: 'group', sessionDate: shanghaiDay(-1), durationMin: 60 })
  t.equal(s2.statusCode, 201)
  t.equal((await call(psych, 'POST', `/api/v1/cases/${c.id}/sessions`, { kind: 'phone', sessionDate: shanghaiDay(), durationMin: 10 })).statusCode, 400)
  const list = (await call(psych, 'GET', `/api/v1/cases/${c.id}/sessions`)).json()
  t.same(list.items.map((i: { id: string }) => i.id), [s1.json().id, s2.json().id], 'in date order')
  const edited = await call(psych, 'PATCH', `/api/v1/sessions/${s2.json().id}`, { notes: '团体辅导：人际沟通' })
  t.equal(edited.json().notes, '团体辅导：人际沟通')

  t.test('session notes and plans: psychology teachers of the school only', async (t) => {
    for (const who of [homeroom, mentor, admin, psychB]) {
      const one = await call(who, 'GET', `/api/v1/sessions/${s1.json().id}`)
      t.equal(one.statusCode, 404)
      t.notOk(one.body.includes('矛盾'))
      t.equal((await call(who, 'GET', `/api/v1/cases/${c.id}/sessions`)).statusCode, 404)
      t.equal((await call(who, 'GET', `/api/v1/cases/${c.id}/plan`)).statusCode, 404)
      t.equal((await call(who, 'POST', `/api/v1/cases/${c.id}/sessions`, { kind: 'individual', sessionDate: shanghaiDay(), durationMin: 30 })).statusCode, 404)
    }
  })

  t.test('a closed case takes no new plan or session', async (t) => {
    await call(psych, 'POST', `/api/v1/cases/${c.id}/transition`, { to: 'closed', reason: '转学' })
    const res = await call(psych, 'POST', `/api/v1/cases/${c.id}/sessions`, { kind: 'individual', sessionDate: shanghaiDay(), durationMin: 30 })
    t.equal(res.statusCode, 409)
    t.equal(res.json().code, 'case_closed')
  })
})
