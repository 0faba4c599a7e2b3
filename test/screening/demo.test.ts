import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { seedDemoIfEmpty } from '../../src/demo/seed.js'
import { buildTestApp, login } from '../helpers/app.js'

const PASSWORD = 'XinAn-demo-2026'

t.test('demo: a finished campaign with a realistic spread, crises, care list and cases', async (t) => {
  const { app, database } = await buildTestApp(t)
  const started = performance.now()
  t.ok(await seedDemoIfEmpty(database, { password: PASSWORD }))
  t.comment(`whole demo seed: ${Math.round(performance.now() - started)} ms`)
  const { db } = database
  const [school] = await queryRows<{ id: string }>(db, sql`select id from schools where code = 'DEMO-001'`)
  const sid = school!.id

  const campaigns = await queryRows<{ id: string; status: string }>(db, sql`select id, status from screening_campaigns where school_id = ${sid}`)
  t.equal(campaigns.length, 1)
  t.equal(campaigns[0]!.status, 'closed', 'finished')
  const bands = await queryRows<{ band: string; n: number }>(db, sql`
    select r.band, count(*)::int as n from screening_responses r join instruments i on i.id = r.instrument_id
    where r.school_id = ${sid} and i.code = 'PHQ-A' group by r.band`)
  const n = (b: string) => bands.find((x) => x.band === b)?.n ?? 0
  const total = bands.reduce((s, b) => s + b.n, 0)
  t.ok(total > 270 && total < 300, `most of 300 pupils screened (${total})`)
  t.ok((n('minimal') + n('mild')) / total > 0.8, 'most minimal or mild')
  t.ok(n('moderate') + n('moderately_severe') + n('severe') >= 5, 'a few moderate or worse')
  const scoredRight = await queryRows<{ bad: number }>(db, sql`select count(*)::int as bad from screening_responses
    where school_id = ${sid} and total_score <> (select sum(a) from unnest(answers) a)`)
  t.equal(scoredRight[0]!.bad, 0, 'every total is the sum of its answers')

  const safety = await queryRows<{ id: string; crises: number }>(db, sql`
    select r.id, (select count(*)::int from crisis_events c where c.source_ref = r.id and c.source = 'safety_rule') as crises
    from screening_responses r where r.school_id = ${sid} and r.answers[9] >= 1`)
  t.ok(safety.length >= 2 && safety.length <= 3, `${safety.length} pupils with item 9 ≥ 1`)
  t.ok(safety.every((s) => s.crises === 1), 'each with its crisis event')

  const states = await queryRows<{ state: string; n: number }>(db, sql`select state, count(*)::int as n from cases where school_id = ${sid} group by state order by state`)
  t.same(states.map((s) => s.state), ['closed', 'intervening', 'monitoring', 'open'])
  t.ok(states.every((s) => s.n >= 2), 'a few cases in each state')
  const open = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from crisis_events where school_id = ${sid} and status = 'open' and ack_deadline > now()`)
  t.equal(open[0]!.n, 1, 'one open crisis, still within its deadline')

  const psych = (await login(app, 'psych.demo', PASSWORD)).accessToken
  const wl = (await app.inject({ method: 'GET', url: '/api/v1/worklist', headers: { authorization: `Bearer ${psych}` } })).json()
  t.equal(wl.unacknowledgedCrises.items.length, 1)
  t.ok(wl.reviewsDue.items.length >= 2, 'reviews due this week')
  t.ok(wl.myOpenCases.items.length >= 6)
  const cov = (await app.inject({ method: 'GET', url: `/api/v1/screening/campaigns/${campaigns[0]!.id}/coverage`, headers: { authorization: `Bearer ${psych}` } })).json()
  t.ok(cov.totals.rate > 0.9 && cov.totals.rate < 1, `coverage ${cov.totals.rate}`)

  const homeroom = (await login(app, 'homeroom.demo', PASSWORD)).accessToken
  const care = await app.inject({ method: 'GET', url: '/api/v1/care-list', headers: { authorization: `Bearer ${homeroom}` } })
  t.equal(care.statusCode, 200)
  t.ok(care.json().items.length >= 2, 'homeroom.demo sees care-list entries of the class')
  t.ok(care.json().items.every((i: Record<string, unknown>) => !('reason' in i) && !('riskLevel' in i)))
})
