import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { screeningWorld, shanghaiDay } from '../screening/fixtures.js'
import { recordSafetySteps } from './safety-steps.js'

const STEPS = ['parent_notified', 'escort', 'safety_assessment', 'leader_informed', 'referral_considered']

t.test('crisis events: deadline, acknowledgement, checklist, resolution', async (t) => {
  const w = await screeningWorld({ CRISIS_ACK_MINUTES: 20 })
  const { psych, psych2, psychB, homeroom, mentor, admin, call } = w
  const s = await w.pupil(w.A, w.A.classIds[0])
  await w.pair(mentor, s.id)

  const opened = await call(psych, 'POST', `/api/v1/students/${s.id}/crisis-events`, { summary: '课间发现手臂有划痕' })
  t.equal(opened.statusCode, 201, opened.body)
  const e = opened.json()
  t.match(e, { studentId: s.id, source: 'manual', status: 'open', openedBy: psych.id, escalationLevel: 0, escalatedAt: null, overdue: false, summary: '课间发现手臂有划痕' })
  const minutes = (new Date(e.ackDeadline).getTime() - new Date(e.openedAt).getTime()) / 60_000
  t.equal(Math.round(minutes), 20, 'deadline = opened + CRISIS_ACK_MINUTES')
  t.same(e.checklist.map((c: { item: string; done: boolean }) => [c.item, c.done]), STEPS.map((i) => [i, false]))
  t.equal(e.checklist[0].label, '家长已通知')

  t.test('overdue shows once the deadline has passed; escalation fields are exposed read-only', async (t) => {
    const late = (await call(psych, 'POST', `/api/v1/students/${s.id}/crisis-events`, {})).json()
    await w.database.db.execute(sql`update crisis_events set ack_deadline = now() - interval '1 minute', escalated_at = now(), escalation_level = 1 where id = ${late.id}`)
    const got = (await call(psych, 'GET', `/api/v1/crisis-events/${late.id}`)).json()
    t.match(got, { overdue: true, escalationLevel: 1 })
    t.ok(got.escalatedAt)
    const list = (await call(psych, 'GET', '/api/v1/crisis-events?status=open')).json()
    t.equal(list.total, 2)
    t.equal((await call(psych, 'PATCH', `/api/v1/crisis-events/${late.id}`, { escalationLevel: 0 })).statusCode, 400, 'escalation is the job’s to set')
    t.equal((await call(psych, 'PATCH', `/api/v1/crisis-events/${late.id}`, { status: 'resolved' })).statusCode, 400)
  })

  t.test('resolution needs acknowledgement and the whole checklist', async (t) => {
    const early = await call(psych, 'POST', `/api/v1/crisis-events/${e.id}/resolve`, {})
    t.equal(early.json().code, 'crisis_not_acknowledged')
    const ack = await call(psych2, 'POST', `/api/v1/crisis-events/${e.id}/acknowledge`, {})
    t.equal(ack.statusCode, 200)
    t.match(ack.json(), { status: 'acknowledged', acknowledgedBy: psych2.id, overdue: false })
    t.equal((await call(psych, 'POST', `/api/v1/crisis-events/${e.id}/acknowledge`, {})).json().code, 'crisis_not_open')

    const tick = await call(psych, 'POST', `/api/v1/crisis-events/${e.id}/checklist`, { item: 'parent_notified' })
    t.equal(tick.statusCode, 201)
    t.match(tick.json(), { crisisId: e.id, studentId: s.id, item: 'parent_notified', doneBy: psych.id })
    t.equal((await call(psych, 'POST', `/api/v1/crisis-events/${e.id}/checklist`, { item: 'parent_notified' })).statusCode, 409, 'each step once')
    t.equal((await call(psych, 'POST', `/api/v1/crisis-events/${e.id}/checklist`, { item: 'called_police' })).statusCode, 400)
    const partial = await call(psych, 'POST', `/api/v1/crisis-events/${e.id}/resolve`, {})
    t.equal(partial.json().code, 'crisis_checklist_incomplete')
    t.same(partial.json().details.missing, STEPS.slice(1))
    for (const item of STEPS.slice(1)) t.equal((await call(psych2, 'POST', `/api/v1/crisis-events/${e.id}/checklist`, { item })).statusCode, 201)
    const full = (await call(psych, 'GET', `/api/v1/crisis-events/${e.id}`)).json()
    t.ok(full.checklist.every((c: { done: boolean; doneAt: string }) => c.done && c.doneAt))
    t.equal(full.checklist[1].doneBy, psych2.id)
    // The checklist alone is no longer enough: the safety assessment and who was told come too.
    t.equal((await call(psych, 'POST', `/api/v1/crisis-events/${e.id}/resolve`, {})).json().code, 'crisis_safety_incomplete')
    await recordSafetySteps((m, u, b) => call(psych, m, u, b), e.id, shanghaiDay(7))
    const resolved = await call(psych, 'POST', `/api/v1/crisis-events/${e.id}/resolve`, {})
    t.match(resolved.json(), { status: 'resolved' })
    t.ok(resolved.json().resolvedAt)
    t.equal((await call(psych, 'POST', `/api/v1/crisis-events/${e.id}/checklist`, { item: 'escort' })).json().code, 'crisis_resolved')
  })

  t.test('linking a case: same student only', async (t) => {
    const c = (await call(psych, 'POST', `/api/v1/students/${s.id}/cases`, { source: 'other', riskLevel: 'red' })).json()
    const linked = await call(psych, 'PATCH', `/api/v1/crisis-events/${e.id}`, { caseId: c.id })
    t.equal(linked.json().caseId, c.id)
    const other = await w.pupil(w.A, w.A.classIds[1])
    const c2 = (await call(psych, 'POST', `/api/v1/students/${other.id}/cases`, { source: 'other', riskLevel: 'red' })).json()
    t.equal((await call(psych, 'PATCH', `/api/v1/crisis-events/${e.id}`, { caseId: c2.id })).statusCode, 404)
  })

  t.test('psychology teachers of the school only', async (t) => {
    for (const who of [homeroom, mentor, admin, psychB]) {
      t.equal((await call(who, 'GET', `/api/v1/crisis-events/${e.id}`)).statusCode, 404)
      t.equal((await call(who, 'POST', `/api/v1/crisis-events/${e.id}/acknowledge`, {})).statusCode, 404)
      t.equal((await call(who, 'POST', `/api/v1/crisis-events/${e.id}/checklist`, { item: 'escort' })).statusCode, 404)
    }
    t.equal((await call(homeroom, 'GET', '/api/v1/crisis-events')).statusCode, 403)
    t.equal((await call(psychB, 'GET', '/api/v1/crisis-events')).json().total, 0)
    const rows = await queryRows<{ n: number }>(w.database.db, sql`select count(*)::int as n from audit_log where resource = 'crisis_checklist' and action = 'C' and outcome = 'ok'`)
    t.equal(rows[0]!.n, 5, 'each tick audited')
  })
})
