import t from '../helpers/tap.js'
import ExcelJS from 'exceljs'
import { inspectionVisits, leadershipMeetings, leadershipMembers, rectificationItems, students, yearlyPlans } from '../../db/schema/index.js'
import { addDays, schoolDay } from '../../src/lib/school-day.js'
import { checklistById } from '../../src/modules/inspection/checklists/index.js'
import { evaluateSelfCheck } from '../../src/modules/inspection/self-check/facts.js'
import { sharedTestApp, createSchool, createUser, injectAs, login, rid, type SchoolFixture } from '../helpers/app.js'

/**
 * 督导汇总 for the district: per checklist item, schools that meet it and schools with open
 * 整改 problems past their deadline, checked against counts made here from the records
 * inserted; and no answer (JSON or .xlsx) carries a student's id or name, or any person's.
 */
t.test('district inspection summary: counts per item and per school, scope, no person in JSON or xlsx', async (t) => {
  const { app, database, config } = await sharedTestApp()
  const { db } = database
  const a = await createSchool(database)
  const b = await createSchool(database, a.districtId)
  const elsewhere = await createSchool(database)
  const today = schoolDay(new Date(), config.TZ_SCHOOL)
  // The self-check's period (a school year); overdue is reckoned as of today whatever the period.
  const from = '2026-09-01'
  const to = '2027-07-15'

  // School A keeps the records of item 1 (组织保障): its leader, two meetings, the plan and budget; school B none.
  await db.insert(leadershipMembers).values({ schoolId: a.schoolId, name: '校长', post: '校长', groupRole: 'leader', since: '2026-01-01' })
  await db.insert(leadershipMeetings).values([{ schoolId: a.schoolId, meetingDate: '2026-09-10', topic: '部署' }, { schoolId: a.schoolId, meetingDate: '2026-10-10', topic: '推进' }])
  await db.insert(yearlyPlans).values({ schoolId: a.schoolId, schoolYear: '2026-2027', budgetYuan: '1000', adoptedOn: '2026-09-01', title: '工作方案' })

  // Students with canary names in every school: nothing of them may reach the district.
  const canaries: string[] = []
  for (const s of [a, b, elsewhere]) {
    const name = `金丝雀${rid()}`
    const row = (await db.insert(students).values({ schoolId: s.schoolId, classId: s.classIds[0], studentNo: `N${rid()}`, name, gender: 'F', birthDate: '2012-03-04' }).returning())[0]!
    canaries.push(name, row.id, row.studentNo)
  }

  // 整改 problems: open past deadline, open not yet due, rectified past deadline.
  const personCanary = `责任人${rid()}`
  canaries.push(personCanary)
  type P = { school: SchoolFixture; code: string; deadline: string; status: 'open' | 'rectified' }
  const problems: P[] = [
    { school: a, code: '2', deadline: addDays(today, -3), status: 'open' },
    { school: a, code: '2', deadline: addDays(today, -1), status: 'open' },
    { school: a, code: '10', deadline: addDays(today, 5), status: 'open' },
    { school: a, code: '4', deadline: today, status: 'open' },
    { school: b, code: '2', deadline: addDays(today, -10), status: 'open' },
    { school: b, code: '6', deadline: addDays(today, -10), status: 'rectified' },
    { school: elsewhere, code: '2', deadline: addDays(today, -10), status: 'open' },
  ]
  const visits = new Map<string, string>()
  for (const s of [a, b, elsewhere]) {
    const inspector = `督学${rid()}`
    canaries.push(inspector)
    visits.set(s.schoolId, (await db.insert(inspectionVisits).values({ schoolId: s.schoolId, visitedOn: addDays(today, -40), inspectorName: inspector }).returning())[0]!.id)
  }
  for (const p of problems) {
    await db.insert(rectificationItems).values({
      schoolId: p.school.schoolId, visitId: visits.get(p.school.schoolId)!, itemCode: p.code, problem: `问题${rid()}`, responsibleName: personCanary,
      deadline: p.deadline, status: p.status, ...(p.status === 'rectified' ? { rectifiedOn: p.deadline } : {}),
    })
  }

  const staff = await createUser(database, a, [{ role: 'district_staff' }])
  const token = (await login(app, staff.username)).accessToken
  const admin = await createUser(database, a, [{ role: 'school_admin' }])
  const adminToken = (await login(app, admin.username)).accessToken
  const url = `/api/v1/district/inspection-summary?from=${from}&to=${to}`
  const res = await injectAs(app, token, { method: 'GET', url })
  t.equal(res.statusCode, 200, res.body)
  const body = res.json()

  // Expected figures, from the records above and each school's own self-check.
  const mine = [a, b]
  const checklist = checklistById()!
  const overdueOf = (s: SchoolFixture, code?: string) => problems.filter((p) => p.school === s && p.status === 'open' && p.deadline < today && (code === undefined || p.code === code)).length
  const met = new Map<string, Set<string>>()
  for (const s of mine) {
    const r = await evaluateSelfCheck(db, s.schoolId, { from, to, label: 'x' }, checklist.id, { today, timeZone: config.TZ_SCHOOL })
    met.set(s.schoolId, new Set(r.items.filter((i) => i.status === 'met').map((i) => i.code)))
  }
  t.ok(met.get(a.schoolId)!.has('1') && !met.get(b.schoolId)!.has('1'), 'item 1 is met in school A only, by its records')
  t.equal(body.schools, 2, 'the district\'s two schools, not the other district\'s')
  t.same(body.bySchool.map((s: { schoolId: string }) => s.schoolId).sort(), mine.map((s) => s.schoolId).sort())
  t.same(body.items.map((i: { code: string }) => i.code), checklist.items.map((i) => i.code), 'every checklist item in order')
  for (const item of checklist.items) {
    const got = body.items.find((i: { code: string }) => i.code === item.code)
    t.equal(got.schoolsOverdue, mine.filter((s) => overdueOf(s, item.code) > 0).length, `item ${item.code}: schools with overdue problems`)
    t.equal(got.schoolsMet, mine.filter((s) => met.get(s.schoolId)!.has(item.code)).length, `item ${item.code}: schools that meet it`)
  }
  t.equal(body.items.find((i: { code: string }) => i.code === '2').schoolsOverdue, 2, 'item 2 is overdue in both schools')
  t.equal(body.items.find((i: { code: string }) => i.code === '1').schoolsMet, 1, 'item 1 is met in one school')
  for (const s of mine) {
    const got = body.bySchool.find((x: { schoolId: string }) => x.schoolId === s.schoolId)
    t.equal(got.overdueProblems, overdueOf(s), 'overdue problems of the school')
    t.equal(got.openProblems, problems.filter((p) => p.school === s && p.status === 'open').length, 'open problems of the school')
    t.equal(got.itemsMet, met.get(s.schoolId)!.size)
  }

  // The export: the same counts, in Chinese.
  const x = await injectAs(app, token, { method: 'GET', url: `/api/v1/district/inspection-summary.xlsx?from=${from}&to=${to}` })
  t.equal(x.statusCode, 200)
  t.match(x.headers['content-type'], /spreadsheetml/)
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer)
  const byItem = wb.getWorksheet('按督导项目')!
  t.same(byItem.getRow(3).values, [undefined, '序号', '考核要点', '达标学校数', '未达标学校数', '有逾期整改问题的学校数'])
  const row2 = byItem.getRow(4 + checklist.items.findIndex((i) => i.code === '2')).values as unknown[]
  t.same(row2.slice(1), ['2', checklist.items.find((i) => i.code === '2')!.point, body.items[1].schoolsMet, 2 - body.items[1].schoolsMet, 2])
  let text = ''
  wb.eachSheet((ws) => ws.eachRow((r) => { text += JSON.stringify(r.values) }))

  // Canary scan: no student, no person, in any answer.
  for (const c of canaries) {
    t.notOk(res.body.includes(c), 'the JSON carries no student or person')
    t.notOk(text.includes(c), 'the workbook carries no student or person')
  }

  // Scope and input.
  t.equal((await injectAs(app, adminToken, { method: 'GET', url })).statusCode, 403, 'a school admin has no district summary')
  t.equal((await injectAs(app, token, { method: 'GET', url: `/api/v1/district/inspection-summary?from=${to}&to=${from}` })).json().code, 'date_range_invalid')
  t.equal((await injectAs(app, token, { method: 'GET', url: `/api/v1/district/inspection-summary?from=${addDays(today, -800)}&to=${to}` })).json().code, 'period_too_long')
  t.equal((await injectAs(app, token, { method: 'GET', url: '/api/v1/district/inspection-summary' })).statusCode, 400)
})
