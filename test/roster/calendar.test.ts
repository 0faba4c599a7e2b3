import t from '../helpers/tap.js'
import { eq } from 'drizzle-orm'
import { holidays, terms } from '../../db/schema/index.js'
import { rosterWorld } from './fixtures.js'

t.test('school calendar', async (t) => {
  const w = await rosterWorld()
  const { B, admin, adminB, psych, homeroom, monitor, mentor, call } = w

  t.test('terms CRUD with one audit row per write', async (t) => {
    let before = await w.auditCount()
    const res = await call(admin, 'POST', '/api/v1/calendar/terms', { schoolYear: '2026-2027', semester: 1, startDate: '2026-09-01', endDate: '2027-01-22' })
    t.equal(res.statusCode, 201)
    t.match(res.json(), { schoolYear: '2026-2027', semester: 1, name: '2026-2027学年上学期', startDate: '2026-09-01', endDate: '2027-01-22' })
    t.equal(await w.auditCount(), before + 1)
    t.match(await w.lastAudit(), { action: 'C', resource: 'terms' })
    const id = res.json().id as string
    await call(admin, 'POST', '/api/v1/calendar/terms', { schoolYear: '2026-2027', semester: 2, startDate: '2027-02-22', endDate: '2027-07-09' })

    const list = await call(admin, 'GET', '/api/v1/calendar/terms')
    t.same(list.json().items.map((i: { semester: number }) => i.semester), [2, 1], 'latest first')
    t.equal((await call(psych, 'GET', '/api/v1/calendar/terms')).json().total, 2)
    t.equal((await call(homeroom, 'GET', '/api/v1/calendar/terms')).json().total, 2)
    t.equal((await call(adminB, 'GET', '/api/v1/calendar/terms')).json().total, 0)

    const dup = await call(admin, 'POST', '/api/v1/calendar/terms', { schoolYear: '2026-2027', semester: 1, startDate: '2026-09-01', endDate: '2027-01-20' })
    t.equal(dup.statusCode, 409)
    const bad = await call(admin, 'PATCH', `/api/v1/calendar/terms/${id}`, { endDate: '2026-08-01' })
    t.equal(bad.statusCode, 400)
    t.equal(bad.json().code, 'date_range_invalid')
    t.equal((await call(admin, 'POST', '/api/v1/calendar/terms', { schoolYear: '2026-2028', semester: 1, startDate: '2026-09-01', endDate: '2027-01-22' })).statusCode, 400)

    before = await w.auditCount()
    const upd = await call(admin, 'PATCH', `/api/v1/calendar/terms/${id}`, { endDate: '2027-01-29', name: '秋季学期' })
    t.equal(upd.statusCode, 200)
    t.match(upd.json(), { endDate: '2027-01-29', name: '秋季学期' })
    t.equal(await w.auditCount(), before + 1)

    t.equal((await call(homeroom, 'PATCH', `/api/v1/calendar/terms/${id}`, { name: 'x' })).statusCode, 404)
    t.equal((await call(homeroom, 'POST', '/api/v1/calendar/terms', { schoolYear: '2027-2028', semester: 1, startDate: '2027-09-01', endDate: '2028-01-22' })).statusCode, 403)
    t.equal((await call(adminB, 'PATCH', `/api/v1/calendar/terms/${id}`, { name: 'x' })).statusCode, 404)
    t.equal((await call(adminB, 'DELETE', `/api/v1/calendar/terms/${id}`)).statusCode, 404)
    t.equal((await w.database.db.select().from(terms).where(eq(terms.id, id)))[0]!.name, '秋季学期')

    before = await w.auditCount()
    t.equal((await call(admin, 'DELETE', `/api/v1/calendar/terms/${id}`)).statusCode, 204)
    t.equal(await w.auditCount(), before + 1)
    t.match(await w.lastAudit(), { action: 'D', record_ids: [id] })
  })

  t.test('holidays CRUD, date window, scope', async (t) => {
    let before = await w.auditCount()
    const nd = await call(admin, 'POST', '/api/v1/calendar/holidays', { name: '国庆节', kind: 'national_day', startDate: '2026-10-01', endDate: '2026-10-07', major: true })
    t.equal(nd.statusCode, 201)
    t.match(nd.json(), { name: '国庆节', kind: 'national_day', major: true })
    t.equal(await w.auditCount(), before + 1)
    await call(admin, 'POST', '/api/v1/calendar/holidays', { name: '元旦', startDate: '2027-01-01', endDate: '2027-01-03' })
    await call(admin, 'POST', '/api/v1/calendar/holidays', { name: '寒假', kind: 'winter', startDate: '2027-01-23', endDate: '2027-02-21', major: true })
    const all = (await call(admin, 'GET', '/api/v1/calendar/holidays')).json()
    t.same(all.items.map((h: { name: string }) => h.name), ['国庆节', '元旦', '寒假'])
    t.equal(all.items[1].kind, 'other')
    t.equal(all.items[1].major, false)
    const win = (await call(psych, 'GET', '/api/v1/calendar/holidays?from=2027-01-02&to=2027-01-31')).json()
    t.same(win.items.map((h: { name: string }) => h.name), ['元旦', '寒假'])
    t.equal((await call(admin, 'POST', '/api/v1/calendar/holidays', { name: '元旦', startDate: '2027-01-01', endDate: '2027-01-03' })).statusCode, 409)
    t.equal((await call(admin, 'POST', '/api/v1/calendar/holidays', { name: '坏', startDate: '2027-01-05', endDate: '2027-01-03' })).statusCode, 400)
    t.equal((await call(admin, 'POST', '/api/v1/calendar/holidays', { name: '坏', kind: 'party', startDate: '2027-01-01', endDate: '2027-01-03' })).statusCode, 400)

    const id = nd.json().id as string
    before = await w.auditCount()
    const upd = await call(admin, 'PATCH', `/api/v1/calendar/holidays/${id}`, { endDate: '2026-10-08' })
    t.equal(upd.statusCode, 200)
    t.equal(upd.json().endDate, '2026-10-08')
    t.equal(await w.auditCount(), before + 1)
    t.equal((await call(adminB, 'PATCH', `/api/v1/calendar/holidays/${id}`, { major: false })).statusCode, 404)
    t.equal((await w.database.db.select().from(holidays).where(eq(holidays.id, id)))[0]!.major, true)
    t.equal((await call(mentor, 'GET', '/api/v1/calendar/holidays')).statusCode, 403)
    t.equal((await call(monitor, 'GET', '/api/v1/calendar/holidays')).statusCode, 403)
    t.equal((await call(adminB, 'GET', '/api/v1/calendar/holidays')).json().total, 0)
    t.ok(B.schoolId)

    before = await w.auditCount()
    t.equal((await call(admin, 'DELETE', `/api/v1/calendar/holidays/${id}`)).statusCode, 204)
    t.equal(await w.auditCount(), before + 1)
    t.equal((await call(admin, 'DELETE', `/api/v1/calendar/holidays/${id}`)).statusCode, 404)
  })
})
