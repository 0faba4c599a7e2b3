import { randomUUID } from 'node:crypto'
import { getTableColumns, sql } from 'drizzle-orm'
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core'
import {
  schools, grades, classes, students, guardians, screeningCampaigns, screeningResponses, careList, cases, talkDuties,
  homeSchoolActivities, institutions, referrals, crisisEvents,
} from '../../db/schema/index.js'
import type { Tx } from '../db/database.js'
import { ensureBuiltInInstruments } from '../modules/screening/repository.js'
import { BUILT_IN_INSTRUMENTS } from '../modules/screening/instruments/index.js'
import { schoolYearWindow } from '../modules/district/school-year.js'
import type { DemoContext, DemoExtension } from './extensions.js'

/**
 * Four more schools for the demo district, so the 区教育局 tables have a district
 * to show: small rosters (some grades under 11 pupils, so suppression is visible), this and
 * last school year's screenings, care list, cases, 三个必谈 duties, referrals, crisis events
 * and home–school activities, all inserted directly. Synthetic, seeded and deterministic;
 * it draws from its own generator so other modules' demo data do not shift with it.
 */

const SCHOOLS = [
  { code: 'DEMO-002', name: '示范区实验小学', stage: 'primary', grades: { 1: 32, 2: 28, 3: 30, 4: 9, 5: 26, 6: 24 } },
  { code: 'DEMO-003', name: '示范区第二中学', stage: 'junior', grades: { 7: 45, 8: 40, 9: 38 } },
  { code: 'DEMO-004', name: '示范区高级中学', stage: 'senior', grades: { 10: 50, 11: 46, 12: 7 } },
  { code: 'DEMO-005', name: '示范区山区九年一贯制学校', stage: 'nine_year', grades: { 1: 6, 2: 8, 3: 5, 4: 7, 5: 9, 6: 6, 7: 12, 8: 10, 9: 8 } },
] as const

const GRADE_NAMES = ['', '一年级', '二年级', '三年级', '四年级', '五年级', '六年级', '七年级', '八年级', '九年级', '高一', '高二', '高三']
const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖']
const GIVEN = [...'浩宇轩子涵博文俊杰睿泽然一鸣天乐明晨辰阳磊欣怡雨梓萱诗琪思佳悦可馨雅婷梦瑶晓彤诺若汐静语嘉']
const PHQA_ID = BUILT_IN_INSTRUMENTS.find((i) => i.definition.code === 'PHQ-A')!.id
const DAY = 86_400_000
const RISK_RANK: Record<string, number> = { red: 4, orange: 3, yellow: 2, green: 1 }

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

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10)
/** A Shanghai calendar day at a given hour, as an instant. */
const at = (day: string, hour: number) => new Date(Date.parse(`${day}T00:00:00+08:00`) + hour * 3_600_000)

/** Rows gathered per table across the schools, inserted once per table in foreign-key order. */
class Batch {
  private readonly rows = new Map<PgTable, unknown[]>()
  add<T extends PgTable>(table: T, rows: Array<T['$inferInsert']>): void {
    const list = this.rows.get(table) ?? []
    list.push(...rows)
    this.rows.set(table, list)
  }
  /** One statement per table, the rows as one JSON parameter: about twice as fast as a multi-row VALUES on PGlite. */
  async flush(tx: Tx, order: PgTable[]): Promise<void> {
    for (const table of order) {
      const rows = (this.rows.get(table) ?? []) as Array<Record<string, unknown>>
      if (rows.length === 0) continue
      const columns = getTableColumns(table) as Record<string, PgColumn>
      const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))]
      const json = rows.map((r) => Object.fromEntries(keys.map((k) => [columns[k]!.name, r[k] instanceof Date ? (r[k]).toISOString() : r[k] ?? null])))
      const cols = sql.join(keys.map((k) => sql.identifier(columns[k]!.name)), sql`, `)
      await tx.execute(sql`insert into ${table} (${cols}) select ${cols} from json_populate_recordset(null::${table}, ${JSON.stringify(json)}::json)`)
    }
  }
}

/** PHQ-A answers: most pupils score low; item 9 (safety) is rarely above 0. */
function phqAnswers(rand: () => number): { answers: number[]; total: number; band: string; risk: string; safety: boolean } {
  const u = rand()
  const target = u < 0.72 ? Math.floor(rand() * 5) : u < 0.88 ? 5 + Math.floor(rand() * 5) : u < 0.97 ? 10 + Math.floor(rand() * 10) : 20 + Math.floor(rand() * 5)
  const answers = Array.from({ length: 9 }, () => 0)
  for (let left = target; left > 0;) {
    const k = Math.floor(rand() * 8)
    if (answers[k]! < 3) { answers[k]!++; left-- }
  }
  if (rand() < 0.02) answers[8] = 1
  const total = answers.reduce((a, b) => a + b, 0)
  const band = total <= 4 ? 'minimal' : total <= 9 ? 'mild' : total <= 14 ? 'moderate' : total <= 19 ? 'moderately_severe' : 'severe'
  const byBand = total <= 4 ? 'green' : total <= 9 ? 'yellow' : total <= 19 ? 'orange' : 'red'
  const safety = answers[8]! >= 1
  return { answers, total, band, risk: safety ? 'red' : byBand, safety }
}

export const districtDemo: DemoExtension = async (tx: Tx, ctx: DemoContext) => {
  const rand = prng(20261107)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!
  const y = schoolYearWindow(ctx.today)
  const startYear = Number(y.current.slice(0, 4))
  await ensureBuiltInInstruments(tx)
  let phoneSerial = 0
  const batch = new Batch()

  for (const [n, spec] of SCHOOLS.entries()) {
    const schoolId = randomUUID()
    batch.add(schools, [{ id: schoolId, districtId: ctx.districtId, code: spec.code, name: spec.name, stage: spec.stage }])

    const gradeRows: Array<typeof grades.$inferInsert> = []
    const classRows: Array<typeof classes.$inferInsert> = []
    const studentRows: Array<typeof students.$inferInsert & { id: string; level: number }> = []
    const guardianRows: Array<typeof guardians.$inferInsert> = []
    for (const [lv, count] of Object.entries(spec.grades)) {
      const level = Number(lv)
      const gradeId = randomUUID()
      gradeRows.push({ schoolId, id: gradeId, level, name: GRADE_NAMES[level]! })
      const nClasses = count > 40 ? 2 : 1
      const classIds = Array.from({ length: nClasses }, (_, k) => {
        const id = randomUUID()
        classRows.push({ schoolId, id, gradeId, name: `${GRADE_NAMES[level]}(${k + 1})班`, seq: k + 1 })
        return id
      })
      // September cut-off: a pupil in grade `level` was born between 1 Sept (start − 6 − level) and 31 Aug (start − 5 − level).
      const from = Date.UTC(startYear - 6 - level, 8, 1)
      const span = Math.round((Date.UTC(startYear - 5 - level, 7, 31) - from) / DAY)
      for (let i = 0; i < count; i++) {
        const surname = pick(SURNAMES)
        const id = randomUUID()
        studentRows.push({
          schoolId, id, level,
          studentNo: `${startYear}${String(level).padStart(2, '0')}${String(i + 1).padStart(2, '0')}`,
          name: surname + pick(GIVEN) + (rand() < 0.6 ? pick(GIVEN) : ''),
          gender: rand() < 0.5 ? 'M' : 'F',
          birthDate: new Date(from + Math.floor(rand() * (span + 1)) * DAY).toISOString().slice(0, 10),
          classId: classIds[i % nClasses]!,
        })
        const family = rand() < 0.7 ? [['母亲', pick(SURNAMES)], ['父亲', surname]] : [[rand() < 0.6 ? '母亲' : '父亲', surname]]
        family.forEach(([relation, familyName], k) => {
          phoneSerial++
          // 138 1000 xxxx: obviously synthetic, and apart from the main demo school's numbers.
          guardianRows.push({ schoolId, studentId: id, name: familyName! + pick(GIVEN) + pick(GIVEN), relation: relation!, phone: `1381000${String(phoneSerial).padStart(4, '0')}`, isPrimary: k === 0 })
        })
      }
    }
    batch.add(grades, gradeRows)
    batch.add(classes, classRows)
    batch.add(students, studentRows.map(({ level: _l, ...s }) => s))
    batch.add(guardians, guardianRows)
    const classOf = new Map(studentRows.map((s) => [s.id, s.classId]))

    // 测评建档: this year's and last year's campaigns, grades 4 and up (PHQ-A is for adolescents).
    const campaigns = [
      { id: randomUUID(), year: y.current, start: `${startYear}-09-15`, end: `${startYear}-10-15`, status: 'closed' },
      { id: randomUUID(), year: y.previous, start: `${startYear - 1}-09-15`, end: `${startYear - 1}-10-15`, status: 'closed' },
    ]
    const levels = Object.keys(spec.grades).map(Number)
    batch.add(screeningCampaigns, campaigns.map((c) => ({
      schoolId, id: c.id, name: `${c.year}学年心理测评`, schoolYear: c.year, instrumentIds: [PHQA_ID],
      gradeLevels: levels.filter((l) => l >= 4), startDate: c.start, endDate: c.end, status: c.status,
    })))
    const responses: Array<typeof screeningResponses.$inferInsert> = []
    const latest = new Map<string, { id: string; risk: string }>()
    for (const s of studentRows) {
      for (const c of campaigns) {
        const levelThen = c.year === y.current ? s.level : s.level - 1
        if (levelThen < 4 || rand() > (c.year === y.current ? 0.9 : 0.8)) continue
        const a = phqAnswers(rand)
        const id = randomUUID()
        // A psychology teacher confirms most orange and red results, now and then one level apart.
        const confirmed = RISK_RANK[a.risk]! >= 3 && rand() < 0.7 ? (rand() < 0.2 ? (a.risk === 'red' ? 'orange' : 'red') : a.risk) : null
        responses.push({
          schoolId, id, campaignId: c.id, studentId: s.id, instrumentId: PHQA_ID, answers: a.answers, totalScore: a.total,
          band: a.band, suggestedRisk: a.risk, safetyFlag: a.safety, confirmedRisk: confirmed,
          confirmedAt: confirmed ? at(addDays(c.start, 10), 15) : null, screenedOn: addDays(c.start, Math.floor(rand() * 20)), source: 'import',
        })
        if (c.year === y.current) latest.set(s.id, { id, risk: confirmed ?? a.risk })
      }
    }
    batch.add(screeningResponses, responses)

    // 关注名单 and 个案: orange and red results of this year, plus a few referred by teachers (grades 1–3 too).
    const care: Array<typeof careList.$inferInsert> = []
    const caseRows: Array<typeof cases.$inferInsert> = []
    const careIds: string[] = []
    for (const s of studentRows) {
      const r = latest.get(s.id)
      const byTeacher = !r && rand() < 0.03
      if (!byTeacher && (!r || RISK_RANK[r.risk]! < 3)) continue
      const risk = byTeacher ? (rand() < 0.7 ? 'yellow' : 'orange') : r!.risk
      const removed = !byTeacher && rand() < 0.15
      care.push({
        schoolId, studentId: s.id, riskLevel: risk, sourceResponseId: r?.id ?? null,
        addedAt: at(`${startYear}-10-20`, 10), removedAt: removed ? at(addDays(ctx.today, -5), 10) : null,
      })
      if (!removed) careIds.push(s.id)
      if (risk === 'red' || (risk === 'orange' && rand() < 0.5)) {
        const closed = rand() < 0.25
        caseRows.push({
          schoolId, studentId: s.id, source: byTeacher ? 'talk' : 'screening', sourceRef: r?.id ?? null, riskLevel: risk,
          state: closed ? 'closed' : pick(['open', 'intervening', 'monitoring']),
          openedAt: at(`${startYear}-10-22`, 9), closedAt: closed ? at(addDays(ctx.today, -3), 16) : null,
        })
      }
    }
    batch.add(careList, care)
    batch.add(cases, caseRows)

    // 三个必谈: the semester talk for everyone, monthly talks for the care list, the talk after 国庆.
    const duties: Array<typeof talkDuties.$inferInsert> = []
    const semester = ctx.today >= `${startYear + 1}-02-01` ? 2 : 1
    const semStart = semester === 1 ? y.start : `${startYear + 1}-02-20`
    const status = (due: string): { status: string; fulfilledOn: string | null } => {
      const u = rand()
      if (due >= ctx.today) return u < 0.55 ? { status: 'done', fulfilledOn: addDays(ctx.today, -Math.floor(rand() * 10) - 1) } : { status: 'open', fulfilledOn: null }
      if (u < 0.8 - n * 0.08) return { status: 'done', fulfilledOn: addDays(due, -Math.floor(rand() * 10)) }
      if (u < 0.9) return { status: 'done_late', fulfilledOn: addDays(due, 1 + Math.floor(rand() * 6)) }
      return { status: 'overdue', fulfilledOn: null }
    }
    const semEnd = semester === 1 ? `${startYear + 1}-01-22` : `${startYear + 1}-07-09`
    for (const s of studentRows) {
      duties.push({ schoolId, studentId: s.id, classId: classOf.get(s.id)!, kind: 'semester', windowKey: `${y.current}-${semester}`, windowStart: semStart, dueDate: semEnd, ...status(semEnd) })
      const returnDay = `${startYear}-10-08`
      if (ctx.today > returnDay && semester === 1) {
        duties.push({ schoolId, studentId: s.id, classId: classOf.get(s.id)!, kind: 'holiday_return', windowKey: `holiday:${returnDay}`, windowStart: returnDay, dueDate: addDays(returnDay, 6), ...status(addDays(returnDay, 6)) })
      }
    }
    for (const studentId of careIds) {
      for (let m = new Date(Date.UTC(startYear, 9, 1)); m.toISOString().slice(0, 10) <= ctx.today; m = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1))) {
        const first = m.toISOString().slice(0, 10)
        const last = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 0)).toISOString().slice(0, 10)
        duties.push({ schoolId, studentId, classId: classOf.get(studentId)!, kind: 'monthly', windowKey: first.slice(0, 7), windowStart: first, dueDate: last, ...status(last) })
      }
    }
    batch.add(talkDuties, duties)

    // 家校协同
    const activities: Array<typeof homeSchoolActivities.$inferInsert> = []
    const kinds = ['parent_school', 'parent_meeting', 'home_visit'] as const
    const nActivities = [14, 9, 22, 4][n]!
    for (let i = 0; i < nActivities; i++) {
      const kind = kinds[i % 3]!
      const day = addDays(y.start, 7 + Math.floor(rand() * 60))
      if (day > ctx.today) continue
      activities.push({
        schoolId, classId: kind === 'home_visit' ? null : pick(classRows).id!, kind,
        title: kind === 'parent_school' ? '家长学校：青春期情绪与沟通' : kind === 'parent_meeting' ? '期中家长会' : '家访',
        activityDate: day, attendance: kind === 'home_visit' ? 2 : 15 + Math.floor(rand() * 40),
      })
    }
    batch.add(homeSchoolActivities, activities)

    // 及时转介: to the district's mental-health centre; most with a receipt, some closed.
    const institutionId = randomUUID()
    batch.add(institutions, [{ schoolId, id: institutionId, name: '示范区精神卫生中心', kind: 'mental_health_centre', department: '儿童青少年心理科' }])
    const referred = caseRows.filter((c) => c.riskLevel === 'red' || rand() < 0.3)
    const refRows: Array<typeof referrals.$inferInsert> = []
    for (const c of referred) {
      const sentDay = addDays(`${startYear}-10-25`, Math.floor(rand() * 20))
      if (sentDay > ctx.today) continue
      const received = rand() < 0.8 ? addDays(sentDay, 1 + Math.floor(rand() * 9)) : null
      const closed = received !== null && received < ctx.today && rand() < 0.4
      refRows.push({
        schoolId, studentId: c.studentId, institutionId, reason: '测评结果与面谈提示需要专科评估',
        state: closed ? 'closed' : received ? 'received' : 'sent',
        proposedAt: at(addDays(sentDay, -3), 10), sentAt: at(sentDay, 11), receivedOn: received && received <= ctx.today ? received : null,
        followUpDate: addDays(sentDay, 30), closedAt: closed ? at(addDays(received, 14) > ctx.today ? ctx.today : addDays(received, 14), 16) : null,
      })
    }
    batch.add(referrals, refRows)

    // 危机事件: from the safety item of this year's screening, each acknowledged — mostly in time.
    const crisisRows: Array<typeof crisisEvents.$inferInsert> = []
    for (const r of responses) {
      if (!r.safetyFlag || r.campaignId !== campaigns[0]!.id) continue
      const opened = at(r.screenedOn, 10)
      const deadline = new Date(opened.getTime() + 30 * 60_000)
      const late = rand() < 0.25
      crisisRows.push({
        schoolId, studentId: r.studentId, source: 'safety_rule', sourceRef: r.id, status: 'acknowledged',
        openedAt: opened, ackDeadline: deadline, acknowledgedAt: new Date(deadline.getTime() + (late ? 50 : -12) * 60_000),
      })
    }
    batch.add(crisisEvents, crisisRows)
  }
  await batch.flush(tx, [
    schools, grades, classes, students, guardians, screeningCampaigns, screeningResponses, careList, cases, talkDuties,
    homeSchoolActivities, institutions, referrals, crisisEvents,
  ])
}
