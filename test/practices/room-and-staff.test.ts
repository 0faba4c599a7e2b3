import t from '../helpers/tap.js'
import ExcelJS from 'exceljs'
import { eq } from 'drizzle-orm'
import { auditLog, roomVisits, staffProfiles, students } from '../../db/schema/index.js'
import { staffingBySchool, LARGE_SCHOOL_ENROLMENT } from '../../src/modules/practices/staffing.js'
import { buildTestApp, createSchool, createUser, login, rid } from '../helpers/app.js'
import { as, practiceWorld } from './helpers.js'

/** 心理辅导室 records and 心理健康教师 staffing. */

t.test('counselling room: hours, visits (named and walk-in), group sessions, the inspection summary', async (t) => {
  const { app, database } = await buildTestApp(t)
  const w = await practiceWorld(app, database)
  const { db } = database
  const studentId = await w.student()

  let res = await as(app, w.admin, 'PUT', '/api/v1/counselling-room/settings', { location: '行政楼302', openingHours: '周一至周五 12:00–13:30，16:30–17:30' })
  t.equal(res.statusCode, 200)
  t.equal(res.json().location, '行政楼302')
  res = await as(app, w.psych, 'PUT', '/api/v1/counselling-room/settings', { openingHours: '周一至周五 12:00–13:30' })
  t.same([res.json().location, res.json().openingHours], ['行政楼302', '周一至周五 12:00–13:30'], 'a partial update keeps the rest')
  t.equal((await as(app, w.homeroom, 'GET', '/api/v1/counselling-room/settings')).statusCode, 403)

  // Visits: a named student and an anonymous walk-in.
  res = await as(app, w.psych, 'POST', '/api/v1/counselling-room/visits', { studentId, visitDate: '2026-10-12', durationMin: 40, topic: 'study', followUp: 'revisit' })
  t.equal(res.statusCode, 201)
  const named = res.json()
  t.equal(named.counsellorId, w.psych.id)
  res = await as(app, w.psych, 'POST', '/api/v1/counselling-room/visits', { visitDate: '2026-10-13', durationMin: 20, topic: 'emotion' })
  t.equal(res.statusCode, 201)
  const walkIn = res.json()
  t.equal(walkIn.studentId, null)
  t.equal(walkIn.followUp, 'none')
  await as(app, w.psych, 'POST', '/api/v1/counselling-room/visits', { visitDate: '2026-11-02', durationMin: 30, topic: 'family', followUp: 'case' })
  t.equal((await as(app, w.psych, 'POST', '/api/v1/counselling-room/visits', { visitDate: '2026-02-30', durationMin: 30, topic: 'family' })).statusCode, 400)
  t.equal((await as(app, w.psych, 'POST', '/api/v1/counselling-room/visits', { visitDate: '2026-10-01', durationMin: 30, topic: 'family', counsellorId: w.admin.id })).statusCode, 400)
  const foreign = await (await practiceWorld(app, database, await createSchool(database))).student()
  t.equal((await as(app, w.psych, 'POST', '/api/v1/counselling-room/visits', { studentId: foreign, visitDate: '2026-10-01', durationMin: 30, topic: 'family' })).statusCode, 404)

  res = await as(app, w.psych, 'PATCH', `/api/v1/counselling-room/visits/${named.id}`, { followUp: 'referral', durationMin: 45 })
  t.same([res.json().followUp, res.json().durationMin], ['referral', 45])
  const list = (await as(app, w.psych, 'GET', '/api/v1/counselling-room/visits?from=2026-10-01&to=2026-10-31')).json()
  t.equal(list.total, 2)
  const audits = await db.select().from(auditLog).where(eq(auditLog.resource, 'room_visits'))
  t.ok(audits.some((a) => a.action === 'R' && a.studentIds.includes(studentId)), 'reading a named visit is audited with the student')

  // Group sessions.
  res = await as(app, w.psych, 'POST', '/api/v1/counselling-room/sessions', { sessionDate: '2026-10-20', topic: '考前减压团体辅导', attendance: 24, durationMin: 45 })
  t.equal(res.statusCode, 201)
  t.equal((await as(app, w.psych, 'POST', '/api/v1/counselling-room/sessions', { sessionDate: '2026-10-21', topic: '人际交往', attendance: -1 })).statusCode, 400)
  t.equal((await as(app, w.admin, 'GET', '/api/v1/counselling-room/sessions')).json().total, 1, 'admins list group sessions (no names in them)')
  t.equal((await as(app, w.admin, 'POST', '/api/v1/counselling-room/sessions', { sessionDate: '2026-10-21', topic: 'x', attendance: 1 })).statusCode, 403)

  // Admins: no visit rows at all, only the summary, and it says nothing about who came.
  t.equal((await as(app, w.admin, 'GET', '/api/v1/counselling-room/visits')).statusCode, 403)
  t.equal((await as(app, w.admin, 'GET', `/api/v1/counselling-room/visits/${named.id}`)).statusCode, 404)
  const adminSummary = (await as(app, w.admin, 'GET', '/api/v1/counselling-room/summary')).json()
  t.same(adminSummary.visits, {
    total: 3, minutes: 95, byMonth: { '2026-10': 2, '2026-11': 1 }, byTopic: { study: 1, emotion: 1, family: 1 }, byFollowUp: { referral: 1, none: 1, case: 1 },
  })
  t.notOk('walkIns' in adminSummary.visits, 'who came is not the admin’s to count')
  t.same(adminSummary.groupSessions, { total: 1, attendance: 24, byKind: { general: 1 } }, 'a session without a kind counts as 一般团体辅导')
  t.equal(adminSummary.room.location, '行政楼302')
  t.notMatch(JSON.stringify(adminSummary), studentId)
  // 多帮一: a group for the parents of 特殊群体 students is kept and counted under its own kind.
  res = await as(app, w.psych, 'POST', '/api/v1/counselling-room/sessions', { sessionDate: '2026-11-03', kind: 'special_parents', topic: '家长沙龙', attendance: 12 })
  t.equal(res.json().kind, 'special_parents')
  const parentsGroup = res.json().id as string
  t.equal((await as(app, w.psych, 'POST', '/api/v1/counselling-room/sessions', { sessionDate: '2026-11-03', kind: 'parents', topic: 'x', attendance: 1 })).statusCode, 400)
  t.same((await as(app, w.admin, 'GET', '/api/v1/counselling-room/sessions?kind=special_parents')).json().items.map((i: { id: string }) => i.id), [parentsGroup])
  t.same((await as(app, w.admin, 'GET', '/api/v1/counselling-room/summary')).json().groupSessions,
    { total: 2, attendance: 24 + 12, byKind: { general: 1, special_parents: 1 } })
  const psychSummary = (await as(app, w.psych, 'GET', '/api/v1/counselling-room/summary?from=2026-10-01&to=2026-10-31')).json()
  t.same(psychSummary.visits, { total: 2, minutes: 65, walkIns: 1, byMonth: { '2026-10': 2 }, byTopic: { study: 1, emotion: 1 }, byFollowUp: { referral: 1, none: 1 } })
  t.equal((await as(app, w.homeroom, 'GET', '/api/v1/counselling-room/summary')).statusCode, 403)

  // The archive: the psychology teacher sees the named visit; the admin and homeroom teacher do not.
  const archivePsych = (await as(app, w.psych, 'GET', `/api/v1/students/${studentId}/archive`)).json()
  t.ok(archivePsych.items.some((i: { resource: string; id: string }) => i.resource === 'room_visits' && i.id === named.id))
  for (const who of [w.admin, w.homeroom]) {
    const r = await as(app, who, 'GET', `/api/v1/students/${studentId}/archive`)
    if (r.statusCode === 200) t.notMatch(r.body, named.id, 'no visit in their view of the archive')
    else t.equal(r.statusCode, 404)
  }

  res = await as(app, w.psych, 'DELETE', `/api/v1/counselling-room/visits/${walkIn.id}`)
  t.equal(res.statusCode, 204)
  t.equal(await db.$count(roomVisits), 2)
})

t.test('staff profiles and the district staffing table', async (t) => {
  const { app, database } = await buildTestApp(t)
  const w = await practiceWorld(app, database)
  const { db } = database
  const teacher = await createUser(database, w.school, [{ role: 'psych_teacher' }])

  let res = await as(app, w.admin, 'POST', '/api/v1/staff-profiles', { userId: teacher.id, employment: 'full_time', qualifications: ['国家二级心理咨询师'], trainingHoursYear: 36, trainingYear: 2026 })
  t.equal(res.statusCode, 201)
  const profile = res.json()
  t.same(profile.qualifications, ['国家二级心理咨询师'])
  t.equal((await as(app, w.admin, 'POST', '/api/v1/staff-profiles', { userId: teacher.id, employment: 'part_time' })).statusCode, 409, 'one profile per account')
  res = await as(app, w.admin, 'POST', '/api/v1/staff-profiles', { name: '外聘咨询师', employment: 'part_time', trainingHoursYear: 12, trainingYear: 2026 })
  t.equal(res.statusCode, 201)
  t.equal((await as(app, w.admin, 'POST', '/api/v1/staff-profiles', { employment: 'part_time' })).statusCode, 400, 'an account or a name')
  const otherSchool = await createSchool(database)
  const stranger = await createUser(database, otherSchool, [{ role: 'psych_teacher' }])
  t.equal((await as(app, w.admin, 'POST', '/api/v1/staff-profiles', { userId: stranger.id, employment: 'part_time' })).statusCode, 404)
  t.equal((await as(app, w.admin, 'PATCH', `/api/v1/staff-profiles/${res.json().id}`, { name: null })).statusCode, 400, 'a name-only profile keeps its name')
  t.equal((await as(app, w.psych, 'POST', '/api/v1/staff-profiles', { name: 'x', employment: 'part_time' })).statusCode, 403)
  t.equal((await as(app, w.psych, 'GET', '/api/v1/staff-profiles')).json().total, 2, 'psychology teachers read the staffing of their school')
  t.equal((await as(app, w.homeroom, 'GET', '/api/v1/staff-profiles')).statusCode, 403)
  res = await as(app, w.admin, 'PATCH', `/api/v1/staff-profiles/${profile.id}`, { trainingHoursYear: 40 })
  t.equal(res.json().trainingHoursYear, 40)

  // A large school without a full-time teacher fails the rule; a small one passes whatever its staff.
  const big = await createSchool(database, w.school.districtId)
  const rows = Array.from({ length: LARGE_SCHOOL_ENROLMENT }, (_, i) => ({ schoolId: big.schoolId, classId: big.classIds[i % 2]!, studentNo: `B${i}${rid()}`, name: `学生${i}`, gender: 'M' }))
  for (let i = 0; i < rows.length; i += 500) await db.insert(students).values(rows.slice(i, i + 500))
  await db.insert(staffProfiles).values({ schoolId: big.schoolId, name: '兼职老师', employment: 'part_time', qualifications: [], trainingHoursYear: 8, trainingYear: 2026 })
  const table = await staffingBySchool(db, w.school.districtId, { year: 2026 })
  const mine = table.find((r) => r.schoolId === w.school.schoolId)!
  t.same({ ...mine, schoolCode: undefined, schoolName: undefined }, {
    schoolId: w.school.schoolId, schoolCode: undefined, schoolName: undefined,
    fullTime: 1, partTime: 1, certified: 1, trainingHours: 52, trained: 2, largeSchool: false, ruleHolds: true,
  })
  const large = table.find((r) => r.schoolId === big.schoolId)!
  t.same([large.fullTime, large.partTime, large.largeSchool, large.ruleHolds], [0, 1, true, false])
  t.notOk(table.some((r) => r.schoolId === otherSchool.schoolId), 'only the district’s schools')
  t.same(Object.keys(mine).sort(), ['certified', 'fullTime', 'largeSchool', 'partTime', 'ruleHolds', 'schoolCode', 'schoolId', 'schoolName', 'trained', 'trainingHours'], 'counts only: no names, no enrolment figure')
  t.equal((await staffingBySchool(db, w.school.districtId, { year: 2025 })).find((r) => r.schoolId === w.school.schoolId)!.trainingHours, 0, 'hours count for their year')
  // The district table through the API: the district's staff see counts and the rule per school, no name;
  // a count of one person and one person's training hours are withheld like small student counts.
  const districtUser = await createUser(database, w.school, [{ role: 'district_staff' }])
  const districtToken = (await login(app, districtUser.username)).accessToken
  res = await as(app, { id: districtUser.id, token: districtToken }, 'GET', '/api/v1/district/tables/staffing')
  t.equal(res.statusCode, 200)
  const answer = res.json()
  t.equal(answer.largeSchoolEnrolment, LARGE_SCHOOL_ENROLMENT)
  const d = answer.districts.find((x: { districtId: string }) => x.districtId === w.school.districtId)
  const bySchool = new Map((d.schools as Array<{ schoolId: string; largeSchool: boolean; ruleHolds: boolean }>).map((r) => [r.schoolId, r]))
  t.match(bySchool.get(big.schoolId), { fullTime: { value: 0, suppressed: false }, partTime: { value: null, suppressed: true }, trainingHours: { value: null, suppressed: true }, largeSchool: true, ruleHolds: false }, 'the large school without a full-time teacher fails the rule; its one part-timer and that person\'s 8 hours are withheld')
  t.match(bySchool.get(w.school.schoolId), { fullTime: { value: null, suppressed: true }, partTime: { value: null, suppressed: true }, trainingHours: { value: null, suppressed: true }, ruleHolds: true }, 'counts of one withheld; the hours too, or the total would give the 8 back')
  t.notOk(bySchool.has(otherSchool.schoolId), 'only the district’s own schools')
  t.same([d.total.schools, d.total.ruleHolds, d.total.fullTime, d.total.partTime, d.total.trainingHours], [2, 1, { value: null, suppressed: true }, { value: null, suppressed: true }, { value: 60, suppressed: false }], 'totals of one person are withheld, and 2 part-timers over two withheld schools too (1 + 1 = 2 would give both back)')
  t.notMatch(res.body, /国家二级心理咨询师|外聘咨询师|兼职老师/, 'no qualification text and no name')
  t.equal((await as(app, w.admin, 'GET', '/api/v1/district/tables/staffing')).statusCode, 403, 'a school admin does not read district tables')
  const xlsx = await as(app, { id: districtUser.id, token: districtToken }, 'GET', '/api/v1/district/export.xlsx')
  t.equal(xlsx.statusCode, 200)
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
  const sheet = wb.getWorksheet('心理教师配备 Staffing')
  t.ok(sheet, 'the export carries the staffing sheet too')
  const last = sheet!.getRow(sheet!.rowCount)
  t.same([1, 2, 3, 4, 5, 7].map((c) => last.getCell(c).value), ['全区合计 District', '*', '*', '*', 52 + 8, '1/2'], 'with the district totals (hours: 40 + 12 + 8), withheld counts as *')

  await db.insert(staffProfiles).values({ schoolId: big.schoolId, name: '专职老师', employment: 'full_time', trainingYear: 2026 })
  t.equal((await staffingBySchool(db, w.school.districtId, { timeZone: app.config.TZ_SCHOOL })).find((r) => r.schoolId === big.schoolId)!.ruleHolds, true)

  res = await as(app, w.admin, 'DELETE', `/api/v1/staff-profiles/${profile.id}`)
  t.equal(res.statusCode, 204)
})
