import t from '../helpers/tap.js'
import { seedDemoIfEmpty } from '../../src/demo/seed.js'
import { buildTestApp, injectAs, login } from '../helpers/app.js'

const PASSWORD = 'XinAn-demo-2026'

t.test('the demo shows every support step to the account it belongs to', async (t) => {
  const { app, database } = await buildTestApp(t)
  await seedDemoIfEmpty(database, { password: PASSWORD })
  const token = async (u: string) => (await login(app, u, PASSWORD)).accessToken
  const [psych, homeroom, mentor, monitor, admin] = await Promise.all(['psych.demo', 'homeroom.demo', 'mentor.demo', 'monitor.demo', 'admin.demo'].map(token))
  const get = async (tok: string, url: string) => {
    const r = await injectAs(app, tok!, { method: 'GET', url: `/api/v1${url}` })
    t.equal(r.statusCode, 200, `${url}: ${r.body.slice(0, 120)}`)
    return r.json()
  }

  // Besides the 1:1 pairings, mentor.demo, psych.demo and homeroom.demo each have a place in a 多帮一 team (the inspection demo).
  const pairings = await get(mentor!, '/pairings')
  const oneToOne = pairings.items.filter((p: { teamId: string | null }) => p.teamId === null)
  t.equal(oneToOne.length, 1, 'the mentor sees the active pairing, not the ended one')
  t.match(oneToOne[0], { active: true, purpose: '学业压力疏导与情绪支持' })
  t.equal(pairings.total - oneToOne.length, 1, 'and their place in the team')
  t.equal((await get(mentor!, '/mentor-contacts')).total, 3)
  const all = await get(psych!, '/pairings')
  t.equal(all.items.filter((p: { teamId: string | null }) => p.teamId === null).length, 2)
  t.equal(all.total, 5, 'two 1:1 pairings and three team members')

  const mine = await get(monitor!, '/peer-alerts')
  t.same(mine.items.map((a: { status: string }) => a.status).sort(), ['handled', 'in_progress', 'received', 'received'])
  t.equal((await get(monitor!, '/peer-watch-requests')).total, 1, 'one open watch request')
  // Other modules' demo raises alerts too (a talk flagged 需关注): count the monitor's own.
  const ids = new Set(mine.items.map((a: { id: string }) => a.id))
  const ofMonitor = (page: { items: Array<{ id: string }> }) => page.items.filter((a) => ids.has(a.id)).length
  t.equal(ofMonitor(await get(psych!, '/peer-alerts?overdue=true&limit=500')), 1, 'one alert past its acknowledgement deadline')
  t.equal(ofMonitor(await get(psych!, '/peer-alerts?status=received&limit=500')), 2)

  t.equal((await get(psych!, '/parent-contacts')).total, 4)
  t.ok((await get(psych!, '/parent-contacts')).items.some((c: { notToldReason: string | null }) => c.notToldReason), 'parents deliberately not told, with the reason')
  t.equal((await get(admin!, '/institutions')).total, 3)
  t.equal((await get(admin!, '/home-school-activities')).total, 5)
  t.equal((await get(homeroom!, '/home-school-activities')).total, 3)

  const refs = await get(psych!, '/referrals')
  t.same(refs.items.map((r: { state: string }) => r.state).sort(), ['closed', 'proposed', 'sent'])
  const overdue = await get(psych!, '/referrals?overdue=true')
  t.equal(overdue.total, 1)
  t.equal(overdue.items[0].state, 'sent')
  const closed = refs.items.find((r: { state: string }) => r.state === 'closed')
  t.match(closed, { reassessedRisk: 'yellow', overdue: false })
  const form = await injectAs(app, psych!, { method: 'GET', url: `/api/v1/referrals/${closed.id}/form` })
  t.equal(form.statusCode, 200)
  t.ok(form.body.includes('示范市精神卫生中心'))
  t.equal((await get(psych!, `/referrals/${closed.id}/events`)).total, 7)

  const archive = await get(psych!, `/students/${closed.studentId}/archive`)
  const kinds = new Set(archive.items.map((i: { kind: string }) => i.kind))
  for (const k of ['pairing', 'mentor_contact', 'peer_alert', 'peer_watch', 'parent_contact', 'referral', 'referral_event']) t.ok(kinds.has(k), `archive has ${k}`)
})
