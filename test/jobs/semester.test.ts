import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { sharedTestApp, injectAs } from '../helpers/app.js'
import { addStudent, addToCareList, days, dutiesOf, fingerprint, job, nightly, schoolWorld } from './fixtures.js'

/**
 * 三个必谈 through one semester on a fake clock: the nightly jobs run
 * every day from the week before term to the week after, the homeroom teacher logs talks on
 * their days, and every duty of class 1 ends exactly as the rules and the calendar say.
 */
t.test('a semester with two major holidays, day by day', async (t) => {
  const { app, database, config } = await sharedTestApp()
  const w = await schoolWorld(app, database)
  const [c1, c2] = w.school.classIds
  const A = await addStudent(database, w.school, c1, '甲')
  const B = await addStudent(database, w.school, c1, '乙')
  const C = await addStudent(database, w.school, c1, '丙')
  const E = await addStudent(database, w.school, c1, '戊')
  const D = await addStudent(database, w.school, c2, '丁')
  const names = new Map([[A, 'A'], [B, 'B'], [C, 'C'], [D, 'D'], [E, 'E']])
  await addToCareList(database, w.school.schoolId, C, '2025-08-20T08:00:00+08:00')

  const talks: Record<string, Array<{ student: string; kind: string; concerned?: boolean; summary?: string }>> = {
    '2025-09-10': [{ student: A, kind: 'semester' }],
    '2025-09-15': [{ student: C, kind: 'monthly' }],
    '2025-10-10': [{ student: A, kind: 'holiday_return' }],
    '2025-10-20': [{ student: C, kind: 'holiday_return' }],
    '2025-11-05': [{ student: C, kind: 'monthly' }],
    '2025-11-20': [{ student: E, kind: 'monthly' }],
    '2025-12-01': [{ student: C, kind: 'monthly', concerned: true, summary: '近期睡眠差，情绪低落' }],
    '2026-01-08': [{ student: C, kind: 'monthly' }],
    '2026-01-12': [{ student: A, kind: 'holiday_return' }],
    '2026-01-14': [{ student: C, kind: 'semester' }],
  }
  const answers: Record<string, { status: string; windowKey: string } | null> = {}
  const checks: Record<string, () => Promise<unknown>> = {
    '2025-08-31': async () => t.equal((await dutiesOf(database, w.school.schoolId)).length, 0, 'nothing before the term starts'),
    '2025-09-01': async () => {
      const rows = await dutiesOf(database, w.school.schoolId)
      t.same(rows.map((r) => `${names.get(r.student_id)} ${r.kind} ${r.window_key} ${r.window_start}..${r.due_date}`).sort(), [
        'A semester 2025-2026-1 2025-09-01..2026-01-16',
        'B semester 2025-2026-1 2025-09-01..2026-01-16',
        'C monthly 2025-09 2025-09-01..2025-09-30',
        'C semester 2025-2026-1 2025-09-01..2026-01-16',
        'D semester 2025-2026-1 2025-09-01..2026-01-16',
        'E semester 2025-2026-1 2025-09-01..2026-01-16',
      ], 'first school day: a semester duty for everyone, the month for the care list')
    },
    '2025-10-08': async () => t.notOk((await dutiesOf(database, w.school.schoolId)).some((r) => r.kind === 'holiday_return'), 'no return duty during the holiday'),
    '2025-10-09': async () => {
      const rows = (await dutiesOf(database, w.school.schoolId)).filter((r) => r.kind === 'holiday_return')
      t.equal(rows.length, 5, 'every student gets the 国庆 return duty')
      // Return Thu 10-09; school days 10-09, 10-10, (weekend), (10-13 sports day), 10-14, 10-15, 10-16.
      t.same([...new Set(rows.map((r) => `${r.window_key} ${r.window_start}..${r.due_date}`))], ['holiday:2025-10-09 2025-10-09..2025-10-16'])
    },
    '2025-10-17': async () => {
      const rows = (await dutiesOf(database, w.school.schoolId)).filter((r) => r.kind === 'holiday_return')
      t.same(rows.filter((r) => r.status === 'overdue').map((r) => names.get(r.student_id)).sort(), ['B', 'C', 'D', 'E'], 'the day after the window, the rest are overdue')
      const res = await injectAs(app, w.homeroom.token, { method: 'GET', url: '/api/v1/talks/duties?status=open,overdue&limit=100' })
      t.equal(res.statusCode, 200)
      const items = res.json().items as Array<{ studentId: string; status: string; kind: string; classId: string }>
      t.ok(items.every((i) => i.classId === c1), 'the homeroom teacher sees their own class only')
      t.same(items.map((i) => `${names.get(i.studentId)} ${i.kind} ${i.status}`).sort(), [
        'B holiday_return overdue', 'B semester open', 'C holiday_return overdue', 'C monthly open', 'C semester open',
        'E holiday_return overdue', 'E semester open',
      ], 'due and overdue talks of class 1')
    },
    '2025-10-20': async () => t.same(answers['2025-10-20'], { status: 'done_late', windowKey: 'holiday:2025-10-09' }, 'a talk after the window fulfils it late'),
    '2025-11-01': async () => {
      const oct = (await dutiesOf(database, w.school.schoolId)).find((r) => r.student_id === C && r.window_key === '2025-10')!
      t.equal(oct.status, 'overdue', 'October’s monthly talk was missed')
    },
    '2025-11-05': async () => t.same(answers['2025-11-05'], { status: 'done', windowKey: '2025-11' }, 'a November talk fulfils November on time, not the missed October'),
    '2025-11-20': async () => t.equal(answers['2025-11-20'], null, 'E joined the care list today: no monthly duty yet to fulfil'),
    '2025-11-21': async () => {
      const nov = (await dutiesOf(database, w.school.schoolId)).find((r) => r.student_id === E && r.kind === 'monthly')!
      t.match(nov, { window_key: '2025-11', status: 'done', fulfilled_on: '2025-11-20' }, 'the next generation run matches the log written before its duty existed')
    },
    '2026-01-05': async () => {
      const rows = (await dutiesOf(database, w.school.schoolId)).filter((r) => r.window_key === 'holiday:2026-01-05')
      t.equal(rows.length, 5)
      t.same([...new Set(rows.map((r) => r.due_date))], ['2026-01-09'], 'five school days from Monday 01-05')
    },
    '2026-01-12': async () => t.same(answers['2026-01-12'], { status: 'done_late', windowKey: 'holiday:2026-01-05' }),
  }
  // E joins the care list on 11-20, during the day (after the nightly run).
  const careListDays: Record<string, string> = { '2025-11-20': E }

  for (const day of days('2025-08-25', '2026-01-20')) {
    await nightly(database, config, day)
    if (careListDays[day]) await addToCareList(database, w.school.schoolId, careListDays[day]!, `${day}T09:00:00+08:00`)
    for (const talk of talks[day] ?? []) {
      const res = await injectAs(app, w.homeroom.token, {
        method: 'POST', url: '/api/v1/talks/logs',
        payload: { studentId: talk.student, talkDate: day, kind: talk.kind, place: '办公室', summary: talk.summary ?? '谈话顺利', concerned: talk.concerned ?? false },
      })
      if (res.statusCode !== 201) throw new Error(`log on ${day}: ${res.statusCode} ${res.body}`)
      const f = res.json().fulfilled as { status: string; windowKey: string } | null
      answers[day] = f ? { status: f.status, windowKey: f.windowKey } : null
    }
    if (checks[day]) await checks[day]!()
  }

  const final = (await dutiesOf(database, w.school.schoolId)).filter((r) => r.class_id === c1)
  t.same(final.map((r) => `${names.get(r.student_id)} ${r.window_key} ${r.status}${r.fulfilled_on ? ' ' + r.fulfilled_on : ''}`).sort(), [
    'A 2025-2026-1 done 2025-09-10',
    'A holiday:2025-10-09 done 2025-10-10',
    'A holiday:2026-01-05 done_late 2026-01-12',
    'B 2025-2026-1 overdue',
    'B holiday:2025-10-09 overdue',
    'B holiday:2026-01-05 overdue',
    'C 2025-09 done 2025-09-15',
    'C 2025-10 overdue',
    'C 2025-11 done 2025-11-05',
    'C 2025-12 done 2025-12-01',
    'C 2025-2026-1 done 2026-01-14',
    'C 2026-01 done 2026-01-08',
    'C holiday:2025-10-09 done_late 2025-10-20',
    'C holiday:2026-01-05 overdue',
    'E 2025-11 done 2025-11-20',
    'E 2025-12 overdue',
    'E 2025-2026-1 overdue',
    'E 2026-01 overdue',
    'E holiday:2025-10-09 overdue',
    'E holiday:2026-01-05 overdue',
  ], 'every duty of class 1 at the end of the semester')
  t.equal((await dutiesOf(database, w.school.schoolId)).filter((r) => r.class_id === c2).length, 3, 'class 2: semester and two returns for its one student')

  t.test('the concerned talk raised a medium alert to the psychology teachers', async (t) => {
    const alerts = await queryRows<{ source: string; urgency: string; submitted_by: string; what_seen: string; student_id: string; class_id: string; status: string }>(database.db,
      sql`select source, urgency, submitted_by, what_seen, student_id, class_id, status from peer_alerts where school_id = ${w.school.schoolId}`)
    t.same(alerts, [{ source: 'talk', urgency: 'medium', submitted_by: w.homeroom.id, what_seen: '近期睡眠差，情绪低落', student_id: C, class_id: c1, status: 'received' }])
    const res = await injectAs(app, w.psych.token, { method: 'GET', url: '/api/v1/notifications' })
    t.equal(res.statusCode, 200)
    const items = res.json().items as Array<Record<string, unknown>>
    t.equal(items.filter((i) => i.kind === 'talk_concerned').length, 1)
    t.notMatch(res.body, /睡眠/, 'the notification carries no summary')
  })

  t.test('compliance per class and window', async (t) => {
    const res = await injectAs(app, w.psych.token, { method: 'GET', url: '/api/v1/talks/compliance' })
    t.equal(res.statusCode, 200)
    const rows = (res.json().items as Array<Record<string, unknown>>).filter((r) => r.classId === c1)
    const by = (k: string) => rows.find((r) => r.windowKey === k)
    t.match(by('2025-2026-1'), { total: 4, done: 2, doneLate: 0, overdue: 2, open: 0, onTimePct: 50 })
    t.match(by('holiday:2025-10-09'), { total: 4, done: 1, doneLate: 1, overdue: 2, onTimePct: 25 })
    t.match(by('holiday:2026-01-05'), { total: 4, done: 0, doneLate: 1, overdue: 3, onTimePct: 0 })
    t.match(by('2025-10'), { total: 1, overdue: 1, onTimePct: 0 })
    t.match(by('2026-01'), { total: 2, done: 1, overdue: 1, onTimePct: 50 })
    const admin = await injectAs(app, w.admin.token, { method: 'GET', url: '/api/v1/talks/compliance' })
    t.equal(admin.statusCode, 403, 'per-class counts would tell a school admin who is on the care list')
  })

  t.test('running the jobs again on the last day changes nothing', async (t) => {
    const before = await fingerprint(database)
    const gen = await job(database, config, 'generate-duties', '2026-01-20', '03:00')
    t.match(gen, { status: 'ok', counts: { asOf: '2026-01-20', created: 0, fulfilled: 0, movedClass: 0, cancelled: 0 } })
    const overdue = await job(database, config, 'mark-overdue', '2026-01-20', '03:00')
    t.match(overdue, { status: 'ok', counts: { asOf: '2026-01-20', overdue: 0 } })
    t.equal(await fingerprint(database), before)
  })
})
