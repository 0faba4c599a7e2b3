import {
  barometerEntries, groupSessions, letterBoxes, letters, roomSettings, roomVisits, staffProfiles,
} from '../../db/schema/index.js'
import { hashCode, newBoxKey, newReplyCode, normalizeCode } from '../modules/practices/letter-codes.js'
import { isoWeek } from '../modules/practices/barometer-service.js'
import type { DemoExtension } from './extensions.js'

/**
 * Demo records of the practices from the inspection reports: an open letter box with a documented link and
 * one reply readable with a documented code, eight weeks of class barometers, counselling
 * room visits and group sessions, and the school's psychology staff. Everything is made up.
 */

/** The demo box's public page is /letterbox/demo-shudong-2026 (a real box gets a random slug). */
export const DEMO_LETTERBOX_SLUG = 'demo-shudong-2026'
/** Reply code of the demo letter that has a reply (README); every other code is random and shown to nobody. */
export const DEMO_REPLY_CODE = 'XNAN-DEMA-2468'

const DAY = 86_400_000
const daysBefore = (today: string, n: number) => new Date(Date.parse(`${today}T00:00:00Z`) - n * DAY).toISOString().slice(0, 10)

const LETTERS = [
  { ago: 12, body: '老师您好，我最近总是睡不着，一想到月考就心慌，上课也没法集中注意力。我该怎么办？', category: 'study', urgent: false, reply: '谢谢你愿意写信来。考前紧张很常见，我们可以一起找找让自己放松下来的办法。周三中午 12:30 心理辅导室有空，欢迎你来聊聊；也可以先试试睡前做十分钟腹式呼吸。' },
  { ago: 9, body: '我和最好的朋友吵架了，她现在不理我，班上的人好像也都站在她那边。', category: 'peers', urgent: false, reply: null },
  { ago: 6, body: '爸爸妈妈最近天天吵架，我在家里不敢说话，也不想回家。', category: 'family', urgent: false, reply: null },
  { ago: 3, name: '小雨', klass: '八年级', body: '这段时间心情一直很低落，做什么都提不起兴趣，觉得自己很没用。', category: 'emotion', urgent: true, reply: null },
  { ago: 1, body: '想问问心理委员是做什么的？我也想帮助同学。', category: null, urgent: false, reply: null },
] as const

const VISIT_TOPICS = ['study', 'study', 'peers', 'family', 'emotion', 'emotion', 'other'] as const
const FOLLOW_UPS = ['none', 'none', 'none', 'revisit', 'revisit', 'case', 'referral'] as const
const SESSIONS = [
  { ago: 40, topic: '新生适应团体辅导', attendance: 26, durationMin: 45 },
  { ago: 26, topic: '情绪管理工作坊', attendance: 18, durationMin: 60 },
  { ago: 12, topic: '考前减压团体辅导', attendance: 32, durationMin: 45 },
  { ago: 5, topic: '心理委员培训', attendance: 21, durationMin: 90 },
] as const

export const practicesDemo: DemoExtension = async (tx, ctx) => {
  const { schoolId, today, rand } = ctx
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!
  const psych = ctx.userIds['psych.demo']!
  const homeroom = ctx.userIds['homeroom.demo']!
  const monitor = ctx.userIds['monitor.demo']!

  // 解忧树洞.
  const codeKey = newBoxKey()
  const [box] = await tx.insert(letterBoxes).values({ schoolId, slug: DEMO_LETTERBOX_SLUG, open: true, codeKey, closedMessage: '寒暑假期间信箱暂停，开学后恢复。' }).returning({ id: letterBoxes.id })
  await tx.insert(letters).values(LETTERS.map((l, i) => ({
    schoolId,
    boxId: box!.id,
    writtenOn: daysBefore(today, l.ago),
    body: l.body,
    writerName: 'name' in l ? l.name : null,
    writerClass: 'klass' in l ? l.klass : null,
    category: l.category,
    urgent: l.urgent,
    replyText: l.reply,
    repliedOn: l.reply ? daysBefore(today, l.ago - 2) : null,
    repliedBy: l.reply ? psych : null,
    replyCodeHash: hashCode(codeKey, normalizeCode(i === 0 ? DEMO_REPLY_CODE : newReplyCode())!),
  })))

  // 心理晴雨表: the demo class for eight weeks (homeroom teacher and monitor), three more classes for four.
  await tx.insert(barometerEntries).values(
    [8, 7, 6, 5, 4, 3, 2, 1].flatMap((weeks) => {
      const periodKey = isoWeek(daysBefore(today, weeks * 7))
      return [
        { schoolId, classId: ctx.demoClassId, periodKey, submittedBy: homeroom, submitterRole: 'homeroom_teacher', mood: 2 + Math.floor(rand() * 4), events: weeks === 3 ? '期中考试' : null, namedCount: 0 },
        { schoolId, classId: ctx.demoClassId, periodKey, submittedBy: monitor, submitterRole: 'peer_monitor', mood: 2 + Math.floor(rand() * 4), events: weeks === 5 ? '运动会，班级气氛很好' : null, namedCount: 0 },
      ]
    }),
  )

  // 心理辅导室.
  await tx.insert(roomSettings).values({ schoolId, location: '行政楼三楼 302 心理辅导室', openingHours: '周一至周五 12:00–13:30，16:30–17:30；其他时间可预约' })
  const visits: Array<typeof roomVisits.$inferInsert> = []
  for (let i = 0; i < 24; i++) {
    const walkIn = rand() < 0.3
    visits.push({
      schoolId,
      studentId: walkIn ? null : pick(ctx.students).id,
      visitDate: daysBefore(today, 1 + Math.floor(rand() * 56)),
      durationMin: 20 + 5 * Math.floor(rand() * 7),
      topic: pick(VISIT_TOPICS),
      followUp: pick(FOLLOW_UPS),
      counsellorId: psych,
    })
  }
  await tx.insert(roomVisits).values(visits)
  await tx.insert(groupSessions).values(SESSIONS.map((s) => ({ schoolId, sessionDate: daysBefore(today, s.ago), topic: s.topic, attendance: s.attendance, durationMin: s.durationMin, facilitatorId: psych })))

  // 心理健康教师基本情况: the demo psychology teacher and a visiting part-time counsellor (no account).
  const year = Number(today.slice(0, 4))
  await tx.insert(staffProfiles).values([
    { schoolId, userId: psych, employment: 'full_time', qualifications: ['国家二级心理咨询师', '中小学心理健康教育教师资格'], trainingHoursYear: 48, trainingYear: year },
    { schoolId, name: '外聘心理咨询师（示范）', employment: 'part_time', qualifications: ['国家三级心理咨询师'], trainingHoursYear: 16, trainingYear: year },
  ])
}
