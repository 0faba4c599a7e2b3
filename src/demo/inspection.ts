import { randomUUID } from 'node:crypto'
import { and, eq, isNull, sql } from 'drizzle-orm'
import {
  emergencyDrills, emergencyPlans, groupSessions, inspectionDocuments, inspectionVisits, leadershipMeetings, leadershipMembers,
  pairings, rectificationChecks, rectificationItems, rectificationNotes, schoolActivities, selfChecks, staffTrainings, students,
  supportTeams, userRoles, users, yearlyPlans,
} from '../../db/schema/index.js'
import { queryRows, type Tx } from '../db/database.js'
import { addDays } from '../lib/school-day.js'
import type { DemoContext, DemoExtension } from './extensions.js'

/**
 * 督导自查 demo records for the demo school's current term (the term holding the demo's
 * "today", else the last one that has started), dated up to today: the leadership group,
 * its meetings and the yearly plan; lessons in every class from the timetable (生命安全教育
 * weekly, 心理健康教育 every two weeks and at least twice a month, 主题班会 monthly, 阳光5分钟
 * on every school day) with one class a lesson short last month, so the report has one
 * realistic flag; themed activities; 多帮一 groups and a support team; staff training; the
 * 应急预案 in two versions and a drill; a past inspection with one problem rectified and one
 * open; and the school's self-check texts. Every name is made up.
 */

/** The checklist the demo self-check is written against (the default one). */
const CHECKLIST_ID = 'ezhou-2023'

/** The class left one 心理健康教育 lesson short last month (七年级(2)班). */
export const DEMO_SHORT_CLASS = { level: 7, seq: 2 }

/** Homeroom teachers who took no training this term (the rest did): the 班主任 training share is below 100%. */
const UNTRAINED_HOMEROOM = 4

const TOPICS = {
  life_safety: ['防溺水安全教育', '交通安全', '消防安全与逃生', '防范校园欺凌', '网络安全', '食品安全', '用电安全', '防范电信诈骗', '地震应急避险', '禁毒教育'],
  mental_health: ['认识我的情绪', '学会倾听', '压力与应对', '同伴交往', '认识自我', '时间管理', '青春期的心理变化', '面对挫折', '感恩与责任', '考试心态调适'],
  class_meeting: ['珍爱生命 阳光成长', '友善相处 拒绝欺凌', '学会感恩', '合理使用网络', '期末减压 从容应考', '新学期 新目标'],
} as const
const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘']

type LessonKind = 'life_safety' | 'mental_health' | 'class_meeting' | 'sunshine'
interface Lesson { classId: string; kind: LessonKind; day: string }

const monthOf = (day: string) => day.slice(0, 7)
/** 2026-09-07 as 2026年9月7日, the way a document or a screen writes a day. */
const zhDay = (d: string) => `${d.slice(0, 4)}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`
const dayDiff = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000)

/** A small plain-text document, as a school would upload a scanned or typed record. */
function textDocument(schoolId: string, uploadedBy: string, fileName: string, lines: string[]) {
  const content = Buffer.from(lines.join('\n') + '\n', 'utf8')
  return { schoolId, id: randomUUID(), fileName, mediaType: 'text/plain; charset=utf-8', sizeBytes: content.length, content, uploadedBy }
}

export const inspectionDemo: DemoExtension = async (tx, ctx) => {
  const { schoolId, rand } = ctx
  const [term] = await queryRows<{ id: string; name: string; school_year: string; start_date: string; end_date: string }>(tx, sql`
    select id, name, school_year, to_char(start_date, 'YYYY-MM-DD') as start_date, to_char(end_date, 'YYYY-MM-DD') as end_date from terms
    where school_id = ${schoolId} and start_date <= ${ctx.today}::date order by start_date desc limit 1`)
  if (!term) return
  const start = term.start_date
  const upTo = term.end_date < ctx.today ? term.end_date : ctx.today
  const span = dayDiff(start, upTo)
  /** A day this far (0 … 1) into the part of the term that has passed. */
  const into = (f: number) => addDays(start, Math.floor(span * f))
  const admin = ctx.userIds['admin.demo']!
  const psych = ctx.userIds['psych.demo']!
  const homeroom = ctx.userIds['homeroom.demo']!
  const mentor = ctx.userIds['mentor.demo']!

  const homeroomOf = await homeroomTeachers(tx, ctx)

  // 组织保障: the group (formed a year before this term), two meetings, the plan and budget.
  const since = addDays(start, -365)
  await tx.insert(leadershipMembers).values([
    { schoolId, name: '林志远', post: '校长', groupRole: 'leader', since },
    { schoolId, name: '周敏', post: '分管副校长', groupRole: 'deputy', since },
    { schoolId, name: '陈立新', post: '德育主任', groupRole: 'member', since },
    { schoolId, userId: psych, post: '心理教师', groupRole: 'member', since },
    { schoolId, userId: homeroom, post: '班主任', groupRole: 'member', since },
  ])
  const firstMeeting = into(0.05)
  const minutes = textDocument(schoolId, psych, `心理健康工作领导小组会议纪要（${zhDay(firstMeeting)}）.txt`, [
    '心安示范学校心理健康工作领导小组会议纪要',
    `时间：${zhDay(firstMeeting)}`,
    '出席：组长、副组长及全体成员（5人）',
    '议题：部署本学期心理健康教育工作',
    '一、落实课表中的心理健康教育课、生命安全教育课与主题班会；',
    '二、开学两周内完成新生心理测评，建立关注学生名单；',
    '三、班主任落实"三个必谈"，关注学生实行师生结对；',
    '四、修订心理危机干预应急预案，本学期组织一次演练。',
  ])
  const plan = textDocument(schoolId, admin, `${term.school_year}学年心理健康教育工作方案.txt`, [
    `心安示范学校${term.school_year}学年心理健康教育工作方案`,
    '一、指导思想与工作目标',
    '二、组织领导：成立以校长为组长的心理健康工作领导小组',
    '三、主要任务：课程开设、主题活动、测评建档、三个必谈、师生结对、多帮一、家校协同、危机干预、及时转介',
    '四、经费保障：专项经费 30000 元',
  ])
  const planV1 = textDocument(schoolId, psych, '心理危机干预应急预案（第1版）.txt', [
    '心安示范学校学生心理危机干预应急预案（第1版）', '一、组织机构', '二、预警与识别', '三、处置流程', '四、转介与复学',
  ])
  const planV2 = textDocument(schoolId, psych, '心理危机干预应急预案（第2版）.txt', [
    '心安示范学校学生心理危机干预应急预案（第2版）', '一、组织机构', '二、预警与识别', '三、处置流程（含夜间与节假日联络）', '四、转介与复学', '五、演练与修订',
  ])
  await tx.insert(inspectionDocuments).values([minutes, plan, planV1, planV2])
  await tx.insert(leadershipMeetings).values([
    { schoolId, meetingDate: firstMeeting, topic: '部署本学期心理健康教育工作', attendees: 5, minutesDocumentId: minutes.id, createdBy: psych },
    { schoolId, meetingDate: into(0.55), topic: '期中心理危机排查情况研判', attendees: 4, createdBy: psych },
  ])
  await tx.insert(yearlyPlans).values({
    schoolId, schoolYear: term.school_year, title: `${term.school_year}学年心理健康教育工作方案`, adoptedOn: addDays(start, -7),
    planDocumentId: plan.id, budgetYuan: '30000.00', updatedBy: admin,
  })

  // 课程: every class's lessons on the school days so far.
  const schoolDays = await schoolDaysOf(tx, schoolId, start, upTo)
  const lessons = lessonPlan(ctx, schoolDays, start, upTo)
  const pick = (list: readonly string[]) => list[Math.floor(rand() * list.length)]!
  const rows = lessons.map((l) => {
    const klass = ctx.classes.find((c) => c.id === l.classId)!
    // A few entered by hand: the demo class's 班会 and grade 8's 心理课 this month.
    const manual = (l.kind === 'class_meeting' && l.classId === ctx.demoClassId) || (l.kind === 'mental_health' && klass.level === 8 && monthOf(l.day) === monthOf(upTo))
    const teacher = l.kind === 'mental_health' ? psych : homeroomOf.get(l.classId) ?? null
    return {
      class_id: l.classId, kind: l.kind, held_on: l.day, topic: l.kind === 'sunshine' ? null : pick(TOPICS[l.kind]),
      teacher_id: teacher, source: manual ? 'manual' : 'timetable', created_by: manual ? teacher ?? admin : admin,
    }
  })
  if (rows.length) {
    await tx.execute(sql`
      insert into lesson_records (school_id, class_id, kind, held_on, topic, teacher_id, source, created_by)
      select ${schoolId}::uuid, r.class_id, r.kind, r.held_on, r.topic, r.teacher_id, r.source, r.created_by
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as r(class_id uuid, kind text, held_on date, topic text, teacher_id uuid, source text, created_by uuid)`)
  }

  // 主题活动: the term's 开学礼 for everyone; 5·25 and the 心理健康教育月 in a spring term, 10·10 in an autumn one.
  const enrolled = ctx.students.length
  const [grade7] = await queryRows<{ id: string }>(tx, sql`select id from grades where school_id = ${schoolId} and level = 7`)
  const year = start.slice(0, 4)
  const activities: Array<typeof schoolActivities.$inferInsert> = [
    { schoolId, kind: 'opening_ceremony', title: '开学礼暨开学第一课：心理调适教育', startsOn: schoolDays[0] ?? start, participants: enrolled - 3, createdBy: admin },
  ]
  if (start.slice(5, 7) < '06') {
    activities.push(
      { schoolId, kind: 'mental_health_month', title: '心理健康教育月', startsOn: `${year}-05-01`, endsOn: `${year}-05-31`, participants: enrolled, createdBy: psych },
      { schoolId, kind: 'mental_health_day', title: '"5·25"心理健康日：阳光心灵 快乐成长', startsOn: `${year}-05-25`, participants: enrolled - 5, createdBy: psych },
    )
  } else {
    activities.push({ schoolId, kind: 'other', title: '世界精神卫生日主题宣传', startsOn: `${year}-10-10`, participants: enrolled - 8, createdBy: psych })
  }
  if (grade7) {
    const inGrade = ctx.students.filter((s) => s.level === 7).length
    activities.push({ schoolId, kind: 'other', title: '七年级新生适应团体活动', startsOn: into(0.1), reach: 'grade', gradeId: grade7.id, participants: inGrade, createdBy: psych })
  }
  await tx.insert(schoolActivities).values(activities.filter((a) => a.startsOn <= upTo))

  // 多帮一: groups for 特殊群体 students and their parents, and a team around the paired pupil.
  await tx.insert(groupSessions).values([
    { schoolId, kind: 'special_students', sessionDate: into(0.25), topic: '留守儿童成长团体辅导', attendance: 12, durationMin: 45, facilitatorId: psych },
    { schoolId, kind: 'special_parents', sessionDate: into(0.45), topic: '特殊群体学生家长团体辅导：亲子沟通', attendance: 15, durationMin: 60, facilitatorId: psych },
    { schoolId, kind: 'special_students', sessionDate: into(0.7), topic: '单亲家庭学生情绪支持小组', attendance: 9, durationMin: 45, facilitatorId: psych },
  ])
  const teamStart = addDays(upTo, -21)
  await supportTeam(tx, ctx, { psych, homeroom, mentor, start: teamStart < start ? start : teamStart })

  // 队伍建设: the psychology staff and most homeroom teachers trained this term, one of the rest last year.
  const homeroomIds = [...new Set(homeroomOf.values())]
  const trainedHomeroom = homeroomIds.slice(0, Math.max(1, homeroomIds.length - UNTRAINED_HOMEROOM))
  // On a school day (a course in the 国庆 week would look odd), in the middle of the term so far.
  const on = () => schoolDays[Math.floor(schoolDays.length * (0.1 + rand() * 0.8))] ?? start
  await tx.insert(staffTrainings).values([
    { schoolId, userId: psych, course: '中小学心理危机识别与干预专题培训', provider: '示范市教育科学研究院', hours: '16.0', completedOn: into(0.2), certificate: '结业证书', createdBy: psych },
    { schoolId, userId: psych, course: '团体心理辅导技术工作坊', provider: '示范市心理学会', hours: '12.0', completedOn: into(0.6), createdBy: psych },
    { schoolId, name: '外聘心理咨询师（示范）', course: '青少年心理咨询伦理与督导', provider: '示范市心理学会', hours: '8.0', completedOn: into(0.4), createdBy: psych },
    ...trainedHomeroom.map((userId) => ({
      schoolId, userId, course: '班主任心理健康教育能力提升培训', provider: '示范区教师发展中心', hours: rand() < 0.5 ? '6.0' : '8.0', completedOn: on(), createdBy: admin,
    })),
    ...homeroomIds.slice(trainedHomeroom.length, trainedHomeroom.length + 1).map((userId) => ({
      schoolId, userId, course: '班主任心理健康教育能力提升培训', provider: '示范区教师发展中心', hours: '6.0', completedOn: addDays(start, -200), createdBy: admin,
    })),
  ])

  // 危机干预: the plan adopted last year and revised this term, and this term's drill.
  await tx.insert(emergencyPlans).values([
    { schoolId, version: 1, title: '学生心理危机干预应急预案', adoptedOn: addDays(start, -358), documentId: planV1.id, createdBy: psych },
    {
      schoolId, version: 2, title: '学生心理危机干预应急预案（修订）', adoptedOn: into(0.15), documentId: planV2.id, createdBy: psych,
      changeNote: '补充夜间与节假日联络流程，更新转介机构名录，增加演练与修订要求',
    },
  ])
  await tx.insert(emergencyDrills).values({
    schoolId, drillDate: into(0.5), reach: 'school', scenario: '学生在教学楼出现自伤风险的应急处置演练', participants: enrolled + 40,
    review: '报告、疏散与陪护环节衔接顺畅；家长通知环节用时偏长，已在预案中明确联络人。', createdBy: psych,
  })

  // 整改: a visit early this term; the lessons problem rectified at the 回头看, the training one still open.
  const visitedOn = into(0.2)
  const [visit] = await tx.insert(inspectionVisits).values({
    schoolId, visitedOn, inspectorName: '王建华（示范）', inspectorRole: '示范区教育督导室责任督学', noticeRef: `示范督整〔${year}〕3号`,
    summary: '查看资料、记录与档案，现场反馈两项问题', createdBy: admin,
  }).returning({ id: inspectionVisits.id })
  const rectifiedOn = into(0.45)
  const [lessonsProblem, trainingProblem] = await tx.insert(rectificationItems).values([
    {
      schoolId, visitId: visit!.id, itemCode: '2', problem: '部分班级心理健康教育课开课记录不全', measure: '按课表补齐开课记录，心理教师每周核对',
      responsibleUserId: psych, deadline: addDays(visitedOn, 30), status: 'rectified', rectifiedOn, createdBy: admin,
    },
    {
      schoolId, visitId: visit!.id, itemCode: '9', problem: '班主任心理健康教育培训未全员覆盖', measure: '分批组织未参训班主任参加区级培训',
      responsibleName: '陈立新（德育主任）', deadline: addDays(ctx.today, 45), createdBy: admin,
    },
  ]).returning({ id: rectificationItems.id })
  await tx.insert(rectificationNotes).values([
    { schoolId, itemId: lessonsProblem!.id, notedOn: into(0.3), body: '已按课表补录开课记录，建立每周核对制度', authorId: psych },
    { schoolId, itemId: trainingProblem!.id, notedOn: into(0.5), body: '已报名区级培训，剩余班主任分两批参训', authorId: admin },
  ])
  await tx.insert(rectificationChecks).values({ schoolId, itemId: lessonsProblem!.id, checkedOn: rectifiedOn, rectified: true, checkedBy: admin })

  // 学校自查: what the school writes itself for this term.
  await tx.insert(selfChecks).values({
    schoolId, periodKind: 'term', periodKey: term.id, checklistId: CHECKLIST_ID,
    highlights: '一是领导小组定期研究部署，工作方案与专项经费落实到位；二是心理健康教育课、生命安全教育课和主题班会按课表开设，"阳光5分钟"每天坚持；三是对重点关注学生组建多帮一帮扶小组，家校协同及时。',
    problems: '一是个别班级心理健康教育课课时不足；二是班主任心理健康教育培训尚未全员覆盖；三是转介学生的跟踪反馈有逾期。',
    updatedBy: admin,
  })
}

/**
 * Each class's homeroom teacher: homeroom.demo for the demo class, an account for each of
 * the others (made here, without a usable password: the school admin sets one when the
 * teacher starts using XinAn).
 */
async function homeroomTeachers(tx: Tx, ctx: DemoContext): Promise<Map<string, string>> {
  const out = new Map<string, string>([[ctx.demoClassId, ctx.userIds['homeroom.demo']!]])
  const others = ctx.classes.filter((c) => c.id !== ctx.demoClassId)
  if (!others.length) return out
  const made = await tx.insert(users).values(others.map((c) => ({
    username: `homeroom.${String(c.level).padStart(2, '0')}${String(c.seq).padStart(2, '0')}`,
    // Not an argon2 hash: no password opens this account until one is set.
    passwordHash: '!',
    displayName: `${SURNAMES[Math.floor(ctx.rand() * SURNAMES.length)]}老师`,
    schoolId: ctx.schoolId,
    districtId: ctx.districtId,
    mustChangePassword: true,
  }))).returning({ id: users.id })
  await tx.insert(userRoles).values(others.map((c, k) => ({ userId: made[k]!.id, role: 'homeroom_teacher', schoolId: ctx.schoolId, classId: c.id })))
  others.forEach((c, k) => out.set(c.id, made[k]!.id))
  return out
}

/** Weekdays from `from` to `to` outside the school's holidays. */
async function schoolDaysOf(tx: Tx, schoolId: string, from: string, to: string): Promise<string[]> {
  const rows = await queryRows<{ day: string }>(tx, sql`
    select to_char(d, 'YYYY-MM-DD') as day from generate_series(${from}::date, ${to}::date, interval '1 day') as g(d)
    where extract(isodow from d) < 6
      and not exists (select 1 from holidays h where h.school_id = ${schoolId} and d between h.start_date and h.end_date)
    order by d`)
  return rows.map((r) => r.day)
}

/**
 * The timetable's lessons: 生命安全教育 on each week's first school day, 心理健康教育 on the
 * first school day of each two weeks from the term's start (plus one where a month would
 * otherwise hold fewer than two), 主题班会 on each month's first school day, 阳光5分钟 daily.
 * Then the short class loses last month's 心理健康教育 lessons but one.
 */
function lessonPlan(ctx: DemoContext, days: string[], start: string, upTo: string): Lesson[] {
  const firstOf = (key: (d: string) => string | number) => {
    const seen = new Set<string | number>()
    return days.filter((d) => (seen.has(key(d)) ? false : (seen.add(key(d)), true)))
  }
  const isoWeek = (d: string) => Math.floor((dayDiff('2000-01-03', d)) / 7)
  const fortnight = (d: string) => Math.floor(dayDiff(start, d) / 14)
  const weekly = firstOf(isoWeek)
  const monthly = firstOf(monthOf)
  const mentalHealth = new Set(firstOf(fortnight))
  for (const month of new Set(days.map(monthOf))) {
    const inMonth = days.filter((d) => monthOf(d) === month)
    // The middle of the month's school days, then later ones, until the month has two.
    for (const d of [...inMonth.slice(Math.floor(inMonth.length / 2)), ...inMonth]) {
      if ([...mentalHealth].filter((x) => monthOf(x) === month).length >= 2) break
      mentalHealth.add(d)
    }
  }

  const out: Lesson[] = []
  for (const c of ctx.classes) {
    let mh = [...mentalHealth].sort()
    if (c.level === DEMO_SHORT_CLASS.level && c.seq === DEMO_SHORT_CLASS.seq) mh = shortenLastMonth(mh, days, start, upTo)
    for (const day of weekly) out.push({ classId: c.id, kind: 'life_safety', day })
    for (const day of mh) out.push({ classId: c.id, kind: 'mental_health', day })
    for (const day of monthly) out.push({ classId: c.id, kind: 'class_meeting', day })
    for (const day of days) out.push({ classId: c.id, kind: 'sunshine', day })
  }
  return out
}

/**
 * Leaves one 心理健康教育 lesson in the month before `upTo`'s (when it lies in the term): a
 * lesson taken out moves to a school day of its two weeks outside that month where it can,
 * so the two-week rule holds where it may (two weeks wholly inside the month fall short too).
 */
function shortenLastMonth(mh: string[], days: string[], start: string, upTo: string): string[] {
  const d = new Date(`${monthOf(upTo)}-15T12:00:00Z`)
  d.setUTCMonth(d.getUTCMonth() - 1)
  const last = d.toISOString().slice(0, 7)
  if (last < monthOf(start)) return mh
  const fortnight = (x: string) => Math.floor(dayDiff(start, x) / 14)
  const kept = new Set(mh)
  const inMonth = mh.filter((x) => monthOf(x) === last)
  for (const x of inMonth.slice(1)) {
    kept.delete(x)
    const w = fortnight(x)
    if ([...kept].some((y) => fortnight(y) === w)) continue
    const elsewhere = days.find((y) => fortnight(y) === w && monthOf(y) !== last && !kept.has(y))
    if (elsewhere) kept.add(elsewhere)
  }
  return [...kept].sort()
}

/**
 * 多帮一 team around the demo class's first pupil (the one at risk, paired with mentor.demo)
 * formed three weeks ago: the mentor, the psychology teacher and the homeroom teacher, each
 * with a team pairing of their own beside the mentor's 1:1 pairing, as the team service makes them.
 */
async function supportTeam(tx: Tx, ctx: DemoContext, who: { psych: string; homeroom: string; mentor: string; start: string }): Promise<void> {
  const { schoolId } = ctx
  const [pupil] = await tx.select({ id: students.id }).from(students)
    .where(and(eq(students.schoolId, schoolId), eq(students.classId, ctx.demoClassId))).orderBy(students.studentNo).limit(1)
  if (!pupil) return
  const [paired] = await tx.select({ id: pairings.id }).from(pairings)
    .where(and(eq(pairings.schoolId, schoolId), eq(pairings.studentId, pupil.id), eq(pairings.mentorId, who.mentor), isNull(pairings.endedAt)))
    .limit(1)
  if (!paired) return
  const purpose = '情绪支持与学业减压，协同家校随访'
  const [team] = await tx.insert(supportTeams).values({ schoolId, studentId: pupil.id, purpose, startDate: who.start, createdBy: who.psych })
    .returning({ id: supportTeams.id })
  await tx.insert(pairings).values(([[who.mentor, 'subject_teacher'], [who.psych, 'psychology'], [who.homeroom, 'homeroom']] as const).map(([mentorId, teamRole]) => ({
    schoolId, studentId: pupil.id, mentorId, purpose, frequency: 'weekly', startDate: who.start, teamId: team!.id, teamRole, createdBy: who.psych,
  })))
}
