import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { GAD7_ID, openCampaign, PHQ9_ID, PHQA_ID, screeningWorld, shanghaiDay } from './fixtures.js'

t.test('responses one at a time: scored on the server, safety rule, risk confirmation', async (t) => {
  const w = await screeningWorld({ CRISIS_ACK_MINUTES: 45 })
  const { psych, psychB, admin, homeroom, mentor, call } = w
  const c = await openCampaign(w, psych)
  const url = `/api/v1/screening/campaigns/${c.id}/responses`

  t.test('a response is scored on the server; scores in the body are refused', async (t) => {
    const s = await w.pupil(w.A, w.A.classIds[0])
    const forged = await call(psych, 'POST', url, { studentId: s.id, instrumentId: PHQA_ID, answers: [3, 3, 3, 3, 3, 3, 3, 3, 0], totalScore: 0 })
    t.equal(forged.statusCode, 400, 'a client cannot send a score')
    const res = await call(psych, 'POST', url, { studentId: s.id, instrumentId: PHQA_ID, answers: [2, 2, 2, 1, 1, 1, 1, 0, 0], screenedOn: shanghaiDay(-2) })
    t.equal(res.statusCode, 201, res.body)
    t.match(res.json(), {
      studentId: s.id, campaignId: c.id, instrumentId: PHQA_ID, instrumentCode: 'PHQ-A', answers: [2, 2, 2, 1, 1, 1, 1, 0, 0], totalScore: 10, band: 'moderate',
      suggestedRisk: 'orange', suggestedRiskText: '较高', safetyFlag: false, source: 'api', enteredBy: psych.id, screenedOn: shanghaiDay(-2),
    })
    t.notOk('crisisEventId' in res.json())
    t.equal(await w.count('crisis_events'), 0, 'no crisis without a safety item')
    const again = await call(psych, 'POST', url, { studentId: s.id, instrumentId: PHQA_ID, answers: [0, 0, 0, 0, 0, 0, 0, 0, 0] })
    t.equal(again.statusCode, 409, 'one response per student, instrument and campaign')
    const audits = await w.auditRows('screening_responses')
    t.match(audits.find((a) => a.record_ids.includes(res.json().id)), { action: 'C', student_ids: [s.id], outcome: 'ok' })
    t.match(audits.at(-1), { outcome: 'rejected' }, 'the refused duplicate is audited too')
  })

  t.test('item 9 ≥ 1 opens a crisis event the same day, whatever the total', async (t) => {
    const s = await w.pupil(w.A, w.A.classIds[0])
    const before = Date.now()
    const res = await call(psych, 'POST', url, { studentId: s.id, instrumentId: PHQA_ID, answers: [0, 0, 0, 0, 0, 0, 0, 0, 1] })
    t.equal(res.statusCode, 201)
    t.match(res.json(), { totalScore: 1, band: 'minimal', suggestedRisk: 'red', suggestedRiskText: '高危', safetyFlag: true })
    const crisisId = res.json().crisisEventId as string
    t.ok(crisisId, 'the crisis event id comes back')
    const rows = await queryRows<{ student_id: string; source: string; source_ref: string; status: string; minutes: number; summary: string }>(w.database.db, sql`
      select student_id, source, source_ref, status, summary,
        round(extract(epoch from (ack_deadline - opened_at)) / 60)::int as minutes from crisis_events where id = ${crisisId}`)
    t.match(rows[0], { student_id: s.id, source: 'safety_rule', source_ref: res.json().id, status: 'open', minutes: 45 })
    t.notMatch(rows[0]!.summary, /\d+分|total|score/i, 'the summary names the item, not a score')
    t.ok(Date.now() - before < 60_000)
    const crisisAudit = (await w.auditRows('crisis_events')).at(-1)
    t.match(crisisAudit, { action: 'C', record_ids: [crisisId], student_ids: [s.id] })

    const gad = await call(psych, 'POST', url, { studentId: s.id, instrumentId: GAD7_ID, answers: [3, 3, 3, 3, 3, 3, 3] })
    t.match(gad.json(), { totalScore: 21, band: 'severe', safetyFlag: false })
    t.equal(await w.count('crisis_events'), 1, 'GAD-7 has no safety item')
  })

  t.test('answers, instrument, grade and window are checked', async (t) => {
    const s = await w.pupil(w.A, w.A.classIds[1])
    const short = await call(psych, 'POST', url, { studentId: s.id, instrumentId: PHQA_ID, answers: [0, 0, 0] })
    t.equal(short.json().code, 'answers_invalid')
    const wrong = await call(psych, 'POST', url, { studentId: s.id, instrumentId: GAD7_ID, answers: [0, 0, 4, 0, 0, 0, 0] })
    t.same(wrong.json().details, { problems: [{ item: 3, code: 'answer_invalid' }] })
    const notIn = await call(psych, 'POST', url, { studentId: s.id, instrumentId: PHQ9_ID, answers: [0, 0, 0, 0, 0, 0, 0, 0, 0] })
    t.equal(notIn.json().code, 'instrument_not_in_campaign')
    const late = await call(psych, 'POST', url, { studentId: s.id, instrumentId: GAD7_ID, answers: [0, 0, 0, 0, 0, 0, 0], screenedOn: shanghaiDay(1) })
    t.equal(late.json().code, 'screened_on_out_of_window')
    const theirs = await w.pupil(w.B, w.B.classIds[0])
    const other = await call(psych, 'POST', url, { studentId: theirs.id, instrumentId: GAD7_ID, answers: [0, 0, 0, 0, 0, 0, 0] })
    t.equal(other.statusCode, 404, 'a student of another school is not found')
    t.equal((await call(psychB, 'POST', url, { studentId: theirs.id, instrumentId: GAD7_ID, answers: [0, 0, 0, 0, 0, 0, 0] })).statusCode, 404, 'nor is another school’s campaign')
  })

  t.test('the psychology teacher confirms or changes the risk, a change with a reason', async (t) => {
    const s = await w.pupil(w.A, w.A.classIds[0])
    const r = (await call(psych, 'POST', url, { studentId: s.id, instrumentId: GAD7_ID, answers: [1, 1, 1, 1, 1, 1, 0] })).json()
    t.match(r, { totalScore: 6, band: 'mild', suggestedRisk: 'yellow' })
    const noReason = await call(psych, 'PATCH', `/api/v1/screening/responses/${r.id}`, { confirmedRisk: 'orange' })
    t.equal(noReason.json().code, 'risk_change_needs_reason')
    const same = await call(psych, 'PATCH', `/api/v1/screening/responses/${r.id}`, { confirmedRisk: 'yellow' })
    t.match(same.json(), { confirmedRisk: 'yellow', confirmedRiskText: '关注', confirmedBy: psych.id, confirmReason: null })
    const changed = await call(psych, 'PATCH', `/api/v1/screening/responses/${r.id}`, { confirmedRisk: 'orange', confirmReason: '访谈后发现近期家庭变故' })
    t.match(changed.json(), { confirmedRisk: 'orange', confirmedRiskText: '较高', confirmReason: '访谈后发现近期家庭变故', suggestedRisk: 'yellow' })
    t.equal((await call(psych, 'PATCH', `/api/v1/screening/responses/${r.id}`, { confirmedRisk: 'red', totalScore: 20 })).statusCode, 400)
  })

  t.test('nobody but psychology teachers of the school reads answers or scores', async (t) => {
    const s = await w.pupil(w.A, w.A.classIds[0])
    await w.pair(mentor, s.id)
    const r = (await call(psych, 'POST', url, { studentId: s.id, instrumentId: GAD7_ID, answers: [2, 2, 2, 2, 2, 2, 2] })).json()
    for (const who of [homeroom, mentor, admin, psychB]) {
      t.equal((await call(who, 'GET', `/api/v1/screening/responses/${r.id}`)).statusCode, 404)
      const list = await call(who, 'GET', `/api/v1/screening/campaigns/${c.id}/responses`)
      t.equal(list.statusCode, 404)
    }
    const mine = await call(psych, 'GET', `/api/v1/screening/campaigns/${c.id}/responses?studentId=${s.id}`)
    t.equal(mine.statusCode, 200)
    t.same(mine.json().items.map((i: { id: string }) => i.id), [r.id])
    const flagged = await call(psych, 'GET', `/api/v1/screening/campaigns/${c.id}/responses?safetyFlag=true`)
    t.equal(flagged.json().total, 1)
    t.match((await w.auditRows('screening_responses')).at(-1), { action: 'R' })
  })

  t.test('a closed campaign takes no more answers', async (t) => {
    await call(psych, 'PATCH', `/api/v1/screening/campaigns/${c.id}`, { status: 'closed' })
    const s = await w.pupil(w.A, w.A.classIds[0])
    const res = await call(psych, 'POST', url, { studentId: s.id, instrumentId: GAD7_ID, answers: [0, 0, 0, 0, 0, 0, 0] })
    t.equal(res.statusCode, 409)
    t.equal(res.json().code, 'campaign_closed')
  })
})
