import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { screeningWorld, shanghaiDay } from '../screening/fixtures.js'

t.test('the psychology teacher’s work list', async (t) => {
  const w = await screeningWorld()
  const { psych, psych2, psychB, homeroom, admin, call } = w
  const open = async (who: typeof psych, riskLevel: string) => {
    const s = await w.pupil(w.A, w.A.classIds[0])
    return (await call(who, 'POST', `/api/v1/students/${s.id}/cases`, { source: 'other', riskLevel })).json() as { id: string; studentId: string }
  }
  const green = await open(psych, 'green')
  const red = await open(psych, 'red')
  const yellow = await open(psych, 'yellow')
  const red2 = await open(psych, 'red')
  const closed = await open(psych, 'orange')
  await call(psych, 'POST', `/api/v1/cases/${closed.id}/transition`, { to: 'closed', reason: '无需干预' })
  await call(psych, 'POST', `/api/v1/cases/${yellow.id}/transition`, { to: 'intervening', reason: '开始辅导' })
  const theirs = await open(psych2, 'red')

  // Plans: due in 3 days, overdue, in 20 days, and due but on a closed case.
  await call(psych, 'POST', `/api/v1/cases/${red.id}/plan`, { goals: 'g', measures: 'm', reviewDate: shanghaiDay(3) })
  await call(psych, 'POST', `/api/v1/cases/${yellow.id}/plan`, { goals: 'g', measures: 'm', reviewDate: shanghaiDay(-2) })
  await call(psych, 'POST', `/api/v1/cases/${green.id}/plan`, { goals: 'g', measures: 'm', reviewDate: shanghaiDay(20) })
  await call(psych2, 'POST', `/api/v1/cases/${theirs.id}/plan`, { goals: 'g', measures: 'm', reviewDate: shanghaiDay(7) })
  const late = await call(psych, 'POST', `/api/v1/cases/${red2.id}/plan`, { goals: 'g', measures: 'm', reviewDate: shanghaiDay(1) })
  await call(psych, 'POST', `/api/v1/cases/${red2.id}/transition`, { to: 'closed', reason: '转学' })
  t.equal(late.statusCode, 201)

  // Crises: one open, one acknowledged.
  const c1 = (await call(psych, 'POST', `/api/v1/students/${red.studentId}/crisis-events`, {})).json()
  const c2 = (await call(psych, 'POST', `/api/v1/students/${yellow.studentId}/crisis-events`, {})).json()
  await call(psych, 'POST', `/api/v1/crisis-events/${c2.id}/acknowledge`, {})
  await w.database.db.execute(sql`update crisis_events set ack_deadline = now() - interval '5 minutes' where id = ${c1.id}`)

  const res = await call(psych, 'GET', '/api/v1/worklist')
  t.equal(res.statusCode, 200, res.body)
  const wl = res.json()
  t.equal(wl.today, shanghaiDay())
  t.same(wl.myOpenCases.byRisk, { red: 1, orange: 0, yellow: 1, green: 1 })
  t.same(wl.myOpenCases.items.map((c: { id: string }) => c.id), [red.id, yellow.id, green.id], 'mine, open, by risk')
  t.equal(wl.myOpenCases.items[0].riskLevelText, '高危')
  t.equal(wl.reviewsDue.until, shanghaiDay(7))
  t.same(wl.reviewsDue.items.map((p: { caseId: string }) => p.caseId), [yellow.id, red.id, theirs.id], 'due within 7 days, overdue first, closed cases left out')
  t.same(wl.unacknowledgedCrises.items.map((c: { id: string }) => c.id), [c1.id])
  t.equal(wl.unacknowledgedCrises.items[0].overdue, true)

  const other = (await call(psych2, 'GET', '/api/v1/worklist')).json()
  t.same(other.myOpenCases.items.map((c: { id: string }) => c.id), [theirs.id])
  t.same((await call(psychB, 'GET', '/api/v1/worklist')).json(), { today: shanghaiDay(), myOpenCases: { byRisk: { red: 0, orange: 0, yellow: 0, green: 0 }, items: [] }, reviewsDue: { until: shanghaiDay(7), items: [] }, unacknowledgedCrises: { items: [] } })
  t.equal((await call(homeroom, 'GET', '/api/v1/worklist')).statusCode, 403)
  t.equal((await call(admin, 'GET', '/api/v1/worklist')).statusCode, 403)
})
