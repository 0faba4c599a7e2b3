import { sql } from 'drizzle-orm'
import { talkLogs, talkRules } from '../../db/schema/index.js'
import { queryRows, type Executor } from '../db/database.js'
import { addDays } from '../lib/school-day.js'
import { generateTalkDuties, markOverdueDuties } from '../jobs/talk-duties.js'
import { fulfilDuties } from '../modules/talks/fulfilment.js'
import { DEFAULT_RULES, DutyKinds } from '../modules/talks/rules.js'
import { ackDeadlineFor } from '../modules/support/alert-rules.js'
import type { DemoExtension } from './extensions.js'

const PLACES = ['教室', '办公室', '操场', '心理辅导室']
const SUMMARIES = [
  '聊了开学后的学习安排，状态不错',
  '假期在家帮忙照顾弟弟，返校适应良好',
  '与同桌有些小矛盾，已引导沟通',
  '对数学考试有些焦虑，约定每周答疑一次',
  '谈到参加社团的打算，情绪积极',
  '作息不太规律，已提醒家长关注',
]
const CONCERN = '近两周情绪低落，自述晚上睡不好，不想和同学说话'

/**
 * 三个必谈 demo records: the default rules written down, every duty of this semester so far
 * (generated exactly as the nightly job does), the demo homeroom teacher's talks — most on
 * time, some late, one flagged "concerned" (which raises an alert to the psychology
 * teacher) — and the rest left overdue. Runs after the modules that fill the care list, if
 * they are registered before it, so care-list students get their monthly duties.
 */
export const talksDemo: DemoExtension = async (tx, ctx) => {
  await tx.insert(talkRules).values(DutyKinds.map((kind) => ({ schoolId: ctx.schoolId, kind, ...DEFAULT_RULES[kind] })))
    .onConflictDoNothing()

  // This semester: the term containing today, else the last one that has started.
  const [term] = await queryRows<{ start_date: string; end_date: string }>(tx, sql`
    select to_char(start_date, 'YYYY-MM-DD') as start_date, to_char(end_date, 'YYYY-MM-DD') as end_date from terms
    where school_id = ${ctx.schoolId} and start_date <= ${ctx.today}::date order by start_date desc limit 1`)
  if (!term) return
  const upTo = term.end_date < ctx.today ? term.end_date : ctx.today
  await generateTalkDuties(tx, { today: upTo, from: term.start_date })

  const homeroomId = ctx.userIds['homeroom.demo']!
  const duties = await queryRows<{ student_id: string; kind: string; window_start: string; due_date: string }>(tx, sql`
    select student_id, kind, to_char(window_start, 'YYYY-MM-DD') as window_start, to_char(due_date, 'YYYY-MM-DD') as due_date
    from talk_duties where school_id = ${ctx.schoolId} and class_id = ${ctx.demoClassId}
    order by due_date, kind, student_id`)
  const logs: Array<typeof talkLogs.$inferInsert> = []
  for (const d of duties) {
    const r = ctx.rand()
    // The semester talk is spread over the term; returns and monthly talks are mostly kept.
    const onTime = d.kind === 'semester' ? 0.35 : 0.6
    let day: string | null = null
    if (r < onTime) {
      const last = d.due_date < ctx.today ? d.due_date : ctx.today
      const span = Math.max(0, (Date.parse(last) - Date.parse(d.window_start)) / 86_400_000)
      day = addDays(d.window_start, Math.floor(ctx.rand() * (span + 1)))
    } else if (r < onTime + 0.15 && d.due_date < ctx.today) {
      day = addDays(d.due_date, 1 + Math.floor(ctx.rand() * 4))
    }
    if (!day || day > ctx.today) continue
    logs.push({
      schoolId: ctx.schoolId, studentId: d.student_id, classId: ctx.demoClassId, teacherId: homeroomId, talkDate: day,
      kind: d.kind, place: PLACES[Math.floor(ctx.rand() * PLACES.length)]!, summary: SUMMARIES[Math.floor(ctx.rand() * SUMMARIES.length)]!,
      followUpNeeded: ctx.rand() < 0.15, concerned: false,
    })
  }
  // One talk the teacher was worried about: it goes to the psychology teacher as an alert.
  const worried = logs.reduce<(typeof logs)[number] | undefined>((a, b) => (!a || b.talkDate > a.talkDate ? b : a), undefined)
  if (worried) Object.assign(worried, { summary: CONCERN, concerned: true, followUpNeeded: true })
  if (logs.length) await tx.insert(talkLogs).values(logs)
  if (worried) {
    await raiseDemoConcernAlert(tx, {
      schoolId: ctx.schoolId, studentId: worried.studentId, classId: ctx.demoClassId, teacherId: homeroomId,
      summary: worried.summary, now: new Date(`${worried.talkDate}T16:30:00+08:00`),
    })
  }
  await fulfilDuties(tx, { schoolId: ctx.schoolId })
  await markOverdueDuties(tx, { today: ctx.today })
}

/** The demo's concern alert, written as the owner as the log service's would be (peer alert and the psychology teachers' notices). */
async function raiseDemoConcernAlert(ex: Executor, a: {
  schoolId: string
  studentId: string
  classId: string
  teacherId: string
  summary: string | null | undefined
  now: Date
}): Promise<string> {
  // The same acknowledgement deadline as any medium alert (同伴跟防 rules, src/modules/support).
  const deadline = ackDeadlineFor('medium', a.now).toISOString()
  const rows = await queryRows<{ id: string }>(ex, sql`
    with alert as (
      insert into peer_alerts (school_id, student_id, class_id, submitted_by, source, what_seen, urgency, ack_deadline, created_at)
      values (${a.schoolId}, ${a.studentId}, ${a.classId}, ${a.teacherId}, 'talk', ${a.summary?.trim() || CONCERN}, 'medium',
        ${deadline}::timestamptz, ${a.now.toISOString()}::timestamptz)
      returning school_id, id
    ),
    psych as (
      select distinct ur.user_id
      from user_roles ur join users u on u.id = ur.user_id and u.status = 'active'
      where ur.school_id = ${a.schoolId} and ur.role = 'psych_teacher'
    ),
    ins as (
      insert into notifications (school_id, user_id, kind, ref_id, params)
      select alert.school_id, psych.user_id, 'talk_concerned', alert.id, jsonb_build_object('urgency', 'medium')
      from alert cross join psych
      returning 1
    )
    select alert.id, (select count(*) from ins) as n from alert`)
  return rows[0]!.id
}
