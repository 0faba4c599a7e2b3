import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { students, staffProfiles, terms, holidays } from '../../db/schema/index.js'
import { queryRows, type Database } from '../../src/db/database.js'
import { jobsByName } from '../../src/jobs/jobs.js'
import { runJob } from '../../src/jobs/runner.js'
import { atSchoolTime } from '../../src/lib/school-day.js'
import { firstSchoolDayOfMonth } from '../../src/modules/district/release.js'
import { LARGE_SCHOOL_ENROLMENT, staffingBySchool } from '../../src/modules/practices/staffing.js'
import { buildTestApp, createSchool, createUser, login, type SchoolFixture } from '../helpers/app.js'

/**
 * District figures are frozen, dated releases: reads never recompute; a new release comes from
 * the schedule (first school day of the month) or on demand at most once a week.
 */

type App = Awaited<ReturnType<typeof buildTestApp>>['app']
const get = (app: App, token: string, url: string) => app.inject({ method: 'GET', url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` } })
const post = (app: App, token: string) => app.inject({ method: 'POST', url: '/api/v1/district/releases', headers: { authorization: `Bearer ${token}` } })

async function enrol(database: Database, school: SchoolFixture, n: number, prefix: string) {
  await database.db.insert(students).values(Array.from({ length: n }, (_, i) => ({ schoolId: school.schoolId, classId: school.classIds[0], studentNo: `${prefix}${i}`, name: '乙', gender: 'M' })))
}

/** Moves every release of the district back `days` days, as if that much time had passed. */
async function age(database: Database, districtId: string, days: number) {
  await database.db.execute(sql`update district_releases set released_on = released_on - ${days}::int, created_at = created_at - make_interval(days => ${days}::int) where district_id = ${districtId}`)
}

const enrolled = (res: { json(): unknown }) => (res.json() as { districts: Array<{ total: { enrolled: { value: number | null } } }> }).districts[0]!.total.enrolled.value

t.test('reads serve the frozen release; on demand at most weekly; other roles cannot release', async (t) => {
  const { app, database } = await buildTestApp(t)
  const school = await createSchool(database)
  const staff = await createUser(database, school, [{ role: 'district_staff' }])
  const token = (await login(app, staff.username)).accessToken
  await enrol(database, school, 40, 'A')

  const first = await get(app, token, '/district/tables/screening-coverage')
  t.equal(first.statusCode, 200)
  const body = first.json() as { releaseId: string; releasedOn: string; districts: Array<{ releaseId: string }> }
  t.match(body.releasedOn, /^\d{4}-\d{2}-\d{2}$/, 'the answer is dated')
  t.equal(body.districts[0]!.releaseId, body.releaseId)
  const v1 = enrolled(first)
  t.ok(v1! >= 38 && v1! <= 42, `40 pupils published within ±2 (${v1})`)

  // One pupil changes (here: a new one) within the release period: nothing moves, byte for byte.
  await enrol(database, school, 1, 'B')
  const again = await get(app, token, '/district/tables/screening-coverage')
  t.equal(again.body, first.body, 'a second computation in the same period is the frozen release, identical')
  const list = (await get(app, token, '/district/releases')).json() as { items: Array<{ id: string; trigger: string }>; onDemand: Array<{ allowedFrom: string | null }> }
  t.same(list.items.map((r) => r.trigger), ['first_read'], 'the first read made the one release; reads since made none')
  t.match(list.onDemand[0]!.allowedFrom, /^\d{4}-\d{2}-\d{2}$/, 'the next on-demand release is dated')

  const soon = await post(app, token)
  t.equal(soon.statusCode, 429, 'an on-demand release the same week is refused')
  t.equal(soon.json().code, 'release_too_soon')
  t.match(soon.json().message, /每周最多按需发布一次/)

  for (const role of ['psych_teacher', 'school_admin', 'homeroom_teacher'] as const) {
    const other = await createUser(database, school, [{ role, ...(role === 'homeroom_teacher' ? { classId: school.classIds[0] } : {}) }])
    const res = await post(app, (await login(app, other.username)).accessToken)
    t.equal(res.statusCode, 403, `${role} cannot release`)
  }

  await age(database, school.districtId, 6)
  t.equal((await post(app, token)).statusCode, 429, 'six days later: still too soon')
  await age(database, school.districtId, 1)
  const made = await post(app, token)
  t.equal(made.statusCode, 201, 'seven days later: released')
  const newId = (made.json() as { items: Array<{ id: string; trigger: string }> }).items[0]!
  t.equal(newId.trigger, 'on_demand')
  t.equal((await post(app, token)).statusCode, 429, 'and the next one is a week away again')

  const latest = await get(app, token, '/district/tables/screening-coverage')
  t.equal((latest.json() as { releaseId: string }).releaseId, newId.id, 'reads now serve the new release')
  const v2 = enrolled(latest)
  t.ok(v2! >= 39 && v2! <= 43, `41 pupils published within ±2 (${v2})`)
  const old = await get(app, token, `/district/tables/screening-coverage?release=${body.releaseId}`)
  t.equal(old.statusCode, 200)
  t.equal(enrolled(old), v1, 'an older release from the history reads as it was published')
  const history = (await get(app, token, '/district/releases')).json() as { items: Array<{ id: string }> }
  t.same(history.items.map((r) => r.id), [newId.id, body.releaseId], 'the history keeps both, newest first')

  const audits = await queryRows<{ action: string; record_ids: string[] }>(database.db, sql`
    select action, record_ids from audit_log where resource = 'district_stats' and action = 'C' and outcome = 'ok' order by seq`)
  t.same(audits.map((a) => a.record_ids[0]), [body.releaseId, newId.id], 'each release creation is audited with its id')

  // A release of another district is not found, and neither is a made-up id.
  const otherSchool = await createSchool(database)
  const otherStaff = await createUser(database, otherSchool, [{ role: 'district_staff' }])
  const otherToken = (await login(app, otherStaff.username)).accessToken
  t.equal((await get(app, otherToken, `/district/tables/risk-current?release=${body.releaseId}`)).statusCode, 404)
  t.equal((await get(app, token, '/district/tables/risk-current?release=00000000-0000-4000-8000-000000000000')).statusCode, 404)
})

t.test('the schedule: one release on the first school day of each month', async (t) => {
  const { app, database } = await buildTestApp(t)
  const school = await createSchool(database)
  await enrol(database, school, 15, 'C')
  const job = jobsByName.get('district-release')!
  t.ok(job, 'the job is registered')
  t.equal(job.schedule, '0 6 * * *', 'checked every morning')
  // Term from 2027-03-01 (a Monday); 2027-03-01..03 a holiday: first school day is Thursday 4 March.
  await database.db.insert(terms).values({ schoolId: school.schoolId, schoolYear: '2026-2027', semester: 2, name: '下学期', startDate: '2027-03-01', endDate: '2027-07-10' })
  await database.db.insert(holidays).values({ schoolId: school.schoolId, name: '开学调整', startDate: '2027-03-01', endDate: '2027-03-03' })
  t.equal(await firstSchoolDayOfMonth(database.db, school.districtId, '2027-03-02'), '2027-03-04')
  t.equal(await firstSchoolDayOfMonth(database.db, school.districtId, '2027-01-15'), '2027-01-01', 'no calendar for the month: the 1st')

  const run = (day: string) => runJob(database, job, { now: atSchoolTime(day, '06:00'), config: app.config })
  const count = async () => (await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from district_releases where district_id = ${school.districtId}`))[0]!.n
  t.match(await run('2027-03-03'), { status: 'ok' })
  t.equal(await count(), 0, 'before the first school day: nothing')
  t.match(await run('2027-03-04'), { status: 'ok', counts: { released: 1 } })
  t.equal(await count(), 1, 'on it: one release')
  await run('2027-03-05')
  t.equal(await count(), 1, 'the next morning: still one')
  await run('2027-04-01')
  t.equal(await count(), 2, 'April (no term calendar entry needed: the term covers it, 1 April is a Thursday)')
  const rows = await queryRows<{ released_on: string; trigger: string }>(database.db, sql`select released_on::text, trigger from district_releases order by released_on`)
  t.same(rows, [{ released_on: '2027-03-04', trigger: 'scheduled' }, { released_on: '2027-04-01', trigger: 'scheduled' }])
})

t.test('staffing: counts of one person and one person\'s training hours are withheld', async (t) => {
  const { app, database } = await buildTestApp(t)
  const one = await createSchool(database)
  const three = await createSchool(database, one.districtId)
  const four = await createSchool(database, one.districtId)
  const year = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()))
  const prof = (schoolId: string, employment: string, hours: number, i: number) => ({ schoolId, name: `教师${i}`, employment, trainingHoursYear: hours, trainingYear: year, qualifications: ['心理咨询师三级'] })
  await database.db.insert(staffProfiles).values([
    prof(one.schoolId, 'full_time', 37, 0),
    prof(three.schoolId, 'full_time', 20, 1), prof(three.schoolId, 'full_time', 24, 2), prof(three.schoolId, 'full_time', 30, 3),
    prof(four.schoolId, 'full_time', 10, 4), prof(four.schoolId, 'full_time', 12, 5), prof(four.schoolId, 'part_time', 8, 6), prof(four.schoolId, 'part_time', 6, 7),
  ])
  const staff = await createUser(database, one, [{ role: 'district_staff' }])
  const res = await get(app, (await login(app, staff.username)).accessToken, '/district/tables/staffing')
  t.equal(res.statusCode, 200)
  type C = { value: number | null; suppressed: boolean }
  const d = (res.json() as { districts: Array<{ schools: Array<{ schoolId: string; fullTime: C; partTime: C; certified: C; trainingHours: C }>; total: { fullTime: C; trainingHours: C } }> }).districts[0]!
  const row = (id: string) => d.schools.find((s) => s.schoolId === id)!
  t.same(row(one.schoolId).fullTime, { value: null, suppressed: true }, 'the one-teacher school\'s "1 full-time" is withheld')
  t.same(row(one.schoolId).certified, { value: null, suppressed: true })
  t.same(row(one.schoolId).trainingHours, { value: null, suppressed: true }, 'and that teacher\'s 37 training hours')
  t.notMatch(res.body, /"value":37/, 'the hours appear nowhere')
  t.same(row(three.schoolId).fullTime, { value: 3, suppressed: false })
  t.same(row(four.schoolId).partTime, { value: 2, suppressed: false })
  // The district total minus the shown schools must not give the one teacher back.
  const hiddenHours = d.schools.filter((s) => s.trainingHours.suppressed).length
  t.ok(hiddenHours >= 2 || d.total.trainingHours.suppressed, 'a second school (or the total) is withheld with it')
  const hiddenFull = d.schools.filter((s) => s.fullTime.suppressed).length
  t.ok(hiddenFull >= 2 || d.total.fullTime.suppressed, 'full-time counts: the same for the total')
})

t.test('staffing: the release\'s own enrolment counts decide which schools are large', async (t) => {
  const { app, database } = await buildTestApp(t)
  const big = await createSchool(database)
  const small = await createSchool(database, big.districtId)
  await enrol(database, big, LARGE_SCHOOL_ENROLMENT, 'B')
  await enrol(database, small, LARGE_SCHOOL_ENROLMENT - 1, 'S')
  // A withdrawn pupil does not count: the small school stays one short.
  await database.db.insert(students).values({ schoolId: small.schoolId, classId: small.classIds[0], studentNo: 'S-left', name: '丙', gender: 'F', status: 'withdrawn' })
  const staff = await createUser(database, big, [{ role: 'district_staff' }])
  const res = await get(app, (await login(app, staff.username)).accessToken, '/district/tables/staffing')
  t.equal(res.statusCode, 200)
  const d = (res.json() as { districts: Array<{ schools: Array<{ schoolId: string; largeSchool: boolean; ruleHolds: boolean }>; total: { ruleHolds: number } }> }).districts[0]!
  const row = (id: string) => d.schools.find((s) => s.schoolId === id)!
  t.match(row(big.schoolId), { largeSchool: true, ruleHolds: false }, `${LARGE_SCHOOL_ENROLMENT} enrolled and no full-time teacher: the rule fails`)
  t.match(row(small.schoolId), { largeSchool: false, ruleHolds: true }, 'one pupil fewer: a small school, which always passes')
  t.equal(d.total.ruleHolds, 1)
  // The same flags as the staffing query counting enrolment itself.
  const own = await staffingBySchool(database.db, big.districtId, { year: new Date().getUTCFullYear() })
  t.same(d.schools.map((s) => [s.schoolId, s.largeSchool]).sort(), own.map((s) => [s.schoolId, s.largeSchool]).sort())
})

t.test('the district page asks for every table at once: one first release, every answer 200', async (t) => {
  // The test database's pool has 5 connections; the page's 7 tables and 3 more readers exceed it.
  const { app, database } = await buildTestApp(t)
  const school = await createSchool(database)
  const staff = await createUser(database, school, [{ role: 'district_staff' }])
  const token = (await login(app, staff.username)).accessToken
  await enrol(database, school, 30, 'C')
  const tables = ['risk-current', 'risk-by-year', 'screening-coverage', 'talk-compliance', 'home-school-activities', 'referrals', 'crisis-response']
  const started = Date.now()
  const answers = await Promise.all([...tables, ...tables.slice(0, 3)].map((name) => get(app, token, `/district/tables/${name}`)))
  t.same(answers.map((r) => r.statusCode), Array(10).fill(200), 'every request answered')
  t.ok(Date.now() - started < 8_000, `none waited for a statement limit (${Date.now() - started} ms for all)`)
  t.equal(new Set(answers.map((r) => (r.json() as { releaseId: string }).releaseId)).size, 1, 'all from one release')
  const list = (await get(app, token, '/district/releases')).json() as { items: Array<{ trigger: string }> }
  t.same(list.items.map((r) => r.trigger), ['first_read'], 'one release made')
})
