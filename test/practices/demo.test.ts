import t from '../helpers/tap.js'
import { districts } from '../../db/schema/index.js'
import { DEMO_SCHOOL_CODE, seedDemoIfEmpty } from '../../src/demo/seed.js'
import { DEMO_LETTERBOX_SLUG, DEMO_REPLY_CODE } from '../../src/demo/practices.js'
import { staffingBySchool } from '../../src/modules/practices/staffing.js'
import { buildTestApp, injectAs, login } from '../helpers/app.js'

/** The practices' demo data works through the same routes as real data. */
t.test('demo: the letter box, a reply under the documented code, barometers, room records, staff', async (t) => {
  const { app, database } = await buildTestApp(t)
  await seedDemoIfEmpty(database, { password: 'XinAn-demo-2026' })
  const info = await app.inject({ method: 'GET', url: `/api/v1/letterbox/${DEMO_LETTERBOX_SLUG}` })
  t.same(info.json(), { schoolName: '心安示范学校', open: true, closedMessage: null })
  const reply = await app.inject({ method: 'POST', url: `/api/v1/letterbox/${DEMO_LETTERBOX_SLUG}/replies`, payload: { replyCode: DEMO_REPLY_CODE } })
  t.equal(reply.json().status, 'replied')
  t.match(reply.json().reply, '谢谢你愿意写信来')

  const psych = (await login(app, 'psych.demo', 'XinAn-demo-2026')).accessToken
  const get = (url: string) => injectAs(app, psych, { method: 'GET', url })
  const letters = (await get('/api/v1/letters')).json()
  t.equal(letters.total, 5)
  t.equal(letters.items[0].urgent, true, 'the urgent letter comes first')
  const entries = (await get('/api/v1/barometer?limit=100')).json()
  t.equal(entries.total, 16)
  const classId = entries.items[0].classId
  const trend = (await get(`/api/v1/barometer/classes/${classId}/trend`)).json()
  t.equal(trend.points.length, 8)
  const summary = (await get('/api/v1/counselling-room/summary')).json()
  t.equal(summary.visits.total, 24)
  // Four general sessions here, and three for 特殊群体 students and parents (多帮一, the inspection demo).
  t.equal(summary.groupSessions.total, 7)
  const district = (await database.db.select({ id: districts.id }).from(districts).limit(1))[0]!
  const staffing = await staffingBySchool(database.db, district.id, { timeZone: app.config.TZ_SCHOOL })
  const demo = staffing.find((s) => s.schoolCode === DEMO_SCHOOL_CODE)!
  t.same([demo.fullTime, demo.partTime, demo.certified, demo.trainingHours, demo.ruleHolds], [1, 1, 2, 64, true])
})
