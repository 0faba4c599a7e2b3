import t from '../helpers/tap.js'
import ExcelJS from 'exceljs'
import { and, eq, sql } from 'drizzle-orm'
import { classes, holidays, lessonRecords, terms } from '../../db/schema/index.js'
import { queryRows } from '../../src/db/database.js'
import { lessonCountsByClass, LESSON_RULES } from '../../src/modules/inspection/lessons-summary.js'
import { supportWorld } from '../support/fixtures.js'

/** 课程与活动: quick entry, the timetable in bulk, the per-class summary, themed activities. */

const TERM = { start: '2026-09-01', end: '2027-01-22' }
const HOLIDAY = { start: '2026-10-01', end: '2026-10-07' }

/** Days from `from` to `to` (inclusive) as 'YYYY-MM-DD'. */
function daysBetween(from: string, to: string): string[] {
  const out: string[] = []
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) out.push(d.toISOString().slice(0, 10))
  return out
}
const isoWeekday = (day: string) => ((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7) + 1
const inTermNotHoliday = (day: string) => day >= TERM.start && day <= TERM.end && !(day >= HOLIDAY.start && day <= HOLIDAY.end)
const mondayOf = (day: string) => { const d = new Date(`${day}T00:00:00Z`); d.setUTCDate(d.getUTCDate() - isoWeekday(day) + 1); return d.toISOString().slice(0, 10) }

t.test('lessons: quick entry, timetable, summary against the rules', async (t) => {
  const w = await supportWorld()
  const { db } = w.database
  const [c1, c2] = w.A.classIds as [string, string]
  await db.insert(terms).values({ schoolId: w.A.schoolId, schoolYear: '2026-2027', semester: 1, name: '2026-2027学年第一学期', startDate: TERM.start, endDate: TERM.end })
  await db.insert(holidays).values({ schoolId: w.A.schoolId, name: '国庆节', kind: 'national_day', startDate: HOLIDAY.start, endDate: HOLIDAY.end, major: true })

  // Quick entry by the homeroom teacher, for their own class.
  const day = '2026-11-02'
  let res = await w.call(w.homeroom, 'POST', '/api/v1/lessons', {
    classId: c1, heldOn: day, lessons: [{ kind: 'life_safety' }, { kind: 'mental_health', periods: 1, topic: '认识情绪' }, { kind: 'sunshine' }],
  })
  t.equal(res.statusCode, 201, res.body)
  const items = res.json().items as Array<Record<string, unknown>>
  t.same(items.map((i) => i.kind).sort(), ['life_safety', 'mental_health', 'sunshine'])
  t.ok(items.every((i) => i.classId === c1 && i.heldOn === day && i.teacherId === w.homeroom.id && i.source === 'manual'))
  t.equal((await w.lastAudit('lesson_records')).action, 'C')

  // The same kind on the same day again: 409 naming the field, and nothing of the batch kept.
  res = await w.call(w.homeroom, 'POST', '/api/v1/lessons', { classId: c1, heldOn: day, lessons: [{ kind: 'class_meeting' }, { kind: 'mental_health' }] })
  t.equal(res.statusCode, 409)
  t.equal(res.json().code, 'duplicate')
  t.same(res.json().details?.fields, ['kind'])
  t.match(res.json().message, /课程记录/)
  t.equal((await db.select().from(lessonRecords).where(and(eq(lessonRecords.classId, c1), eq(lessonRecords.kind, 'class_meeting')))).length, 0, 'the batch is one transaction')

  res = await w.call(w.homeroom, 'POST', '/api/v1/lessons', { classId: c2, heldOn: day, lessons: [{ kind: 'sunshine' }] })
  t.equal(res.statusCode, 404, 'another class is not the homeroom teacher’s')
  res = await w.call(w.psych, 'POST', '/api/v1/lessons', { classId: w.B.classIds[0], heldOn: day, lessons: [{ kind: 'sunshine' }] })
  t.equal(res.statusCode, 404, 'another school’s class')
  res = await w.call(w.homeroom, 'POST', '/api/v1/lessons', { classId: c1, heldOn: '2099-01-05', lessons: [{ kind: 'sunshine' }] })
  t.equal(res.statusCode, 400)
  t.same(res.json().details?.fields, ['heldOn'])
  res = await w.call(w.homeroom, 'POST', '/api/v1/lessons', { classId: c1, heldOn: '2026-11-03', lessons: [{ kind: 'sunshine' }, { kind: 'sunshine' }] })
  t.equal(res.statusCode, 400, 'one kind once a day')
  res = await w.call(w.homeroom, 'POST', '/api/v1/lessons', { classId: c1, heldOn: '2026-11-03', lessons: [{ kind: 'sunshine', periods: 11 }] })
  t.equal(res.statusCode, 400)
  for (const who of [w.mentor, w.monitor, w.district]) {
    t.not((await w.call(who, 'POST', '/api/v1/lessons', { classId: c1, heldOn: '2026-11-03', lessons: [{ kind: 'sunshine' }] })).statusCode, 201)
  }
  res = await w.call(w.psych, 'POST', '/api/v1/lessons', { classId: c2, heldOn: day, lessons: [{ kind: 'mental_health', periods: 2 }] })
  t.equal(res.statusCode, 201, 'a psychology teacher records for any class of the school')
  const c2Lesson = res.json().items[0].id as string

  // Lists: the homeroom teacher sees their class only.
  const hrList = (await w.call(w.homeroom, 'GET', '/api/v1/lessons?limit=100')).json()
  t.equal(hrList.total, 3)
  t.ok(hrList.items.every((i: { classId: string }) => i.classId === c1))
  t.equal((await w.call(w.homeroom, 'DELETE', `/api/v1/lessons/${c2Lesson}`)).statusCode, 404)
  res = await w.call(w.psych, 'PATCH', `/api/v1/lessons/${c2Lesson}`, { topic: '学会求助' })
  t.equal(res.json().topic, '学会求助')

  // The timetable: Mondays 生命安全, every other Wednesday 心理健康 (2 课时), Fridays 主题班会 — September and October.
  const from = '2026-09-01'
  const to = '2026-10-31'
  const pattern = [
    { weekday: 1, kind: 'life_safety' },
    { weekday: 3, kind: 'mental_health', periods: 2, everyOtherWeek: true },
    { weekday: 5, kind: 'class_meeting' },
  ]
  // One lesson entered by hand in that range already: kept, counted as existing.
  await w.call(w.homeroom, 'POST', '/api/v1/lessons', { classId: c1, heldOn: '2026-09-07', lessons: [{ kind: 'life_safety', topic: '防溺水' }] })
  const anchor = mondayOf(from)
  const expectedDays = daysBetween(from, to).filter(inTermNotHoliday).flatMap((d) => pattern
    .filter((p) => p.weekday === isoWeekday(d))
    .filter((p) => !p.everyOtherWeek || ((Date.parse(d) - Date.parse(anchor)) / 86_400_000 / 7) % 2 < 1)
    .map((p) => ({ d, ...p })))
  const planned = expectedDays.length * 2
  t.ok(planned > 20, `the pattern gives lessons (${planned})`)
  res = await w.call(w.psych, 'POST', '/api/v1/lessons/timetable', { classIds: [c1, c2], from, to, pattern, dryRun: true })
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json(), { dryRun: true, planned, existing: 1, created: 0 })
  t.equal(res.json().schoolDays, daysBetween(from, to).filter((d) => inTermNotHoliday(d) && isoWeekday(d) <= 5).length)
  const before = await db.$count(lessonRecords)
  t.equal(before, await db.$count(lessonRecords), 'a dry run writes nothing')
  res = await w.call(w.psych, 'POST', '/api/v1/lessons/timetable', { classIds: [c1, c2], from, to, pattern })
  t.match(res.json(), { dryRun: false, planned, existing: 1, created: planned - 1 })
  t.equal((await w.lastAudit('lesson_records')).record_ids.length, planned - 1, 'one audit row names every lesson written')
  const kept = (await db.select().from(lessonRecords).where(and(eq(lessonRecords.classId, c1), eq(lessonRecords.heldOn, '2026-09-07'))))[0]!
  t.same([kept.topic, kept.source], ['防溺水', 'manual'], 'the hand-entered lesson is left as it was')
  const holidayRows = await queryRows(db, sql`select 1 from lesson_records where school_id = ${w.A.schoolId} and held_on between ${HOLIDAY.start} and ${HOLIDAY.end}`)
  t.equal(holidayRows.length, 0, 'no lesson on a holiday')
  res = await w.call(w.psych, 'POST', '/api/v1/lessons/timetable', { classIds: [c1, c2], from, to, pattern })
  t.match(res.json(), { planned, existing: planned, created: 0 }, 'running it again adds nothing')
  res = await w.call(w.homeroom, 'POST', '/api/v1/lessons/timetable', { classIds: [c1, c2], from, to, pattern, dryRun: true })
  t.equal(res.statusCode, 404, 'a homeroom teacher cannot enter another class’s timetable')
  res = await w.call(w.psych, 'POST', '/api/v1/lessons/timetable', { classIds: [c1], from: to, to: from, pattern })
  t.equal(res.statusCode, 400)

  // The summary for November: what was recorded, against the rules.
  const nov = { from: '2026-11-01', to: '2026-11-30' }
  res = await w.call(w.psych, 'GET', `/api/v1/lessons/summary?from=${nov.from}&to=${nov.to}`)
  t.equal(res.statusCode, 200, res.body)
  const summary = res.json()
  t.same(summary.classes.map((c: { classId: string }) => c.classId), [c1, c2])
  const novDays = daysBetween(nov.from, nov.to).filter((d) => inTermNotHoliday(d) && isoWeekday(d) <= 5)
  const novWeeks = new Set(novDays.map(mondayOf).filter((m) => m >= nov.from)).size
  const m1 = summary.classes[0].months[0]
  t.same([m1.month, m1.schoolDays, m1.schoolWeeks], ['2026-11', novDays.length, novWeeks])
  const rows = await db.select().from(lessonRecords).where(and(eq(lessonRecords.classId, c1), sql`${lessonRecords.heldOn} between ${nov.from} and ${nov.to}`))
  for (const kind of ['life_safety', 'mental_health', 'class_meeting', 'sunshine'] as const) {
    const mine = rows.filter((r) => r.kind === kind)
    t.same(m1.kinds[kind], { lessons: mine.length, periods: mine.reduce((n, r) => n + r.periods, 0) }, `${kind} counted`)
  }
  const short = summary.classes[0].shortfalls as Array<{ kind: string; held: number; required: number }>
  const mh = short.find((s) => s.kind === 'mental_health')
  const mhPeriods = rows.filter((r) => r.kind === 'mental_health').reduce((n, r) => n + r.periods, 0)
  t.same(mh && [mh.held, mh.required], [mhPeriods, LESSON_RULES.mental_health.required({ schoolDays: novDays.length, schoolWeeks: novWeeks })],
    '心理健康教育 below 2 课时 a month is flagged')
  t.notOk(summary.classes[1].shortfalls.some((s: { kind: string }) => s.kind === 'mental_health'), 'the class with 2 课时 is not')
  t.same(await lessonCountsByClass(db, w.A.schoolId, nov.from, nov.to), summary.classes, 'the building block gives the same figures')

  // The same figures as a workbook, with the shortfall in words.
  res = await w.call(w.psych, 'GET', `/api/v1/lessons/summary.xlsx?from=${nov.from}&to=${nov.to}`)
  t.equal(res.statusCode, 200)
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
  const sheet = wb.worksheets[0]!
  const c1Row = sheet.getSheetValues().find((r) => Array.isArray(r) && r[1] === summary.classes[0].className && r[2] === '2026-11') as unknown[]
  const mhCol = 5 + 2 * 1
  t.same([c1Row?.[3], c1Row?.[mhCol], c1Row?.[mhCol + 1]], [novDays.length, m1.kinds.mental_health.lessons, m1.kinds.mental_health.periods], 'the workbook row is the summary’s')
  const shortCol = 5 + 2 * 4 // 班级, 月份, 在校日, 教学周, then two columns per kind, then 未达要求
  t.match(String(c1Row?.[shortCol] ?? ''), `${summary.classes[0].className} 2026年11月心理健康教育 ${mhPeriods} 课时，低于每月 2 课时`)
  t.equal((await w.call(w.mentor, 'GET', `/api/v1/lessons/summary.xlsx?from=${nov.from}&to=${nov.to}`)).statusCode, 403)

  res = await w.call(w.homeroom, 'GET', `/api/v1/lessons/summary?from=${nov.from}&to=${nov.to}`)
  t.same(res.json().classes.map((c: { classId: string }) => c.classId), [c1], 'the homeroom teacher’s summary is their class')
  t.equal((await w.call(w.admin, 'GET', `/api/v1/lessons/summary?from=${nov.from}&to=${nov.to}`)).json().classes.length, 2)
  t.equal((await w.call(w.mentor, 'GET', `/api/v1/lessons/summary?from=${nov.from}&to=${nov.to}`)).statusCode, 403)
  t.equal((await w.call(w.psych, 'GET', '/api/v1/lessons/summary?from=2026-01-01&to=2027-12-31')).statusCode, 400, 'a range is bounded')

  // A term for 30 classes at once, in one statement. How long it takes is a figure for a
  // benchmark, not a test: the time is printed, not asserted.
  const more = await db.insert(classes).values(Array.from({ length: 28 }, (_, i) => ({ schoolId: w.A.schoolId, gradeId: w.A.gradeId, name: `七年级(${i + 3})班`, seq: i + 3 }))).returning()
  const all = [c1, c2, ...more.map((c) => c.id)]
  const weekly = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, kind: 'sunshine' }))
  const started = Date.now()
  res = await w.call(w.psych, 'POST', '/api/v1/lessons/timetable', { classIds: all, from: TERM.start, to: TERM.end, pattern: weekly })
  const ms = Date.now() - started
  const termDays = daysBetween(TERM.start, TERM.end).filter((d) => inTermNotHoliday(d) && isoWeekday(d) <= 5).length
  t.match(res.json(), { planned: termDays * 30 }, 'every school day of the term for 30 classes')
  t.comment(`a term for 30 classes in ${ms} ms`)
})

t.test('themed activities: reach, dates, head count', async (t) => {
  const w = await supportWorld()
  const [c1, c2] = w.A.classIds as [string, string]
  let res = await w.call(w.psych, 'POST', '/api/v1/school-activities', { kind: 'mental_health_day', title: '5·25 心理健康日', startsOn: '2026-05-25', reach: 'school', participants: 600 })
  t.equal(res.statusCode, 201, res.body)
  const schoolWide = res.json().id as string
  res = await w.call(w.psych, 'POST', '/api/v1/school-activities', { kind: 'mental_health_month', title: '心理健康教育月', startsOn: '2026-05-01', endsOn: '2026-05-31', reach: 'grade', gradeId: w.A.gradeId, participants: 120 })
  t.equal(res.statusCode, 201, res.body)
  res = await w.call(w.psych, 'POST', '/api/v1/school-activities', { kind: 'other', title: '团体游戏', startsOn: '2026-05-01', reach: 'grade', participants: 10 })
  t.equal(res.statusCode, 422)
  t.same(res.json().details?.fields, ['gradeId'])
  res = await w.call(w.psych, 'POST', '/api/v1/school-activities', { kind: 'other', title: 'x', startsOn: '2026-05-02', endsOn: '2026-05-01', reach: 'school', participants: 1 })
  t.equal(res.statusCode, 400)

  res = await w.call(w.homeroom, 'POST', '/api/v1/school-activities', { kind: 'opening_ceremony', title: '开学礼', startsOn: '2026-09-01', reach: 'class', classId: c1, participants: 42 })
  t.equal(res.statusCode, 201, 'a homeroom teacher records their class’s activity')
  const own = res.json().id as string
  res = await w.call(w.homeroom, 'POST', '/api/v1/school-activities', { kind: 'other', title: 'x', startsOn: '2026-09-01', reach: 'school', participants: 1 })
  t.equal(res.statusCode, 422)
  t.same(res.json().details?.fields, ['reach'])
  t.equal((await w.call(w.homeroom, 'POST', '/api/v1/school-activities', { kind: 'other', title: 'x', startsOn: '2026-09-01', reach: 'class', classId: c2, participants: 1 })).statusCode, 404)
  t.equal((await w.call(w.homeroom, 'PATCH', `/api/v1/school-activities/${schoolWide}`, { participants: 1 })).statusCode, 404)
  res = await w.call(w.homeroom, 'PATCH', `/api/v1/school-activities/${own}`, { participants: 43 })
  t.equal(res.json().participants, 43)

  const hr = (await w.call(w.homeroom, 'GET', '/api/v1/school-activities')).json()
  t.same(hr.items.map((i: { id: string }) => i.id), [own])
  const admin = (await w.call(w.admin, 'GET', '/api/v1/school-activities?from=2026-05-10&to=2026-05-31')).json()
  t.equal(admin.total, 2, 'an activity overlapping the range is in it')
  t.equal((await w.call(w.mentor, 'GET', '/api/v1/school-activities')).statusCode, 403)
  t.equal((await w.call(w.admin, 'DELETE', `/api/v1/school-activities/${own}`)).statusCode, 204)
  t.equal((await w.call(w.homeroom, 'GET', `/api/v1/school-activities/${own}`)).statusCode, 404)
})
