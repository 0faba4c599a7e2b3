import { randomUUID } from 'node:crypto'
import {
  careList, caseEvents, cases, counsellingSessions, crisisChecklist, crisisEvents, interventionPlans, screeningCampaigns,
  screeningConsents, screeningResponses,
} from '../../db/schema/index.js'
import type { Tx } from '../db/database.js'
import { builtInByCode } from '../modules/screening/instruments/index.js'
import { ensureBuiltInInstruments } from '../modules/screening/repository.js'
import { scoreAnswers } from '../modules/screening/scoring.js'
import type { DemoExtension } from './extensions.js'

/**
 * 测评建档 and 积极干预 demo records for the demo school: this school year's
 * autumn screening (PHQ-A and GAD-7, grades 4–12, finished), scored by the real scoring code
 * with a realistic spread — most minimal or mild, a few moderate or worse, three with PHQ
 * item 9 ≥ 1 and their safety-rule crisis events — the care list, cases in every state with
 * their events, plans and sessions, and one crisis event opened minutes ago and not yet
 * acknowledged. A pupil of the demo class is on the care list, so homeroom.demo sees an
 * entry. Its own seeded generator: other modules' demo data do not shift with it.
 */

const DAY = 86_400_000
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10)
/** A Shanghai calendar day at an hour, as an instant. */
const at = (day: string, hour: number) => new Date(Date.parse(`${day}T00:00:00+08:00`) + hour * 3_600_000)

function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Answers summing to `total`, spread over the items, item 9 held at `item9`. */
function answersFor(rand: () => number, items: number, total: number, item9: number | null): number[] {
  const a = Array.from({ length: items }, () => 0)
  const free = item9 === null ? items : items - 1
  if (item9 !== null) a[items - 1] = item9
  for (let left = Math.max(0, total - (item9 ?? 0)); left > 0;) {
    const k = Math.floor(rand() * free)
    if (a[k]! < 3) { a[k]!++; left-- }
  }
  return a
}

/** Mostly low totals: ≈70% minimal, 18% mild, 9% moderate, 3% higher. */
function spreadTotal(rand: () => number, max: number): number {
  const u = rand()
  const t = u < 0.7 ? Math.floor(rand() * 5) : u < 0.88 ? 5 + Math.floor(rand() * 5) : u < 0.97 ? 10 + Math.floor(rand() * 5) : 15 + Math.floor(rand() * 8)
  return Math.min(t, max)
}

const GUIDANCE = [
  '课堂上多给予肯定，避免当众批评；发现情绪明显低落请及时告知心理老师',
  '留意课间是否独处，鼓励参加集体活动',
  '近期减少额外作业压力，每周简单问候一次',
  '注意与同学的相处情况，如有冲突请先私下沟通',
]
const REASONS = ['测评结果中度以上，访谈确认近期学业压力大、睡眠差', '测评焦虑分偏高，自述担心考试', '家庭变故后情绪低落']
const STEPS = ['parent_notified', 'escort', 'safety_assessment', 'leader_informed', 'referral_considered'] as const

export const screeningDemo: DemoExtension = async (tx: Tx, ctx) => {
  const rand = prng(20261009)
  await ensureBuiltInInstruments(tx)
  const phqa = builtInByCode('PHQ-A')!
  const gad7 = builtInByCode('GAD-7')!
  const psych = ctx.userIds['psych.demo'] ?? null
  const schoolId = ctx.schoolId
  const y = Number(ctx.today.slice(0, 4))
  const schoolYear = Number(ctx.today.slice(5, 7)) >= 9 ? `${y}-${y + 1}` : `${y - 1}-${y}`

  // The autumn screening: a ten-day window that ended two weeks ago.
  const start = addDays(ctx.today, -40)
  const end = addDays(ctx.today, -30)
  const campaignId = randomUUID()
  await tx.insert(screeningCampaigns).values({
    schoolId, id: campaignId, name: `${schoolYear}学年秋季心理健康测评`, schoolYear,
    instrumentIds: [phqa.id, gad7.id], gradeLevels: [4, 5, 6, 7, 8, 9, 10, 11, 12],
    startDate: start, endDate: end, status: 'closed', createdBy: psych, createdAt: at(addDays(start, -7), 10),
  })

  // Three pupils answer PHQ item 9 ≥ 1; the first is in the demo class.
  const inDemoClass = ctx.students.filter((s) => s.classId === ctx.demoClassId)
  const safetyPupils = [inDemoClass[2]!, ctx.students[41]!, ctx.students[187]!]
  const moderateInDemoClass = inDemoClass[5]!

  const responses: Array<typeof screeningResponses.$inferInsert> = []
  const byStudent = new Map<string, { phq: typeof screeningResponses.$inferInsert; gad?: typeof screeningResponses.$inferInsert }>()
  for (const s of ctx.students) {
    // About one in twenty-five was absent during the window: coverage stays below 100%.
    if (rand() < 0.04 && !safetyPupils.includes(s) && s !== moderateInDemoClass) continue
    const screenedOn = addDays(start, Math.floor(rand() * 10))
    const safetyIndex = safetyPupils.indexOf(s)
    const item9 = safetyIndex === -1 ? 0 : safetyIndex === 2 ? 2 : 1
    const phqTotal = safetyIndex === 0 ? 8 : safetyIndex === 1 ? 16 : safetyIndex === 2 ? 21 : s === moderateInDemoClass ? 12 : spreadTotal(rand, 24)
    const phqAnswers = answersFor(rand, 9, phqTotal, item9)
    const phqScore = scoreAnswers(phqa.definition, phqAnswers)
    const row: typeof screeningResponses.$inferInsert = {
      schoolId, id: randomUUID(), campaignId, studentId: s.id, instrumentId: phqa.id, answers: phqAnswers,
      totalScore: phqScore.totalScore, band: phqScore.band, suggestedRisk: phqScore.suggestedRisk, safetyFlag: phqScore.safetyFlag,
      screenedOn, source: 'import', enteredBy: psych, createdAt: at(screenedOn, 17),
    }
    responses.push(row)
    const entry: { phq: typeof row; gad?: typeof row } = { phq: row }
    // A few pupils skipped the GAD-7 page.
    if (rand() > 0.03) {
      const gadAnswers = answersFor(rand, 7, Math.min(21, Math.round(phqTotal * 0.7 + rand() * 3)), null)
      const g = scoreAnswers(gad7.definition, gadAnswers)
      entry.gad = {
        schoolId, id: randomUUID(), campaignId, studentId: s.id, instrumentId: gad7.id, answers: gadAnswers,
        totalScore: g.totalScore, band: g.band, suggestedRisk: g.suggestedRisk, safetyFlag: false,
        screenedOn, source: 'import', enteredBy: psych, createdAt: at(screenedOn, 17),
      }
      responses.push(entry.gad)
    }
    byStudent.set(s.id, entry)
  }

  // The psychology teacher confirmed every suggestion of orange or red; one was lowered after an interview.
  const flagged = [...byStudent.entries()].filter(([, e]) => e.phq.suggestedRisk === 'orange' || e.phq.suggestedRisk === 'red')
  flagged.forEach(([, e], i) => {
    const lowered = i === 1 && !e.phq.safetyFlag
    Object.assign(e.phq, {
      confirmedRisk: lowered ? 'yellow' : e.phq.suggestedRisk,
      confirmReason: lowered ? '访谈后确认为考试前短期紧张，已缓解' : null,
      confirmedBy: psych, confirmedAt: at(addDays(e.phq.screenedOn, 2), 15),
    })
  })
  for (let i = 0; i < responses.length; i += 500) await tx.insert(screeningResponses).values(responses.slice(i, i + 500))

  // 知情同意: the reply slips came back before the window for every pupil who was screened; of
  // the others, one family in three refused and the rest never returned the slip.
  const slipDay = at(addDays(start, -2), 16)
  const consents: Array<typeof screeningConsents.$inferInsert> = []
  ctx.students.forEach((s, i) => {
    const screened = byStudent.has(s.id)
    if (!screened && i % 3 !== 0) return
    consents.push({
      schoolId, campaignId, studentId: s.id, guardianConsent: screened ? 'given' : 'refused', guardianRecordedBy: psych, guardianRecordedAt: slipDay,
      studentAssent: screened ? 'given' : 'not_asked', ...(screened ? { assentRecordedBy: psych, assentRecordedAt: slipDay } : {}),
    })
  })
  for (let i = 0; i < consents.length; i += 500) await tx.insert(screeningConsents).values(consents.slice(i, i + 500))

  // Safety rule: a crisis event the day of the screening, acknowledged within minutes and worked through.
  const crisisRows: Array<typeof crisisEvents.$inferInsert> = []
  const checklistRows: Array<typeof crisisChecklist.$inferInsert> = []
  safetyPupils.forEach((s, i) => {
    const r = byStudent.get(s.id)!.phq
    const opened = at(r.screenedOn, 17)
    const id = randomUUID()
    crisisRows.push({
      schoolId, id, studentId: s.id, source: 'safety_rule', sourceRef: r.id!, summary: '测评安全条目触发：PHQ-A 第9题（安全规则，无论总分）',
      status: 'resolved', openedBy: psych, openedAt: opened, ackDeadline: new Date(opened.getTime() + 30 * 60_000),
      acknowledgedAt: new Date(opened.getTime() + (8 + i * 5) * 60_000), acknowledgedBy: psych,
      resolvedAt: new Date(opened.getTime() + 26 * 3_600_000),
    })
    STEPS.forEach((item, k) => checklistRows.push({
      schoolId, crisisId: id, studentId: s.id, item, doneBy: psych, doneAt: new Date(opened.getTime() + (20 + k * 25) * 60_000),
    }))
  })

  // 关注名单: every confirmed orange or red, plus one added after a talk without any screening.
  const care: Array<typeof careList.$inferInsert> = []
  for (const [studentId, e] of flagged) {
    const risk = (e.phq.confirmedRisk ?? e.phq.suggestedRisk)
    care.push({
      schoolId, studentId, riskLevel: risk, reason: REASONS[Math.floor(rand() * REASONS.length)]!,
      guidance: GUIDANCE[Math.floor(rand() * GUIDANCE.length)]!, sourceResponseId: e.phq.id!, addedBy: psych,
      addedAt: at(addDays(e.phq.screenedOn, 3), 9),
    })
  }
  const talkPupil = inDemoClass[8]!
  care.push({
    schoolId, studentId: talkPupil.id, riskLevel: 'yellow', reason: '班主任谈话后反映：父母离异，近期话少', guidance: GUIDANCE[1]!,
    addedBy: psych, addedAt: at(addDays(ctx.today, -6), 11),
  })

  // Cases: two in each state. The three safety pupils' cases come first.
  const caseRows: Array<typeof cases.$inferInsert> = []
  const events: Array<typeof caseEvents.$inferInsert> = []
  const plans: Array<typeof interventionPlans.$inferInsert> = []
  const sessions: Array<typeof counsellingSessions.$inferInsert> = []
  const others = flagged.map(([id]) => id).filter((id) => !safetyPupils.some((s) => s.id === id))
  const subjects = [...safetyPupils.map((s) => s.id), moderateInDemoClass.id, ...others].filter((v, i, a) => a.indexOf(v) === i).slice(0, 7)
  subjects.push(talkPupil.id)
  const plan: Array<{ path: Array<'intervening' | 'monitoring' | 'closed'>; review: number }> = [
    { path: ['intervening'], review: 3 },
    { path: ['intervening', 'monitoring'], review: 10 },
    { path: ['intervening', 'monitoring', 'closed'], review: -10 },
    { path: ['intervening', 'monitoring'], review: -1 },
    { path: [], review: 0 },
    { path: ['intervening'], review: 6 },
    { path: ['intervening', 'monitoring', 'closed'], review: -20 },
    { path: [], review: 0 },
  ]
  const REASON_OF: Record<string, string> = {
    intervening: '完成初次访谈，制定干预方案', monitoring: '连续两次辅导后情绪明显好转，转入跟踪观察', closed: '复评正常，家长反馈良好，结案',
  }
  subjects.forEach((studentId, i) => {
    const shape = plan[i]!
    const e = byStudent.get(studentId)
    const risk = e ? String(e.phq.confirmedRisk ?? e.phq.suggestedRisk) : 'yellow'
    const openedDay = e ? addDays(e.phq.screenedOn, 3) : addDays(ctx.today, -5)
    const id = randomUUID()
    const state = shape.path.at(-1) ?? 'open'
    caseRows.push({
      schoolId, id, studentId, openedBy: psych, source: e ? 'screening' : 'talk', sourceRef: e ? e.phq.id! : null, riskLevel: risk, state,
      summary: e ? '秋季测评后访谈开案' : '班主任谈话后转介开案', openedAt: at(openedDay, 10),
      closedAt: state === 'closed' ? at(addDays(openedDay, 24), 16) : null, updatedAt: at(addDays(openedDay, 8 * shape.path.length), 16),
    })
    events.push({ schoolId, caseId: id, studentId, fromState: null, toState: 'open', riskTo: risk, actorId: psych, at: at(openedDay, 10) })
    let from = 'open'
    shape.path.forEach((to, k) => {
      events.push({ schoolId, caseId: id, studentId, fromState: from, toState: to, reason: REASON_OF[to]!, actorId: psych, at: at(addDays(openedDay, 1 + k * 8), 16) })
      from = to
    })
    if (shape.path.length) {
      plans.push({
        schoolId, caseId: id, studentId, goals: '两周内恢复规律作息；能说出两种缓解紧张的方法', measures: '每周一次个体辅导；与家长沟通作息；班主任课堂关注',
        reviewDate: addDays(ctx.today, shape.review), createdBy: psych, createdAt: at(addDays(openedDay, 1), 17),
      })
      for (let k = 0; k < shape.path.length + 1; k++) {
        const day = addDays(openedDay, 2 + k * 7)
        if (day > ctx.today) break
        sessions.push({
          schoolId, caseId: id, studentId, kind: k === 1 ? 'group' : 'individual', sessionDate: day, durationMin: k === 1 ? 60 : 40,
          notes: k === 0 ? '初次访谈：了解近期压力来源，建立关系' : '回顾一周情况，练习放松训练',
          reassessedRisk: k === shape.path.length ? (state === 'closed' ? 'green' : 'yellow') : null, counsellorId: psych,
        })
      }
    }
  })
  // A safety pupil's crisis belongs to that pupil's case.
  crisisRows.forEach((c) => {
    const k = caseRows.find((r) => r.studentId === c.studentId)
    if (k) c.caseId = k.id!
  })

  // And one crisis opened minutes ago by hand, not yet acknowledged: the dashboard's countdown.
  const now = Date.now()
  const liveStudent = ctx.students[120]!
  crisisRows.push({
    schoolId, studentId: liveStudent.id, source: 'manual', summary: '课间有同学反映其在厕所哭泣并说“不想活了”，已由班主任陪同',
    status: 'open', openedBy: psych, openedAt: new Date(now - 6 * 60_000), ackDeadline: new Date(now + 24 * 60_000),
  })

  await tx.insert(careList).values(care)
  await tx.insert(cases).values(caseRows)
  await tx.insert(caseEvents).values(events)
  await tx.insert(interventionPlans).values(plans)
  if (sessions.length) await tx.insert(counsellingSessions).values(sessions)
  await tx.insert(crisisEvents).values(crisisRows)
  await tx.insert(crisisChecklist).values(checklistRows)
}
