import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { seedDemoIfEmpty } from '../../src/demo/seed.js'
import { addDays } from '../../src/lib/school-day.js'
import { checklistById } from '../../src/modules/inspection/checklists/index.js'
import { evaluateSelfCheck } from '../../src/modules/inspection/self-check/facts.js'
import { buildTestApp, injectAs, login } from '../helpers/app.js'

const PASSWORD = 'XinAn-demo-2026'

/** The demo's 督导自查 records: each table holds this term's rows, checked against counts made here from the records. */
t.test('demo: a semester of inspection records for every checklist item', async (t) => {
  const { app, database } = await buildTestApp(t)
  const started = performance.now()
  t.ok(await seedDemoIfEmpty(database, { password: PASSWORD }))
  t.comment(`whole demo seed: ${Math.round(performance.now() - started)} ms`)
  const { db } = database
  const one = async <T>(q: ReturnType<typeof sql>) => (await queryRows<T>(db, q))[0]!
  const { id: sid } = await one<{ id: string }>(sql`select id from schools where code = 'DEMO-001'`)
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
  const term = (await queryRows<{ id: string; name: string; school_year: string; start_date: string; end_date: string }>(db, sql`
    select id, name, school_year, start_date::text, end_date::text from terms
    where school_id = ${sid} and start_date <= ${today}::date order by start_date desc limit 1`))[0]
  if (!term) {
    // Before the demo's first term (a machine clock set back): nothing of a term to show.
    t.equal((await one<{ n: number }>(sql`select count(*)::int as n from lesson_records`)).n, 0, 'no lessons before the term')
    return
  }
  const from = term.start_date
  const to = term.end_date < today ? term.end_date : today
  const inTerm = (col: ReturnType<typeof sql>) => sql`${col} between ${from}::date and ${to}::date`
  const n = async (q: ReturnType<typeof sql>) => (await one<{ n: number }>(q)).n

  await t.test('组织保障: the group with a leader, two meetings with minutes, the plan and budget', async (t) => {
    const members = await queryRows<{ group_role: string; post: string; username: string | null }>(db, sql`
      select m.group_role, m.post, u.username from leadership_members m left join users u on u.id = m.user_id
      where m.school_id = ${sid} and m.since <= ${to}::date and (m.until is null or m.until >= ${from}::date)`)
    t.equal(members.length, 5)
    t.same(members.filter((m) => m.group_role === 'leader').map((m) => m.post), ['校长'])
    t.same(members.filter((m) => m.group_role === 'deputy').map((m) => m.post), ['分管副校长'])
    t.ok(members.some((m) => m.username === 'psych.demo' && m.post === '心理教师'), 'the psychology teacher sits on it')
    t.ok(members.some((m) => m.post === '班主任' && m.username), 'a homeroom teacher sits on it')

    const meetings = await queryRows<{ minutes: string | null; size: number | null; bytes: number | null; media: string | null }>(db, sql`
      select m.minutes_document_id as minutes, d.size_bytes as size, octet_length(d.content) as bytes, d.media_type as media
      from leadership_meetings m left join inspection_documents d on d.school_id = m.school_id and d.id = m.minutes_document_id
      where m.school_id = ${sid} and ${inTerm(sql`m.meeting_date`)}`)
    t.equal(meetings.length, 2, 'two meetings this term')
    const withMinutes = meetings.filter((m) => m.minutes)
    t.equal(withMinutes.length, 1, 'one with minutes')
    t.equal(withMinutes[0]!.size, withMinutes[0]!.bytes, 'the minutes document records its own size')
    const psych = (await login(app, 'psych.demo', PASSWORD)).accessToken
    const file = await injectAs(app, psych, { method: 'GET', url: `/api/v1/inspection/documents/${withMinutes[0]!.minutes}/content` })
    t.equal(file.statusCode, 200, 'the minutes download')
    t.match(file.headers['content-type'], /^text\/plain/)
    t.match(file.body, /会议纪要/)

    const plans = await queryRows<{ budget: string; doc: string | null; text: string | null }>(db, sql`
      select p.budget_yuan::text as budget, p.plan_document_id as doc, convert_from(d.content, 'UTF8') as text
      from yearly_plans p left join inspection_documents d on d.school_id = p.school_id and d.id = p.plan_document_id
      where p.school_id = ${sid} and p.school_year = ${term.school_year}`)
    t.equal(plans.length, 1, 'this school year’s plan')
    t.equal(plans[0]!.budget, '30000.00')
    t.match(plans[0]!.text, /工作方案/, 'the plan document is readable text')
  })

  await t.test('课程: every class keeps the timetable rules except one class last month', async (t) => {
    const days = (await queryRows<{ day: string }>(db, sql`
      select d::date::text as day from generate_series(${from}::date, ${to}::date, interval '1 day') d
      where extract(isodow from d) < 6 and not exists (select 1 from holidays h where h.school_id = ${sid} and d between h.start_date and h.end_date)`)).map((r) => r.day)
    const classes = await queryRows<{ id: string; name: string }>(db, sql`select id, name from classes where school_id = ${sid}`)
    const lessons = await queryRows<{ class_id: string; kind: string; day: string; periods: number; source: string }>(db, sql`
      select class_id, kind, held_on::text as day, periods, source from lesson_records where school_id = ${sid} and ${inTerm(sql`held_on`)}`)
    t.equal(await n(sql`select count(*)::int as n from lesson_records where school_id = ${sid} and not ${inTerm(sql`held_on`)}`), 0, 'none outside the term so far')
    t.ok(lessons.every((l) => days.includes(l.day)), 'every lesson on a school day')

    const week = (d: string) => Math.floor((Date.parse(d) - Date.parse('2000-01-03')) / (7 * 86_400_000))
    const fortnight = (d: string) => Math.floor((Date.parse(d) - Date.parse(from)) / (14 * 86_400_000))
    const month = (d: string) => d.slice(0, 7)
    const windows = (f: (d: string) => string | number) => new Set(days.map(f))
    const covered = (classId: string, kind: string, f: (d: string) => string | number) => new Set(lessons.filter((l) => l.class_id === classId && l.kind === kind).map((l) => f(l.day)))
    const lastMonth = month(addDays(`${month(to)}-01`, -1))
    const short: string[] = []
    for (const c of classes) {
      t.equal(covered(c.id, 'life_safety', week).size, windows(week).size, `${c.name}: 生命安全教育 every week with a school day`)
      t.equal(covered(c.id, 'class_meeting', month).size, windows(month).size, `${c.name}: 主题班会 every month`)
      t.equal(lessons.filter((l) => l.class_id === c.id && l.kind === 'sunshine').length, days.length, `${c.name}: 阳光5分钟 every school day`)
      t.equal(covered(c.id, 'mental_health', fortnight).size, windows(fortnight).size, `${c.name}: 心理健康教育 every two weeks`)
      for (const m of windows(month)) {
        const periods = lessons.filter((l) => l.class_id === c.id && l.kind === 'mental_health' && month(l.day) === m).reduce((s, l) => s + l.periods, 0)
        const schoolDaysInMonth = days.filter((d) => month(d) === m).length
        if (periods < 2 && schoolDaysInMonth >= 2) short.push(`${c.name} ${m}`)
      }
    }
    if (lastMonth >= month(from)) t.same(short, [`七年级(2)班 ${lastMonth}`], 'one class one lesson short last month, nothing else short')
    else t.same(short, [], 'no month short before a month of the term has passed')
    const manual = lessons.filter((l) => l.source === 'manual').length
    t.ok(manual > 0 && manual < lessons.length / 10, `a few entered by hand (${manual} of ${lessons.length})`)
  })

  await t.test('主题活动, 多帮一, 培训, 应急预案', async (t) => {
    const activities = await queryRows<{ kind: string; participants: number; reach: string }>(db, sql`
      select kind, participants, reach from school_activities where school_id = ${sid} and ${inTerm(sql`starts_on`)}`)
    t.ok(activities.some((a) => a.kind === 'opening_ceremony'), '开学礼 this term')
    const may25 = `${from.slice(0, 4)}-05-25`
    if (may25 >= from && may25 <= to) t.ok(activities.some((a) => a.kind === 'mental_health_day'), '5·25 this term')
    const enrolled = await n(sql`select count(*)::int as n from students where school_id = ${sid}`)
    t.ok(activities.every((a) => a.participants > 0 && a.participants <= enrolled), 'participant counts within the enrolment')

    const groups = await queryRows<{ kind: string; n: number }>(db, sql`
      select kind, count(*)::int as n from group_sessions where school_id = ${sid} and ${inTerm(sql`session_date`)} group by kind`)
    const groupsOf = (k: string) => groups.find((g) => g.kind === k)?.n ?? 0
    t.equal(groupsOf('special_students'), 2)
    t.equal(groupsOf('special_parents'), 1)

    const teams = await queryRows<{ id: string; student_class: string }>(db, sql`
      select t.id, c.name as student_class from support_teams t join students s on s.school_id = t.school_id and s.id = t.student_id
      join classes c on c.id = s.class_id where t.school_id = ${sid} and t.ended_at is null`)
    t.equal(teams.length, 1, 'one support team')
    t.equal(teams[0]!.student_class, '七年级(1)班')
    const members = await queryRows<{ username: string; team_role: string; teacher: boolean; active: boolean }>(db, sql`
      select u.username, p.team_role,
        exists (select 1 from user_roles r where r.user_id = p.mentor_id and r.school_id = p.school_id
          and r.role in ('psych_teacher', 'homeroom_teacher', 'school_admin', 'mentor')) as teacher,
        (p.ended_at is null and p.start_date <= ${today}::date and (p.planned_end_date is null or p.planned_end_date >= ${today}::date)) as active
      from pairings p join users u on u.id = p.mentor_id where p.school_id = ${sid} and p.team_id = ${teams[0]!.id}`)
    t.same(members.map((m) => m.username).sort(), ['homeroom.demo', 'mentor.demo', 'psych.demo'])
    t.equal(new Set(members.map((m) => m.team_role)).size, 3, 'each member with their own role')
    t.ok(members.every((m) => m.teacher && m.active), 'every member a teacher with an active pairing')
    // A member reads the team through the API as any paired mentor would.
    const mentor = (await login(app, 'mentor.demo', PASSWORD)).accessToken
    const seen = await injectAs(app, mentor, { method: 'GET', url: '/api/v1/support-teams' })
    t.equal(seen.statusCode, 200)
    t.same(seen.json().items.map((i: { id: string }) => i.id), [teams[0]!.id], 'the mentor sees the team')

    const homeroom = await queryRows<{ user_id: string; trained: boolean }>(db, sql`
      select distinct r.user_id, exists (select 1 from staff_trainings s where s.school_id = r.school_id and s.user_id = r.user_id
        and ${inTerm(sql`s.completed_on`)}) as trained
      from user_roles r where r.school_id = ${sid} and r.role = 'homeroom_teacher'`)
    const classCount = await n(sql`select count(*)::int as n from classes where school_id = ${sid}`)
    t.equal(homeroom.length, classCount, 'a homeroom teacher for every class')
    const share = homeroom.filter((h) => h.trained).length / homeroom.length
    t.ok(share >= 0.75 && share < 1, `most homeroom teachers trained this term, not all (${share.toFixed(3)})`)
    const psychTrained = await n(sql`select count(*)::int as n from staff_profiles p where p.school_id = ${sid} and not exists (
      select 1 from staff_trainings s where s.school_id = p.school_id and ${inTerm(sql`s.completed_on`)}
        and (s.user_id = p.user_id or (p.user_id is null and s.name = p.name)))`)
    t.equal(psychTrained, 0, 'every psychology teacher on the staffing list trained this term')

    const plans = await queryRows<{ version: number; adopted: string; doc: boolean }>(db, sql`
      select version, adopted_on::text as adopted, document_id is not null as doc from emergency_plans where school_id = ${sid} order by version`)
    t.same(plans.map((p) => p.version), [1, 2])
    t.ok(plans[0]!.adopted < from && plans[1]!.adopted >= from && plans[1]!.adopted <= to, 'v1 before this term, v2 in it')
    t.ok(plans.every((p) => p.doc), 'each version with its document')
    t.equal(await n(sql`select count(*)::int as n from emergency_drills where school_id = ${sid} and ${inTerm(sql`drill_date`)}`), 1, 'a drill this term')
  })

  await t.test('整改 and the self-check', async (t) => {
    const visits = await queryRows<{ id: string; visited: string }>(db, sql`select id, visited_on::text as visited from inspection_visits where school_id = ${sid}`)
    t.equal(visits.length, 1)
    t.ok(visits[0]!.visited <= today, 'a past visit')
    const items = await queryRows<{ id: string; status: string; deadline: string; rectified_on: string | null; checks: number; rectified_checks: number; notes: number }>(db, sql`
      select i.id, i.status, i.deadline::text as deadline, i.rectified_on::text as rectified_on,
        (select count(*)::int from rectification_checks c where c.school_id = i.school_id and c.item_id = i.id) as checks,
        (select count(*)::int from rectification_checks c where c.school_id = i.school_id and c.item_id = i.id and c.rectified and c.checked_on = i.rectified_on) as rectified_checks,
        (select count(*)::int from rectification_notes r where r.school_id = i.school_id and r.item_id = i.id) as notes
      from rectification_items i where i.school_id = ${sid} and i.visit_id = ${visits[0]!.id}`)
    t.equal(items.length, 2, 'two problems')
    const done = items.filter((i) => i.status === 'rectified')
    const open = items.filter((i) => i.status === 'open')
    t.equal(done.length, 1)
    t.equal(done[0]!.rectified_checks, 1, 'closed by a 回头看 on the day it was found rectified')
    t.equal(open.length, 1)
    t.ok(open[0]!.deadline > today && open[0]!.checks === 0, 'the open one is not yet due')
    t.ok(items.every((i) => i.notes >= 1), 'progress notes on both')

    const checks = await queryRows<{ highlights: string; problems: string; checklist_id: string }>(db, sql`
      select highlights, problems, checklist_id from self_checks where school_id = ${sid} and period_kind = 'term' and period_key = ${term.id}`)
    t.equal(checks.length, 1)
    t.match(checks[0]!.highlights, /[\u4e00-\u9fff]/, '亮点 in Chinese')
    t.match(checks[0]!.problems, /[\u4e00-\u9fff]/, '存在的主要问题 in Chinese')
  })

  await t.test('the self-check of the term: every item measured from the records, none missing', async (t) => {
    const report = await evaluateSelfCheck(db, sid, { from, to: term.end_date, label: term.name }, undefined, { timeZone: app.config.TZ_SCHOOL })
    const checklist = checklistById(report.checklistId)!
    t.same(report.items.map((i) => i.code), checklist.items.map((i) => i.code), 'a row for every item of the checklist')
    for (const item of report.items) {
      const outside = checklist.items.find((i) => i.code === item.code)!.measure === 'outside'
      if (outside) t.equal(item.status, 'outside', `item ${item.code} is outside XinAn and says so`)
      else t.ok(item.status === 'met' || item.status === 'flagged', `item ${item.code}: ${item.status}, not missing`)
    }
    t.same(report.items.filter((i) => i.status === 'outside').map((i) => i.code), ['12', '13'])
    const status = (code: string) => report.items.find((i) => i.code === code)!.status
    for (const code of ['1', '3', '6']) t.equal(status(code), 'met', `item ${code} met by the demo's records`)

    // Lessons: flagged exactly when a month before this one is in the term (the short class), and only for that class.
    const lessons = report.items.find((i) => i.code === '2')!
    const lastMonth = addDays(`${to.slice(0, 7)}-01`, -1).slice(0, 7)
    if (lastMonth >= from.slice(0, 7)) {
      t.equal(lessons.status, 'flagged')
      t.ok(lessons.flags.length > 0 && lessons.flags.every((f) => f.includes('七年级(2)班')), 'every lesson flag names the short class')
    } else t.equal(lessons.status, 'met')

    // Training: flagged when fewer homeroom teachers trained this term than the checklist asks.
    const rule = checklist.items.find((i) => i.measure === 'training')!.rules.homeroomTrainedMin ?? 0
    const homeroom = await queryRows<{ trained: boolean }>(db, sql`
      select exists (select 1 from staff_trainings s where s.school_id = r.school_id and s.user_id = r.user_id and ${inTerm(sql`s.completed_on`)}) as trained
      from (select distinct school_id, user_id from user_roles where school_id = ${sid} and role = 'homeroom_teacher') r`)
    const share = homeroom.filter((h) => h.trained).length / homeroom.length
    t.equal(status(checklist.items.find((i) => i.measure === 'training')!.code), share < rule ? 'flagged' : 'met', `班主任 trained ${share.toFixed(3)} against ${rule}`)
  })

  await t.test('the extra homeroom accounts cannot sign in until a password is set', async (t) => {
    const others = await queryRows<{ username: string; level: number; seq: number }>(db, sql`
      select u.username, g.level, c.seq from users u join user_roles r on r.user_id = u.id
      join classes c on c.id = r.class_id join grades g on g.id = c.grade_id
      where u.school_id = ${sid} and r.role = 'homeroom_teacher' and u.username <> 'homeroom.demo'`)
    t.ok(others.length > 0)
    const named = (o: { level: number; seq: number }) => `homeroom.${String(o.level).padStart(2, '0')}${String(o.seq).padStart(2, '0')}`
    t.ok(others.every((o) => o.username === named(o)), 'named after their class, as the README says (homeroom.0402 is 四年级(2)班)')
    await t.rejects(login(app, others[0]!.username, PASSWORD), 'no password opens it')
  })
})
