import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { CALM_ANSWERS, recordSafetySteps } from '../cases/safety-steps.js'
import { screeningWorld, shanghaiDay } from '../screening/fixtures.js'
import { auditCount, oneWinner, race } from './race.js'

const STEPS = ['parent_notified', 'escort', 'safety_assessment', 'leader_informed', 'referral_considered']

t.test('crisis events: concurrent state changes have exactly one winner', async (t) => {
  const w = await screeningWorld()
  const { psych, psych2, call } = w
  const s = await w.pupil(w.A, w.A.classIds[0])
  const open = async () => (await call(psych, 'POST', `/api/v1/students/${s.id}/crisis-events`, {})).json() as { id: string }

  t.test('acknowledge: one of 50 wins, the rest 409 crisis_not_open, one audit row', async (t) => {
    const e = await open()
    const r = await race((i) => call(i % 2 ? psych2 : psych, 'POST', `/api/v1/crisis-events/${e.id}/acknowledge`, {}))
    oneWinner(t, r, ['crisis_not_open'], 'acknowledge')
    t.match(r.conflicts[0]!.json().message, /已确认接收/)
    t.equal(await auditCount(w.database, 'crisis_events', 'U', e.id), 1, 'one audit row')
    const now = (await call(psych, 'GET', `/api/v1/crisis-events/${e.id}`)).json()
    t.equal(now.acknowledgedBy, r.winners[0]!.json().acknowledgedBy, 'the winner’s acknowledgement stands')
  })

  t.test('resolve: one of 50 wins, the rest 409 crisis_resolved, one audit row', async (t) => {
    const e = await open()
    t.equal((await call(psych, 'POST', `/api/v1/crisis-events/${e.id}/acknowledge`, {})).statusCode, 200)
    for (const item of STEPS) t.equal((await call(psych, 'POST', `/api/v1/crisis-events/${e.id}/checklist`, { item })).statusCode, 201)
    await recordSafetySteps((m, u, b) => call(psych, m, u, b), e.id, shanghaiDay(7))
    const before = await auditCount(w.database, 'crisis_events', 'U', e.id)
    const r = await race((i) => call(i % 2 ? psych2 : psych, 'POST', `/api/v1/crisis-events/${e.id}/resolve`, {}))
    oneWinner(t, r, ['crisis_resolved'], 'resolve')
    t.equal(await auditCount(w.database, 'crisis_events', 'U', e.id) - before, 1, 'one audit row')
  })

  t.test('safety assessment: of 50 recorded at once one is kept, the rest 409 safety_assessment_exists', async (t) => {
    const e = await open()
    const body = { answers: CALM_ANSWERS, disposition: 'safety_plan', followUpOn: shanghaiDay(7) }
    const r = await race((i) => call(i % 2 ? psych2 : psych, 'POST', `/api/v1/crisis-events/${e.id}/assessment`, body))
    oneWinner(t, r, ['safety_assessment_exists'], 'assess')
    t.equal(await w.count('safety_assessments', sql`crisis_id = ${e.id}`), 1)
  })

  t.test('checklist tick: the same step ticked 50 times at once is ticked once', async (t) => {
    const e = await open()
    const r = await race((i) => call(i % 2 ? psych2 : psych, 'POST', `/api/v1/crisis-events/${e.id}/checklist`, { item: 'escort' }))
    oneWinner(t, r, ['duplicate'], 'tick')
    t.equal(await w.count('crisis_checklist', sql`crisis_id = ${e.id}`), 1)
    t.equal(await auditCount(w.database, 'crisis_checklist', 'C', r.winners[0]!.json().id), 1, 'one audit row')
  })
})
