import { and, eq, inArray } from 'drizzle-orm'
import {
  cases, homeSchoolActivities, institutions, mentorContacts, pairings, parentContacts, peerAlerts, peerWatchNotes, peerWatchRequests,
  referralEvents, referrals, students,
} from '../../db/schema/index.js'
import { addDays, atSchoolTime } from '../lib/school-day.js'
import { ackDeadlineFor, type Urgency } from '../modules/support/alert-rules.js'
import type { DemoExtension } from './extensions.js'

/**
 * 师生结对, 同伴跟防, 家校协同, 及时转介 demo records, all about pupils of the demo
 * class so each demo account sees its part: mentor.demo an active pairing (and one ended
 * last month, now out of reach), monitor.demo alerts in every status and an open watch
 * request, the psychology teacher a full referral loop, an overdue one and one just
 * proposed, parent contacts with consent and one where parents were deliberately not told,
 * and the school's institution directory and home–school activities.
 */
export const supportDemo: DemoExtension = async (tx, ctx) => {
  const schoolId = ctx.schoolId
  const psych = ctx.userIds['psych.demo']!
  const homeroom = ctx.userIds['homeroom.demo']!
  const mentor = ctx.userIds['mentor.demo']!
  const monitor = ctx.userIds['monitor.demo']!
  const day = (n: number) => addDays(ctx.today, n)
  const at = (n: number, time = '10:00') => atSchoolTime(day(n), time)

  const pupils = (await tx.select({ id: students.id }).from(students)
    .where(and(eq(students.schoolId, schoolId), eq(students.classId, ctx.demoClassId))).orderBy(students.studentNo)).map((s) => s.id)
  if (pupils.length < 5) return
  const [a, b, c, d, e] = pupils as [string, string, string, string, string]
  // A case other modules' demo made for these pupils, to link to (none when they made none).
  const caseRows = await tx.select({ id: cases.id, studentId: cases.studentId }).from(cases)
    .where(and(eq(cases.schoolId, schoolId), inArray(cases.studentId, [a, c])))
  const caseOf = (s: string) => caseRows.find((r) => r.studentId === s)?.id ?? null

  // 转介机构名录
  const [centre, hospital] = await tx.insert(institutions).values([
    { schoolId, name: '示范市精神卫生中心', kind: 'mental_health_centre', department: '儿童青少年心理科', contactPhone: '010-60000001', address: '示范市健康路 8 号' },
    { schoolId, name: '示范区人民医院', kind: 'hospital_psychiatry', department: '精神心理科', contactPhone: '010-60000002', address: '示范区人民路 1 号' },
    { schoolId, name: '示范市青少年心理咨询中心', kind: 'counselling_centre', department: null, contactPhone: '010-60000003', address: '示范市青年路 20 号' },
  ]).returning({ id: institutions.id })

  // 家校协同 activities: school-wide 家长学校, the demo class's 家长会 and 家访.
  await tx.insert(homeSchoolActivities).values([
    { schoolId, classId: null, kind: 'parent_school', title: '家长学校：如何与青春期孩子沟通', activityDate: day(-40), attendance: 236, createdBy: psych },
    { schoolId, classId: null, kind: 'parent_school', title: '家长学校：识别孩子的情绪信号', activityDate: day(-12), attendance: 198, createdBy: psych },
    { schoolId, classId: ctx.demoClassId, kind: 'parent_meeting', title: '期中家长会', activityDate: day(-20), attendance: 11, createdBy: homeroom },
    { schoolId, classId: ctx.demoClassId, kind: 'home_visit', title: '家访', activityDate: day(-9), attendance: 1, createdBy: homeroom },
    { schoolId, classId: ctx.demoClassId, kind: 'home_visit', title: '家访', activityDate: day(-3), attendance: 1, createdBy: homeroom },
  ])

  // 师生结对: mentor.demo with pupil a (active), and with b until last month (ended).
  const [active, ended] = await tx.insert(pairings).values([
    {
      schoolId, studentId: a, mentorId: mentor, purpose: '学业压力疏导与情绪支持', frequency: 'weekly',
      guidance: '每周找一次轻松的机会聊聊，多倾听、少评价；留意睡眠和食欲的变化，有异常及时告诉心理老师。',
      startDate: day(-45), plannedEndDate: day(120), createdBy: psych,
    },
    {
      schoolId, studentId: b, mentorId: mentor, purpose: '转学适应', frequency: 'biweekly', guidance: '帮助尽快融入班级。',
      startDate: day(-90), plannedEndDate: day(-30), endedAt: at(-30, '17:00'), endedReason: '适应良好，按期结束', createdBy: psych,
    },
  ]).returning({ id: pairings.id })
  await tx.insert(mentorContacts).values([
    { schoolId, pairingId: active!.id, studentId: a, mentorId: mentor, contactDate: day(-38), kind: 'talk', summary: '聊了月考安排，情绪尚可' },
    { schoolId, pairingId: active!.id, studentId: a, mentorId: mentor, contactDate: day(-24), kind: 'activity', summary: '一起参加了读书角活动' },
    { schoolId, pairingId: active!.id, studentId: a, mentorId: mentor, contactDate: day(-6), kind: 'talk', summary: '说最近睡得好一些了' },
    { schoolId, pairingId: ended!.id, studentId: b, mentorId: mentor, contactDate: day(-60), kind: 'talk', summary: '已经交到新朋友' },
  ])

  // 同伴跟防: monitor.demo's alerts in each status; one past its deadline, one just in.
  const alert = (studentId: string, urgency: Urgency, daysAgo: number, whatSeen: string, extra: Partial<typeof peerAlerts.$inferInsert> = {}) => {
    const createdAt = at(-daysAgo, '12:20')
    return { schoolId, studentId, classId: ctx.demoClassId, submittedBy: monitor, source: 'monitor', whatSeen, urgency, createdAt, ackDeadline: ackDeadlineFor(urgency, createdAt), ...extra }
  }
  await tx.insert(peerAlerts).values([
    alert(a, 'high', 50, '午休时看到他在手臂上划痕，说“活着没意思”', {
      status: 'handled', acknowledgedAt: at(-50, '12:35'), acknowledgedBy: psych, caseId: caseOf(a), handledNote: '已约谈并联系家长，建议专科评估',
    }),
    alert(c, 'medium', 4, '最近总是一个人吃饭，上课常走神', { status: 'in_progress', acknowledgedAt: at(-4, '14:00'), acknowledgedBy: psych, caseId: caseOf(c) }),
    alert(d, 'low', 3, '这几天作业都没交，说家里有事'),
  ])
  // Just in: due within the half hour from now, whenever the demo is seeded.
  const now = new Date()
  await tx.insert(peerAlerts).values(alert(e, 'high', 0, '课间在走廊哭，说不想回家', { createdAt: now, ackDeadline: ackDeadlineFor('high', now) }))

  // Peer watch: monitor.demo keeps an eye on c (open, two notes); an earlier one on a, ended.
  const [watch] = await tx.insert(peerWatchRequests).values([
    { schoolId, studentId: c, monitorId: monitor, requestedBy: psych, ask: '留意午饭和课间是否总是一个人，有变化告诉心理老师', startDate: day(-4) },
    { schoolId, studentId: a, monitorId: monitor, requestedBy: psych, ask: '留意课间情绪', startDate: day(-49), endDate: day(-20), endedAt: at(-20, '16:00') },
  ]).returning({ id: peerWatchRequests.id })
  await tx.insert(peerWatchNotes).values([
    { schoolId, requestId: watch!.id, studentId: c, monitorId: monitor, note: '今天和同桌一起吃的午饭', createdAt: at(-3, '13:00') },
    { schoolId, requestId: watch!.id, studentId: c, monitorId: monitor, note: '体育课没参加，坐在旁边', createdAt: at(-1, '16:10') },
  ])

  // 家校协同 contacts: consent for a's referral, d's parents deliberately not told, a homeroom call.
  const [consent] = await tx.insert(parentContacts).values([
    {
      schoolId, studentId: a, caseId: caseOf(a), channel: 'meeting', contactDate: day(-49), content: '与母亲面谈，告知学生近期情绪与自伤迹象',
      outcome: '母亲同意带孩子到专科就诊', referralConsent: 'given', createdBy: psych,
    },
    { schoolId, studentId: a, channel: 'phone', contactDate: day(-8), content: '电话了解返校后在家情况', outcome: '家长反映作息规律', createdBy: psych },
    {
      schoolId, studentId: d, channel: 'none', contactDate: day(-2), notToldReason: '学生陈述与父亲冲突激烈，担心告知后处境更危险，先与学校领导研判',
      createdBy: psych,
    },
    { schoolId, studentId: c, channel: 'phone', contactDate: day(-3), content: '询问孩子在家饮食睡眠', outcome: '家长会多留意', createdBy: homeroom },
  ]).returning({ id: parentContacts.id })

  // 及时转介: a's loop closed after 复学评估; e's sent and overdue; c's just proposed.
  const [closed, overdue, proposed] = await tx.insert(referrals).values([
    {
      schoolId, studentId: a, caseId: caseOf(a), institutionId: centre!.id, reason: '近两周情绪低落，有自伤行为与消极言语，需专科评估与治疗建议',
      state: 'closed', consentContactId: consent!.id, proposedAt: at(-49, '15:00'), sentAt: at(-48, '09:00'), receivedOn: day(-47),
      feedback: '门诊随访治疗中，建议学校减轻课业压力、每周关注', feedbackAt: at(-30, '10:00'), followUpDate: day(-28),
      reassessedAt: at(-21, '10:00'), reassessmentResult: '情绪平稳，睡眠改善，可正常返校；继续每周随访', reassessedRisk: 'yellow',
      closedAt: at(-14, '10:00'), createdBy: psych, updatedAt: at(-14, '10:00'),
    },
    {
      schoolId, studentId: e, institutionId: hospital!.id, reason: '持续失眠与情绪低落，需专科评估', state: 'sent',
      proposedAt: at(-20, '15:00'), sentAt: at(-18, '09:00'), followUpDate: day(-4), createdBy: psych, updatedAt: at(-18, '09:00'),
    },
    {
      schoolId, studentId: c, caseId: caseOf(c), institutionId: centre!.id, reason: '社交退缩、注意力下降，建议评估', state: 'proposed',
      proposedAt: at(-1, '15:00'), followUpDate: day(20), createdBy: psych, updatedAt: at(-1, '15:00'),
    },
  ]).returning({ id: referrals.id })
  const event = (referralId: string, studentId: string, fromState: string | null, toState: string, n: number) =>
    ({ schoolId, referralId, studentId, fromState, toState, actorId: psych, at: at(n, '10:00') })
  await tx.insert(referralEvents).values([
    event(closed!.id, a, null, 'proposed', -49), event(closed!.id, a, 'proposed', 'consented', -49), event(closed!.id, a, 'consented', 'sent', -48),
    event(closed!.id, a, 'sent', 'received', -47), event(closed!.id, a, 'received', 'feedback', -30), event(closed!.id, a, 'feedback', 'reassessed', -21),
    event(closed!.id, a, 'reassessed', 'closed', -14),
    event(overdue!.id, e, null, 'proposed', -20), event(overdue!.id, e, 'proposed', 'consented', -19), event(overdue!.id, e, 'consented', 'sent', -18),
    event(proposed!.id, c, null, 'proposed', -1),
  ])
}
