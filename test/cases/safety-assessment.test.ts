import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { screeningWorld, shanghaiDay, type ScreeningWorld } from '../screening/fixtures.js'

const STEPS = ['parent_notified', 'escort', 'safety_assessment', 'leader_informed', 'referral_considered']

/** A complete set of answers: thoughts this week, no plan, no intent, no means, no attempt. */
const ANSWERS = {
  thoughtsFrequency: 'weekly', thoughtsLast: 'pastWeek', hasPlan: false, hasIntent: false, meansAccess: false, pastAttempt: false,
  riskFactors: ['hopelessness', 'academicStress'], protectiveFactors: ['trustedAdult'],
}

type Caller = ScreeningWorld['psych']

async function openCrisis(w: ScreeningWorld, who: Caller, studentId: string): Promise<string> {
  const res = await w.call(who, 'POST', `/api/v1/students/${studentId}/crisis-events`, { summary: '测评第9题阳性' })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json<{ id: string }>().id
}

async function acknowledgeAndTick(w: ScreeningWorld, who: Caller, id: string) {
  await w.call(who, 'POST', `/api/v1/crisis-events/${id}/acknowledge`, {})
  for (const item of STEPS) await w.call(who, 'POST', `/api/v1/crisis-events/${id}/checklist`, { item })
}

t.test('brief suicide safety assessment and who was told', async (t) => {
  const w = await screeningWorld()
  const { psych, psych2, psychB, homeroom, admin, mentor, call } = w
  const s = await w.pupil(w.A, w.A.classIds[0])
  const institution = (await call(psych, 'POST', '/api/v1/institutions', { name: '市精神卫生中心', kind: 'mental_health_centre' })).json<{ id: string }>()
  t.ok(institution.id)

  t.test('the form is data: sections, dispositions, review flags and the NIMH notice', async (t) => {
    const res = await call(psych, 'GET', '/api/v1/safety-assessment-form')
    t.equal(res.statusCode, 200, res.body)
    const form = res.json()
    t.equal(form.code, 'ASQ-BSSA')
    t.same(form.sections.map((x: { key: string }) => x.key), ['thoughts', 'plan', 'intent', 'means', 'attempts', 'risk', 'protective'])
    t.same(form.dispositions.map((d: { value: string }) => d.value), ['emergency', 'safety_plan', 'none'])
    t.equal(form.reviewFlag['zh-CN'], '待临床审核')
    t.ok(form.sections.every((x: { items: Array<{ zhPendingReview: boolean }> }) => x.items.every((i) => i.zhPendingReview)), 'no official Chinese BSSA: every item flagged')
    t.match(form.licence, /public domain/)
    t.match(form.licence, /National Institute of Mental Health/)
    for (const who of [homeroom, admin, mentor]) t.equal((await call(who, 'GET', '/api/v1/safety-assessment-form')).statusCode, 403)
  })

  t.test('answers are checked against the definition; the error names the item', async (t) => {
    const id = await openCrisis(w, psych, s.id)
    const post = (body: unknown, locale?: string) => call(psych, 'POST', `/api/v1/crisis-events/${id}/assessment`, body, locale ? { 'accept-language': locale } : undefined)

    const missing = await post({ answers: { ...ANSWERS, thoughtsLast: undefined }, disposition: 'none', reason: '学生否认近期想法' })
    t.equal(missing.statusCode, 422)
    t.equal(missing.json().code, 'assessment_item_required')
    t.match(missing.json().message, '你最近一次有这种想法是什么时候？')
    t.match(missing.json().details, { item: 'thoughtsLast', problem: 'required' })
    const en = await post({ answers: { ...ANSWERS, thoughtsLast: undefined }, disposition: 'none', reason: 'x' }, 'en')
    t.match(en.json().message, 'When was the last time you had these thoughts?')

    const badOption = await post({ answers: { ...ANSWERS, thoughtsFrequency: 'sometimes' }, disposition: 'none', reason: 'x' })
    t.equal(badOption.statusCode, 422)
    t.match(badOption.json(), { code: 'assessment_item_not_option', details: { item: 'thoughtsFrequency' } })
    const notBool = await post({ answers: { ...ANSWERS, hasPlan: 'yes' }, disposition: 'none', reason: 'x' })
    t.match(notBool.json(), { code: 'assessment_item_not_yes_no', details: { item: 'hasPlan' } })
    const unknown = await post({ answers: { ...ANSWERS, favouriteColour: 'blue' }, disposition: 'none', reason: 'x' })
    t.match(unknown.json(), { code: 'assessment_item_unknown', details: { item: 'favouriteColour' } })
    // A plan makes its details required (the BSSA asks "what is your plan?").
    const plan = await post({ answers: { ...ANSWERS, hasPlan: true }, disposition: 'none', reason: 'x' })
    t.match(plan.json(), { code: 'assessment_item_required', details: { item: 'planDetail' } })
    t.match(plan.json().message, '如果有，是什么样的计划？')

    t.match((await post({ answers: ANSWERS, disposition: 'safety_plan' })).json(), { code: 'follow_up_required', details: { fields: ['followUpOn'] } })
    t.equal((await post({ answers: ANSWERS, disposition: 'safety_plan', followUpOn: shanghaiDay(-1) })).json().code, 'date_in_past')
    const noReason = await post({ answers: ANSWERS, disposition: 'none' })
    t.equal(noReason.statusCode, 422)
    t.equal(noReason.json().code, 'no_action_needs_reason')
    t.equal((await post({ answers: ANSWERS, disposition: 'emergency' })).json().code, 'emergency_needs_referral')
    t.equal((await post({ answers: ANSWERS, disposition: 'none', reason: 'x', referral: { institutionId: institution.id, reason: 'x' } })).json().code, 'referral_only_for_emergency')
    t.equal((await post({ answers: ANSWERS, disposition: 'maybe', reason: 'x' })).statusCode, 400)
    t.equal(await w.count('safety_assessments'), 0, 'nothing kept from a refused form')
  })

  t.test('safety plan: the follow-up date lands on the crisis; a second assessment is 409', async (t) => {
    const id = await openCrisis(w, psych, s.id)
    const res = await call(psych, 'POST', `/api/v1/crisis-events/${id}/assessment`, { answers: ANSWERS, disposition: 'safety_plan', followUpOn: shanghaiDay(7) })
    t.equal(res.statusCode, 201, res.body)
    t.match(res.json(), { crisisId: id, studentId: s.id, formCode: 'ASQ-BSSA', formVersion: 1, disposition: 'safety_plan', followUpOn: shanghaiDay(7), referralId: null, assessedBy: psych.id })
    t.same(res.json().answers.riskFactors, ['hopelessness', 'academicStress'])
    const crisis = (await call(psych, 'GET', `/api/v1/crisis-events/${id}`)).json()
    t.match(crisis, { followUpOn: shanghaiDay(7), parentContactDueOn: null })
    t.match(crisis.safety, { assessed: true, disposition: 'safety_plan', parentContactLogged: null, missing: ['homeroom_told', 'guardian_told_or_reason'] })
    const again = await call(psych2, 'POST', `/api/v1/crisis-events/${id}/assessment`, { answers: ANSWERS, disposition: 'none', reason: '复评' })
    t.equal(again.statusCode, 409)
    t.equal(again.json().code, 'safety_assessment_exists')
    t.match(again.json().message, '每个危机事件只评估一次')
    const got = await call(psych2, 'GET', `/api/v1/crisis-events/${id}/assessment`)
    t.equal(got.statusCode, 200)
    t.equal(got.json().id, res.json().id)
  })

  t.test('emergency: urgent referral, parent contact due today, and resolution blocked until each piece exists', async (t) => {
    const id = await openCrisis(w, psych, s.id)
    t.equal((await call(psych, 'GET', `/api/v1/crisis-events/${id}/assessment`)).json().code, 'safety_assessment_missing')
    await acknowledgeAndTick(w, psych, id)
    const blocked0 = await call(psych, 'POST', `/api/v1/crisis-events/${id}/resolve`, {})
    t.equal(blocked0.statusCode, 409)
    t.equal(blocked0.json().code, 'crisis_safety_incomplete')
    t.same(blocked0.json().details.missing, ['assessment', 'homeroom_told', 'guardian_told_or_reason'])
    t.match(blocked0.json().message, '简要自杀安全评估')
    const blockedEn = await call(psych, 'POST', `/api/v1/crisis-events/${id}/resolve`, {}, { 'accept-language': 'en' })
    t.match(blockedEn.json().message, /still needs: the brief suicide safety assessment/)

    const answers = { ...ANSWERS, hasPlan: true, planDetail: '从楼顶跳下', meansAccess: true, meansDetail: '家住高层，已请家长锁窗' }
    const res = await call(psych, 'POST', `/api/v1/crisis-events/${id}/assessment`, {
      answers, disposition: 'emergency', referral: { institutionId: institution.id, reason: '有具体计划，需当日急诊精神科评估' },
    })
    t.equal(res.statusCode, 201, res.body)
    const a = res.json()
    t.ok(a.referralId, 'the urgent referral is linked')
    const referral = (await call(psych, 'GET', `/api/v1/referrals/${a.referralId}`)).json()
    t.match(referral, { studentId: s.id, urgent: true, state: 'proposed', institutionId: institution.id, followUpDate: shanghaiDay(0) })
    const events = (await call(psych, 'GET', `/api/v1/referrals/${a.referralId}/events`)).json()
    t.same(events.items.map((e: { toState: string }) => e.toState), ['proposed'], 'the referral service’s own event row')
    const crisis = (await call(psych, 'GET', `/api/v1/crisis-events/${id}`)).json()
    t.equal(crisis.parentContactDueOn, shanghaiDay(0), 'parents contacted the same school day')
    t.match(crisis.safety, { disposition: 'emergency', parentContactLogged: false })

    const blocked1 = (await call(psych, 'POST', `/api/v1/crisis-events/${id}/resolve`, {})).json()
    t.same(blocked1.details.missing, ['homeroom_told', 'guardian_told_or_reason', 'parent_contact'])

    const told = await call(psych, 'POST', `/api/v1/crisis-events/${id}/disclosures`, { role: 'homeroom_teacher', channel: 'in_person', note: '请班主任留意课间' })
    t.equal(told.statusCode, 201, told.body)
    t.match(told.json(), { crisisId: id, studentId: s.id, role: 'homeroom_teacher', channel: 'in_person', notToldReason: null, recordedBy: psych.id })
    t.ok(told.json().toldAt)
    t.same((await call(psych, 'POST', `/api/v1/crisis-events/${id}/resolve`, {})).json().details.missing, ['guardian_told_or_reason', 'parent_contact'])

    // A guardian not told needs the reason; only a guardian can be "not told".
    const noReason = await call(psych, 'POST', `/api/v1/crisis-events/${id}/disclosures`, { role: 'guardian', notTold: true })
    t.equal(noReason.statusCode, 422)
    t.equal(noReason.json().code, 'not_told_reason_required')
    t.equal((await call(psych, 'POST', `/api/v1/crisis-events/${id}/disclosures`, { role: 'school_leader', notTold: true, notToldReason: 'x' })).json().code, 'not_told_only_guardian')
    t.equal((await call(psych, 'POST', `/api/v1/crisis-events/${id}/disclosures`, { role: 'guardian' })).json().code, 'disclosure_channel_required')
    const future = new Date(Date.now() + 3 * 3_600_000).toISOString()
    t.equal((await call(psych, 'POST', `/api/v1/crisis-events/${id}/disclosures`, { role: 'guardian', channel: 'phone', toldAt: future })).json().code, 'date_in_future')
    const notTold = await call(psych, 'POST', `/api/v1/crisis-events/${id}/disclosures`, { role: 'guardian', notTold: true, notToldReason: '学生陈述家中有暴力风险，先报学校领导' })
    t.equal(notTold.statusCode, 201, notTold.body)
    t.match(notTold.json(), { role: 'guardian', channel: null, toldAt: null })
    t.same((await call(psych, 'POST', `/api/v1/crisis-events/${id}/resolve`, {})).json().details.missing, ['parent_contact'])

    // A record that the parents were not told does not meet the emergency's parent contact.
    const notToldContact = await call(psych, 'POST', `/api/v1/students/${s.id}/parent-contacts`, { notTold: true, notToldReason: '家中有暴力风险' })
    t.equal(notToldContact.statusCode, 201, notToldContact.body)
    t.same((await call(psych, 'POST', `/api/v1/crisis-events/${id}/resolve`, {})).json().details.missing, ['parent_contact'])
    const contact = await call(psych, 'POST', `/api/v1/students/${s.id}/parent-contacts`, { channel: 'phone', content: '已告知奶奶，今日陪同就诊' })
    t.equal(contact.statusCode, 201, contact.body)
    t.match((await call(psych, 'GET', `/api/v1/crisis-events/${id}`)).json().safety, { parentContactLogged: true, missing: [] })

    const resolved = await call(psych, 'POST', `/api/v1/crisis-events/${id}/resolve`, {})
    t.equal(resolved.statusCode, 200, resolved.body)
    t.match(resolved.json(), { status: 'resolved', safety: { missing: [] } })
    t.equal((await call(psych, 'POST', `/api/v1/crisis-events/${id}/disclosures`, { role: 'other', channel: 'phone' })).json().code, 'crisis_resolved')

    const list = (await call(psych2, 'GET', `/api/v1/crisis-events/${id}/disclosures`)).json()
    t.same(list.items.map((d: { role: string }) => d.role), ['homeroom_teacher', 'guardian'])
  })

  t.test('a parent contact logged before the assessment does not count', async (t) => {
    const p = await w.pupil(w.A, w.A.classIds[0])
    t.equal((await call(psych, 'POST', `/api/v1/students/${p.id}/parent-contacts`, { channel: 'phone' })).statusCode, 201)
    const id = await openCrisis(w, psych, p.id)
    await acknowledgeAndTick(w, psych, id)
    t.equal((await call(psych, 'POST', `/api/v1/crisis-events/${id}/assessment`, {
      answers: ANSWERS, disposition: 'emergency', referral: { institutionId: institution.id, reason: '急诊评估' },
    })).statusCode, 201)
    await call(psych, 'POST', `/api/v1/crisis-events/${id}/disclosures`, { role: 'homeroom_teacher', channel: 'phone' })
    await call(psych, 'POST', `/api/v1/crisis-events/${id}/disclosures`, { role: 'guardian', channel: 'phone' })
    t.same((await call(psych, 'POST', `/api/v1/crisis-events/${id}/resolve`, {})).json().details.missing, ['parent_contact'])
  })

  t.test('the emergency rolls back whole when its referral cannot be opened', async (t) => {
    const id = await openCrisis(w, psych, s.id)
    const before = await w.count('referrals')
    const res = await call(psych, 'POST', `/api/v1/crisis-events/${id}/assessment`, {
      answers: ANSWERS, disposition: 'emergency', referral: { institutionId: '00000000-0000-4000-8000-000000000000', reason: '急诊评估' },
    })
    t.equal(res.statusCode, 400)
    t.equal(res.json().code, 'unknown_reference')
    t.equal(await w.count('referrals'), before)
    t.equal(await w.count('safety_assessments', sql`crisis_id = ${id}`), 0)
    t.equal((await call(psych, 'GET', `/api/v1/crisis-events/${id}`)).json().parentContactDueOn, null)
  })

  t.test('psychology teachers of the school only; out of scope is 404', async (t) => {
    const id = await openCrisis(w, psych, s.id)
    for (const who of [homeroom, admin, mentor, psychB]) {
      t.equal((await call(who, 'POST', `/api/v1/crisis-events/${id}/assessment`, { answers: ANSWERS, disposition: 'none', reason: 'x' })).statusCode, 404)
      t.equal((await call(who, 'GET', `/api/v1/crisis-events/${id}/assessment`)).statusCode, 404)
      t.equal((await call(who, 'POST', `/api/v1/crisis-events/${id}/disclosures`, { role: 'homeroom_teacher', channel: 'phone' })).statusCode, 404)
      t.equal((await call(who, 'GET', `/api/v1/crisis-events/${id}/disclosures`)).statusCode, 404)
    }
    t.equal(await w.count('crisis_disclosures', sql`crisis_id = ${id}`), 0)
    const other = await w.pupil(w.B, w.B.classIds[0])
    const idB = await openCrisis(w, psychB, other.id)
    t.equal((await call(psych, 'POST', `/api/v1/crisis-events/${idB}/assessment`, { answers: ANSWERS, disposition: 'none', reason: 'x' })).statusCode, 404)
    t.equal((await call(psych, 'GET', `/api/v1/crisis-events/${idB}/disclosures`)).statusCode, 404)
  })

  t.test('audit rows: ids only, for every write and read', async (t) => {
    const assessments = await w.auditRows('safety_assessments')
    t.ok(assessments.some((r) => r.action === 'C' && r.outcome === 'ok' && r.student_ids.includes(s.id)))
    t.ok(assessments.some((r) => r.action === 'R' && r.outcome === 'ok'))
    const disclosures = await w.auditRows('crisis_disclosures')
    t.ok(disclosures.filter((r) => r.action === 'C' && r.outcome === 'ok').length >= 2)
    t.ok(disclosures.some((r) => r.action === 'R'))
    const referrals = await w.auditRows('referrals')
    t.ok(referrals.some((r) => r.action === 'C' && r.outcome === 'ok'), 'the urgent referral audited as the caller’s')
    const crises = await queryRows<{ field_groups: string[] }>(w.database.db,
      sql`select field_groups from audit_log where resource = 'crisis_events' and action = 'U' and 'followUp' = any(field_groups)`)
    t.ok(crises.length >= 2, 'the crisis dates set by the disposition are audited')
    const text = JSON.stringify(await queryRows(w.database.db, sql`select * from audit_log`))
    for (const secret of ['从楼顶跳下', '家中有暴力风险', '请班主任留意课间', '有具体计划']) t.notOk(text.includes(secret), 'no free text in the audit log')
  })
})
