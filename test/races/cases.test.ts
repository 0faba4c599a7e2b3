import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { screeningWorld, shanghaiDay } from '../screening/fixtures.js'
import { ATTEMPTS, auditCount, oneWinner, race } from './race.js'

t.test('cases: concurrent state changes have exactly one winner', async (t) => {
  const w = await screeningWorld()
  const { psych, psych2, call } = w
  const two = [psych, psych2]
  const openCase = async (riskLevel = 'red') => {
    const s = await w.pupil(w.A, w.A.classIds[0])
    const res = await call(psych, 'POST', `/api/v1/students/${s.id}/cases`, { source: 'other', riskLevel })
    t.equal(res.statusCode, 201)
    return res.json() as { id: string }
  }
  const events = (caseId: string, where: ReturnType<typeof sql>) => w.count('case_events', sql`case_id = ${caseId} and ${where}`)

  t.test('transition: of 50 moving open → intervening one wins, one event, one audit row', async (t) => {
    const c = await openCase()
    const r = await race((i) => call(two[i % 2]!, 'POST', `/api/v1/cases/${c.id}/transition`, { to: 'intervening', reason: `开始干预 ${i}` }))
    oneWinner(t, r, ['case_transition_not_allowed'], 'open → intervening')
    t.match(r.conflicts[0]?.json().message ?? '', /干预中/, 'the message names the state in words')
    t.equal(await events(c.id, sql`to_state = 'intervening'`), 1, 'one transition event')
    t.equal(await auditCount(w.database, 'cases', 'U', c.id), 1, 'one audit row')
  })

  t.test('transition: 50 closing at once close it once', async (t) => {
    const c = await openCase()
    const r = await race((i) => call(two[i % 2]!, 'POST', `/api/v1/cases/${c.id}/transition`, { to: 'closed', reason: `无需干预 ${i}` }))
    oneWinner(t, r, ['case_transition_not_allowed'], 'open → closed')
    t.equal(await events(c.id, sql`to_state = 'closed'`), 1, 'one close event')
  })

  t.test('risk change: 50 identical changes at once record one change, from the level it replaced', async (t) => {
    const c = await openCase('yellow')
    const r = await race((i) => call(two[i % 2]!, 'PATCH', `/api/v1/cases/${c.id}`, { riskLevel: 'red', reason: `复评升级 ${i}` }))
    t.same(r.others.map((o) => o.statusCode), [], 'every attempt answers')
    t.equal(r.winners.length, ATTEMPTS, 'setting the level it already has is not an error')
    t.equal(await events(c.id, sql`risk_to = 'red'`), 1, 'one yellow → red event')
    t.equal(await events(c.id, sql`risk_from = 'red'`), 0, 'no event from a level it was not at')
  })

  t.test('a session added while the case closes: none is committed after the close', async (t) => {
    const c = await openCase()
    const closer = Math.floor(ATTEMPTS / 2)
    const r = await race((i) => i === closer
      ? call(psych2, 'POST', `/api/v1/cases/${c.id}/transition`, { to: 'closed', reason: '转出' })
      : call(psych, 'POST', `/api/v1/cases/${c.id}/sessions`, { kind: 'individual', sessionDate: shanghaiDay(), durationMin: 30 }))
    t.same(r.others.map((o) => o.statusCode), [])
    t.same([...new Set(r.conflicts.map((o) => o.json().code))].filter((x) => x !== 'case_closed'), [], 'a late session is refused as case_closed')
    const sessions = await w.count('counselling_sessions', sql`case_id = ${c.id}`)
    t.equal(sessions, r.winners.length - 1, 'every 201 is a session')
    // The audit chain is appended under one lock held to commit: its order is commit order.
    const rows = await queryRows<{ resource: string; action: string }>(w.database.db, sql`
      select resource, action from audit_log
      where outcome = 'ok' and ((resource = 'cases' and action = 'U' and ${c.id} = any(record_ids))
        or (resource = 'counselling_sessions' and action = 'C' and record_ids && (select array_agg(id::text) from counselling_sessions where case_id = ${c.id})))
      order by seq`)
    const closedAt = rows.findIndex((x) => x.resource === 'cases')
    t.ok(closedAt >= 0, 'the close is audited')
    t.equal(rows.slice(closedAt + 1).length, 0, 'no session after the close')
  })

  t.test('plan: 50 first plans at once make one plan', async (t) => {
    const c = await openCase()
    const r = await race((i) => call(two[i % 2]!, 'POST', `/api/v1/cases/${c.id}/plan`, { goals: `目标 ${i}`, measures: '每周一次个辅', reviewDate: shanghaiDay(30) }))
    oneWinner(t, r, ['duplicate'], 'plan')
    t.equal(await w.count('intervention_plans', sql`case_id = ${c.id}`), 1)
  })
})
