import t from '../helpers/tap.js'
import { institutions, pairings } from '../../db/schema/index.js'
import { screeningWorld, shanghaiDay } from '../screening/fixtures.js'

const content = (tag: string) => ({
  warningSigns: [`${tag}：一个人待在房间不出来`, '睡不着、反复想考试'],
  copingStrategies: ['听喜欢的歌', '画画'],
  socialDistractions: ['去操场找同桌打球', '周末去外婆家'],
  helpContacts: [{ name: '妈妈', phone: '139 0000 1234' }, { name: '班主任王老师' }],
  professionals: [{ name: '心理援助热线', phone: '12356' }],
  environmentSafety: ['家长把药品收起来'],
  reasonsForLiving: ['想养一只猫', '和好朋友的约定'],
})

t.test('safety plan: versions, one active per case, reviews, mentor part, print', async (t) => {
  const w = await screeningWorld()
  const { psych, psych2, psychB, homeroom, mentor, admin, monitor, district, call } = w
  const s = await w.pupil(w.A, w.A.classIds[0])
  const pairing = (await w.database.db.insert(pairings).values({
    schoolId: w.A.schoolId, studentId: s.id, mentorId: mentor.id, purpose: '情绪支持', startDate: '2020-01-01',
  }).returning({ id: pairings.id }))[0]!
  await w.database.db.insert(institutions).values({ schoolId: w.A.schoolId, name: '市精神卫生中心', kind: 'mental_health_centre', department: '儿少科', contactPhone: '027-1234 5678' })
  const c = (await call(psych, 'POST', `/api/v1/students/${s.id}/cases`, { source: 'other', riskLevel: 'red' })).json()
  const crisis = (await call(psych, 'POST', `/api/v1/students/${s.id}/crisis-events`, { caseId: c.id })).json()

  t.test('step 5 starts with the school’s psychology teachers, its institutions and the hotlines', async (t) => {
    const res = await call(psych, 'GET', `/api/v1/cases/${c.id}/safety-plan/defaults`)
    t.equal(res.statusCode, 200, res.body)
    const names = res.json().professionals.map((p: { name: string; phone?: string }) => `${p.name}|${p.phone ?? ''}`)
    t.ok(names.some((n: string) => n.startsWith('心理教师 ')), 'a psychology teacher of the school')
    t.ok(names.includes('市精神卫生中心 儿少科|027-1234 5678'), 'the referral institution with its phone')
    for (const n of ['12356', '120', '110']) t.ok(names.some((x: string) => x.endsWith(`|${n}`)), `hotline ${n}`)
  })

  const created = await call(psych, 'POST', `/api/v1/cases/${c.id}/safety-plan`, { ...content('v1'), professionals: undefined, crisisId: crisis.id })
  t.equal(created.statusCode, 201, created.body)
  const plan = created.json()
  t.match(plan, { caseId: c.id, studentId: s.id, crisisId: crisis.id, status: 'active', currentVersion: 1, current: { version: 1, reasonsForLiving: ['想养一只猫', '和好朋友的约定'] } })
  t.ok(plan.current.professionals.some((p: { phone?: string }) => p.phone === '12356'), 'step 5 pre-filled when not sent')
  t.equal(plan.lastReview, null, 'no review yet')

  t.test('one active plan per case', async (t) => {
    const again = await call(psych2, 'POST', `/api/v1/cases/${c.id}/safety-plan`, content('again'))
    t.equal(again.statusCode, 409)
    t.equal(again.json().code, 'safety_plan_exists')
    t.match(again.json().message, /已有一份生效的安全计划/)
  })

  t.test('every save is a new version; the earlier one stays readable', async (t) => {
    const saved = await call(psych2, 'POST', `/api/v1/safety-plans/${plan.id}/versions`, content('v2'))
    t.equal(saved.statusCode, 201, saved.body)
    t.equal(saved.json().currentVersion, 2)
    t.equal(saved.json().current.warningSigns[0], 'v2：一个人待在房间不出来')
    t.same(saved.json().versions.map((v: { version: number; createdBy: string }) => [v.version, v.createdBy]), [[2, psych2.id], [1, psych.id]])
    const v1 = await call(psych, 'GET', `/api/v1/safety-plans/${plan.id}/versions/1`)
    t.equal(v1.json().warningSigns[0], 'v1：一个人待在房间不出来')
    t.equal((await call(psych, 'GET', `/api/v1/safety-plans/${plan.id}/versions/9`)).statusCode, 404)
    const ofCase = (await call(psych, 'GET', `/api/v1/cases/${c.id}/safety-plan`)).json()
    t.equal(ofCase.id, plan.id)
    t.equal(ofCase.current.version, 2)
  })

  t.test('validation names the field', async (t) => {
    const long = await call(psych, 'POST', `/api/v1/safety-plans/${plan.id}/versions`, { ...content('x'), copingStrategies: ['好'.repeat(201)] })
    t.equal(long.statusCode, 400)
    t.match(long.json().message, /自我应对方法/)
    const noName = await call(psych, 'POST', `/api/v1/safety-plans/${plan.id}/versions`, { ...content('x'), helpContacts: [{ phone: '110' }] })
    t.equal(noName.statusCode, 400)
    t.match(noName.json().message, /姓名|名称/)
    const missing = await call(psych, 'POST', `/api/v1/safety-plans/${plan.id}/versions`, { ...content('x'), reasonsForLiving: undefined })
    t.equal(missing.statusCode, 400)
    t.match(missing.json().message, /活下去的理由/)
    const future = await call(psych, 'POST', `/api/v1/safety-plans/${plan.id}/reviews`, { reviewedOn: shanghaiDay(3), context: 'follow_up' })
    t.equal(future.statusCode, 400)
    t.match(future.json().message, /复查日期/)
    const badContext = await call(psych, 'POST', `/api/v1/safety-plans/${plan.id}/reviews`, { reviewedOn: shanghaiDay(), context: 'weekly' })
    t.equal(badContext.statusCode, 400)
    t.match(badContext.json().message, /复查时机/)
    t.equal((await call(psych, 'GET', `/api/v1/safety-plans/${plan.id}`)).json().currentVersion, 2, 'nothing saved')
  })

  t.test('reviews: with and without a new version; the 复学 step reads the last one', async (t) => {
    const before = await call(psych, 'GET', `/api/v1/cases/${c.id}/safety-plan/last-review`)
    t.equal(before.statusCode, 200)
    t.same(before.json().lastReview, null)
    const r1 = await call(psych, 'POST', `/api/v1/safety-plans/${plan.id}/reviews`, { reviewedOn: shanghaiDay(-7), context: 'follow_up', note: '能说出三个应对方法' })
    t.equal(r1.statusCode, 201, r1.body)
    t.match(r1.json(), { context: 'follow_up', contextText: '随访', newVersion: null, reviewerId: psych.id })
    const r2 = await call(psych2, 'POST', `/api/v1/safety-plans/${plan.id}/reviews`, { reviewedOn: shanghaiDay(-1), context: 'return_to_school', plan: content('v3') })
    t.equal(r2.statusCode, 201, r2.body)
    t.match(r2.json(), { context: 'return_to_school', contextText: '复学', newVersion: 3 })
    const viewed = (await call(psych, 'GET', `/api/v1/safety-plans/${plan.id}`)).json()
    t.equal(viewed.currentVersion, 3)
    t.equal(viewed.lastReview.id, r2.json().id)
    const last = await call(psych, 'GET', `/api/v1/cases/${c.id}/safety-plan/last-review`, undefined, { 'accept-language': 'en' })
    t.match(last.json(), { planId: plan.id, planStatus: 'active', lastReview: { reviewedOn: shanghaiDay(-1), context: 'return_to_school', contextText: 'Return to school' } })
    const list = (await call(psych, 'GET', `/api/v1/safety-plans/${plan.id}/reviews`)).json()
    t.same(list.items.map((r: { id: string }) => r.id), [r2.json().id, r1.json().id], 'latest first')
  })

  t.test('print data: the version in force, the student’s name and the hotlines', async (t) => {
    const res = await call(psych, 'GET', `/api/v1/safety-plans/${plan.id}/print`)
    t.equal(res.statusCode, 200, res.body)
    const p = res.json()
    t.equal(p.studentName, s.name)
    t.equal(p.version, 3)
    t.equal(p.warningSigns[0], 'v3：一个人待在房间不出来')
    t.same(p.hotlines.map((h: { phone: string }) => h.phone), ['12356', '120', '110'])
  })

  t.test('the mentor reads steps 2, 3 and reasons for living, nothing else', async (t) => {
    const one = await call(mentor, 'GET', `/api/v1/safety-plans/${plan.id}`)
    t.equal(one.statusCode, 200, one.body)
    const body = one.json()
    t.same(body.current.copingStrategies, ['听喜欢的歌', '画画'])
    t.same(body.current.socialDistractions, ['去操场找同桌打球', '周末去外婆家'])
    t.same(body.current.reasonsForLiving, ['想养一只猫', '和好朋友的约定'])
    for (const k of ['warningSigns', 'helpContacts', 'professionals', 'environmentSafety']) t.notOk(k in body.current, `no ${k}`)
    t.notOk('crisisId' in body, 'not the crisis link')
    t.notOk('lastReview' in body, 'not the reviews')
    t.notOk(one.body.includes('139 0000 1234') || one.body.includes('药品') || one.body.includes('房间'), 'no clinical text anywhere in the answer')
    const listed = (await call(mentor, 'GET', '/api/v1/safety-plans')).json()
    t.same(listed.items.map((i: { id: string }) => i.id), [plan.id])
    t.same(listed.items[0].current.copingStrategies, ['听喜欢的歌', '画画'])
    t.notOk('warningSigns' in listed.items[0].current)
    t.equal((await call(mentor, 'GET', `/api/v1/safety-plans/${plan.id}/print`)).statusCode, 404)
    t.equal((await call(mentor, 'GET', `/api/v1/safety-plans/${plan.id}/reviews`)).statusCode, 404)
    t.equal((await call(mentor, 'GET', `/api/v1/cases/${c.id}/safety-plan/last-review`)).statusCode, 404)
    t.equal((await call(mentor, 'POST', `/api/v1/safety-plans/${plan.id}/versions`, content('m'))).statusCode, 404)
  })

  t.test('other roles and schools: 404 or 403', async (t) => {
    for (const who of [homeroom, admin, monitor, district, psychB]) {
      t.equal((await call(who, 'GET', `/api/v1/safety-plans/${plan.id}`)).statusCode, 404)
      t.equal((await call(who, 'GET', `/api/v1/cases/${c.id}/safety-plan`)).statusCode, 404)
      t.equal((await call(who, 'GET', `/api/v1/safety-plans/${plan.id}/versions/1`)).statusCode, 404)
      t.equal((await call(who, 'GET', `/api/v1/safety-plans/${plan.id}/print`)).statusCode, 404)
      t.equal((await call(who, 'POST', `/api/v1/safety-plans/${plan.id}/reviews`, { reviewedOn: shanghaiDay(), context: 'other' })).statusCode, 404)
      const listed = await call(who, 'GET', '/api/v1/safety-plans')
      if (listed.statusCode === 200) t.same(listed.json().items, [], 'nothing listed')
      else t.equal(listed.statusCode, 403)
    }
    t.equal((await call(psychB, 'POST', `/api/v1/cases/${c.id}/safety-plan`, content('b'))).statusCode, 404)
  })

  t.test('after the pairing ends the mentor reads nothing', async (t) => {
    const ended = await call(psych, 'POST', `/api/v1/pairings/${pairing.id}/end`, { endedReason: '学期结束' })
    t.equal(ended.statusCode, 200, ended.body)
    t.equal((await call(mentor, 'GET', `/api/v1/safety-plans/${plan.id}`)).statusCode, 404)
    t.equal((await call(mentor, 'GET', `/api/v1/cases/${c.id}/safety-plan`)).statusCode, 404)
    t.same((await call(mentor, 'GET', '/api/v1/safety-plans')).json().items, [])
  })

  t.test('ending the plan allows a new one; an ended plan takes no new version', async (t) => {
    const end = await call(psych, 'POST', `/api/v1/safety-plans/${plan.id}/end`, {})
    t.equal(end.statusCode, 200, end.body)
    t.equal(end.json().status, 'ended')
    const late = await call(psych, 'POST', `/api/v1/safety-plans/${plan.id}/versions`, content('late'))
    t.equal(late.statusCode, 409)
    t.equal(late.json().code, 'safety_plan_ended')
    const fresh = await call(psych, 'POST', `/api/v1/cases/${c.id}/safety-plan`, content('new'))
    t.equal(fresh.statusCode, 201, fresh.body)
    t.equal(fresh.json().currentVersion, 1)
    t.same(fresh.json().current.professionals, [{ name: '心理援助热线', phone: '12356' }], 'step 5 as sent')
    t.equal((await call(psych, 'GET', `/api/v1/cases/${c.id}/safety-plan`)).json().id, fresh.json().id)
  })

  t.test('a crisis of another student is not a valid link', async (t) => {
    const other = await w.pupil(w.A, w.A.classIds[1]!)
    const c2 = (await call(psych, 'POST', `/api/v1/students/${other.id}/cases`, { source: 'other', riskLevel: 'orange' })).json()
    const res = await call(psych, 'POST', `/api/v1/cases/${c2.id}/safety-plan`, { ...content('x'), crisisId: crisis.id })
    t.equal(res.statusCode, 400)
    t.match(res.json().message, /危机事件/)
  })

  t.test('audit rows: ids only, every change and read', async (t) => {
    const plans = await w.auditRows('safety_plans')
    t.ok(plans.some((r) => r.action === 'C' && r.record_ids.includes(plan.id) && r.student_ids.includes(s.id)), 'plan created')
    t.ok(plans.some((r) => r.action === 'U' && r.record_ids.includes(plan.id)), 'version number moved on')
    t.ok(plans.some((r) => r.action === 'E' && r.record_ids.includes(plan.id)), 'printed (export)')
    t.ok(plans.some((r) => r.action === 'R' && r.record_ids.includes(plan.id)), 'read')
    const versions = await w.auditRows('safety_plan_versions')
    t.ok(versions.filter((r) => r.action === 'C' && r.student_ids.includes(s.id)).length >= 3, 'each version created')
    const reviews = await w.auditRows('safety_plan_reviews')
    t.equal(reviews.filter((r) => r.action === 'C' && r.outcome === 'ok').length, 2, 'each review')
    const denied = [...plans, ...reviews].filter((r) => r.outcome !== 'ok')
    t.ok(denied.length > 0, 'refused attempts are audited too')
    const raw = JSON.stringify(await w.auditRows('safety_plan_versions'))
    t.notOk(raw.includes('猫') || raw.includes('1234'), 'no plan text in the audit log')
  })
})
