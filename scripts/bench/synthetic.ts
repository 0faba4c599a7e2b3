import { randomUUID } from 'node:crypto'
import type { Database } from '../../src/db/database.js'
import { ensureBuiltInInstruments } from '../../src/modules/screening/repository.js'
import { BUILT_IN_INSTRUMENTS } from '../../src/modules/screening/instruments/index.js'
import type { SchoolYearWindow } from '../../src/modules/district/repository.js'

/**
 * A synthetic district loaded by COPY (the disclosure tests and `npm run bench` §1/§4):
 * schools of three stages, rosters with some very small grades,
 * this and last school year's screenings, care list, cases, 三个必谈 duties, activities,
 * referrals and crisis events; with `talks`, also a homeroom teacher per class, the talk logs
 * that fulfilled the done duties and the 同伴跟防 alerts raised by "concerned" talks.
 * Seeded, so the same options give the same counts (ids are random). Every name is made up;
 * `canary` puts a recognisable marker in every personal text field so a scan can tell if one
 * leaks. test/district/synthetic.ts re-exports this file.
 */

export interface SyntheticOptions {
  schools: number
  students: number
  seed: number
  y: SchoolYearWindow
  /** Existing district to add the schools to; a new one otherwise. */
  districtId?: string
  codePrefix?: string
  /** Share of grades shrunk to 1–10 pupils (suppression shows). */
  tinyGrades?: number
  canary?: string
  /**
   * Homeroom teachers, talk logs for the duties done (linked to them) and alerts from
   * concerned talks. Drawn from a second seeded sequence, so the rest is the same either way.
   */
  talks?: boolean
}

export interface SyntheticDistrict {
  districtId: string
  schoolIds: string[]
  studentIds: string[]
  /** Every id of a personal record made (students, responses, cases …). */
  personalIds: string[]
  rows: number
  /** Rows per table, as loaded. */
  counts: Record<string, number>
  /** Time spent making the rows in JavaScript, and loading them by COPY. */
  buildMs: number
  copyMs: number
}

const PHQA_ID = BUILT_IN_INSTRUMENTS.find((i) => i.definition.code === 'PHQ-A')!.id
const RISKS = ['green', 'yellow', 'orange', 'red'] as const
const DAY = 86_400_000

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
const at = (day: string, hour: number) => new Date(Date.parse(`${day}T00:00:00+08:00`) + hour * 3_600_000)

export async function generateDistrict(database: Database, o: SyntheticOptions): Promise<SyntheticDistrict> {
  const started = performance.now()
  const rand = prng(o.seed)
  // Talks and alerts draw from their own sequence: turning them on changes nothing else.
  const trand = prng(o.seed ^ 0x5eed7a1c)
  const c = o.canary ?? ''
  const prefix = o.codePrefix ?? `SYN${o.seed}`
  const startYear = Number(o.y.current.slice(0, 4))
  const today = o.y.today
  await ensureBuiltInInstruments(database.db)
  const districtId = o.districtId ?? randomUUID()
  if (!o.districtId) await database.copyRows('districts', ['id', 'code', 'name'], [[districtId, `${prefix}-D`, `合成区${o.seed}`]])

  const t: Record<string, unknown[][]> = {
    schools: [], grades: [], classes: [], students: [], guardians: [], campaigns: [], responses: [], care: [], cases: [],
    duties: [], activities: [], institutions: [], referrals: [], crisis: [], users: [], roles: [], talks: [], alerts: [],
  }
  const schoolIds: string[] = []
  const studentIds: string[] = []
  const personalIds: string[] = []
  const perSchool = Math.max(1, Math.round(o.students / o.schools))

  for (let si = 0; si < o.schools; si++) {
    const schoolId = randomUUID()
    schoolIds.push(schoolId)
    const stage = (['primary', 'junior', 'senior'] as const)[si % 3]!
    const levels = stage === 'primary' ? [1, 2, 3, 4, 5, 6] : stage === 'junior' ? [7, 8, 9] : [10, 11, 12]
    t.schools!.push([schoolId, districtId, `${prefix}-${String(si).padStart(4, '0')}`, `合成学校${si}`, stage])
    const campaignNow = randomUUID()
    const campaignPrev = randomUUID()
    t.campaigns!.push(
      [schoolId, campaignNow, `${o.y.current}测评`, o.y.current, `{${PHQA_ID}}`, `{${levels.join(',')}}`, `${startYear}-09-15`, `${startYear}-10-15`, 'closed'],
      [schoolId, campaignPrev, `${o.y.previous}测评`, o.y.previous, `{${PHQA_ID}}`, `{${levels.join(',')}}`, `${startYear - 1}-09-15`, `${startYear - 1}-10-15`, 'closed'],
    )
    const institutionId = randomUUID()
    t.institutions!.push([schoolId, institutionId, '合成精神卫生中心', 'mental_health_centre'])
    const weights = levels.map(() => 0.5 + rand())
    const wsum = weights.reduce((a, b) => a + b, 0)
    const care: string[] = []
    const classOf = new Map<string, string>()
    const teacherOf = new Map<string, string>()
    for (const [li, level] of levels.entries()) {
      const gradeId = randomUUID()
      t.grades!.push([schoolId, gradeId, level, `${level}年级`])
      let count = Math.round((perSchool * weights[li]!) / wsum)
      if (rand() < (o.tinyGrades ?? 0.15)) count = 1 + Math.floor(rand() * 10)
      const nClasses = Math.max(1, Math.ceil(count / 45))
      const classIds = Array.from({ length: nClasses }, (_, k) => {
        const id = randomUUID()
        t.classes!.push([schoolId, id, gradeId, `${level}年级(${k + 1})班`, k + 1])
        if (o.talks) {
          const teacherId = randomUUID()
          teacherOf.set(id, teacherId)
          // Not a password hash: these accounts cannot sign in.
          t.users!.push([teacherId, `${prefix.toLowerCase()}-t${si}-${level}-${k + 1}`, 'synthetic:no-login', `合成班主任${si}-${level}-${k + 1}`, schoolId, districtId])
          t.roles!.push([teacherId, 'homeroom_teacher', schoolId, id])
        }
        return id
      })
      for (let i = 0; i < count; i++) {
        const id = randomUUID()
        const classId = classIds[i % nClasses]!
        studentIds.push(id)
        personalIds.push(id)
        classOf.set(id, classId)
        t.students!.push([schoolId, id, `${c}${String(level).padStart(2, '0')}${String(i).padStart(4, '0')}`, `${c}学生${si}-${level}-${i}`, rand() < 0.5 ? 'M' : 'F', classId])
        const g = randomUUID()
        personalIds.push(g)
        t.guardians!.push([schoolId, g, id, `${c}家长${si}-${i}`, '母亲', `139${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`])
        // Screening of each year (last year's pupils were a grade lower; grade 1 was not at school).
        let riskNow: string | null = null
        for (const [campaignId, levelThen, screenedOn] of [[campaignNow, level, `${startYear}-09-2${Math.floor(rand() * 9)}`], [campaignPrev, level - 1, `${startYear - 1}-09-2${Math.floor(rand() * 9)}`]] as const) {
          if (levelThen < 1 || rand() > 0.85) continue
          const u = rand()
          const k = u < 0.7 ? 0 : u < 0.88 ? 1 : u < 0.97 ? 2 : 3
          const risk = RISKS[k]
          const confirmed = k >= 2 && rand() < 0.5 ? RISKS[Math.max(1, k - (rand() < 0.3 ? 1 : 0))]! : null
          const rid = randomUUID()
          personalIds.push(rid)
          t.responses!.push([schoolId, rid, campaignId, id, PHQA_ID, `{${[k, k, k, 0, 0, 0, 0, 0, k === 3 ? 1 : 0].join(',')}}`, k * 6, 'band', risk, k === 3, confirmed, screenedOn])
          if (campaignId === campaignNow) riskNow = confirmed ?? risk
          if (campaignId === campaignNow && k === 3 && rand() < 0.8) {
            const opened = at(screenedOn, 10)
            const deadline = new Date(opened.getTime() + 30 * 60_000)
            const cid = randomUUID()
            personalIds.push(cid)
            t.crisis!.push([schoolId, cid, id, 'safety_rule', `${c}危机摘要`, 'acknowledged', opened, deadline, new Date(deadline.getTime() + (rand() < 0.2 ? 40 : -10) * 60_000)])
          }
        }
        const byTeacher = rand() < 0.02
        if ((riskNow === 'orange' || riskNow === 'red') || byTeacher) {
          const risk = byTeacher && !riskNow ? 'yellow' : riskNow ?? 'yellow'
          const cl = randomUUID()
          personalIds.push(cl)
          t.care!.push([schoolId, cl, id, risk, `${c}关注原因`, `${c}关注指引`, at(`${startYear}-10-20`, 9), rand() < 0.1 ? at(addDays(today, -2), 9) : null])
          care.push(id)
          if (risk === 'red' || rand() < 0.4) {
            const caseId = randomUUID()
            personalIds.push(caseId)
            const closed = rand() < 0.2
            t.cases!.push([schoolId, caseId, id, 'screening', risk, closed ? 'closed' : 'intervening', `${c}个案摘要`, at(`${startYear}-10-22`, 9), closed ? at(addDays(today, -1), 9) : null])
            if (risk === 'red' || rand() < 0.3) {
              const sent = addDays(`${startYear}-10-25`, Math.floor(rand() * 20))
              if (sent <= today) {
                const received = rand() < 0.8 ? addDays(sent, 1 + Math.floor(rand() * 12)) : null
                const rr = received && received <= today ? received : null
                const refId = randomUUID()
                personalIds.push(refId)
                t.referrals!.push([schoolId, refId, id, institutionId, `${c}转介原因`, rr ? (rand() < 0.4 ? 'closed' : 'received') : 'sent', at(sent, 11), rr, addDays(sent, 30), rr && rand() < 0.4 ? at(rr, 15) : null])
              }
            }
          }
        }
      }
    }
    // 三个必谈 duties: the semester for everyone, the 国庆 return, monthly for the care list.
    const status = (due: string) => {
      const u = rand()
      if (due >= today) return u < 0.5 ? 'done' : 'open'
      return u < 0.75 ? 'done' : u < 0.87 ? 'done_late' : 'overdue'
    }
    /** A duty row; with talks, a done duty gets the log that fulfilled it (and maybe an alert). */
    const duty = (id: string, studentId: string, classId: string, kind: string, windowKey: string, start: string, due: string) => {
      const st = status(due)
      let logId: string | null = null
      let talkDate: string | null = null
      if (o.talks && (st === 'done' || st === 'done_late')) {
        const last = due < today ? due : today
        const span = (a: string, b: string) => Math.max(0, Math.round((Date.parse(b) - Date.parse(a)) / DAY))
        talkDate = st === 'done'
          ? addDays(start, Math.floor(trand() * (span(start, last) + 1)))
          : addDays(due, 1 + Math.floor(trand() * span(due, today)))
        logId = randomUUID()
        personalIds.push(logId)
        const teacherId = teacherOf.get(classId)!
        const concerned = trand() < 0.03
        t.talks!.push([schoolId, logId, studentId, classId, teacherId, talkDate, kind, '办公室', `${c}谈话摘要`, trand() < 0.1, concerned, at(talkDate, 16)])
        if (concerned) {
          const alertId = randomUUID()
          personalIds.push(alertId)
          const created = at(talkDate, 17)
          const deadline = new Date(created.getTime() + 4 * 3_600_000)
          const u = trand()
          const handled = talkDate < addDays(today, -7) ? u < 0.8 : u < 0.3
          const acked = handled || trand() < 0.6
          t.alerts!.push([schoolId, alertId, studentId, classId, teacherId, 'talk', `${c}谈话关注`, 'medium', handled ? 'handled' : acked ? 'in_progress' : 'received',
            deadline, acked ? new Date(created.getTime() + trand() * 5 * 3_600_000) : null, created])
        }
      }
      t.duties!.push([schoolId, id, studentId, classId, kind, windowKey, start, due, st, logId, talkDate])
    }
    for (const [id, classId] of classOf) {
      const d1 = randomUUID()
      personalIds.push(d1)
      duty(d1, id, classId, 'semester', `${o.y.current}-1`, o.y.start, `${startYear + 1}-01-22`)
      if (today > `${startYear}-10-08`) {
        const d2 = randomUUID()
        personalIds.push(d2)
        duty(d2, id, classId, 'holiday_return', `holiday:${startYear}-10-08`, `${startYear}-10-08`, `${startYear}-10-14`)
      }
    }
    for (const id of care) {
      for (const month of ['10', '11']) {
        const first = `${startYear}-${month}-01`
        if (first > today) continue
        const d = randomUUID()
        personalIds.push(d)
        const last = addDays(`${startYear}-${String(Number(month) + 1).padStart(2, '0')}-01`, -1)
        duty(d, id, classOf.get(id)!, 'monthly', `${startYear}-${month}`, first, last)
      }
    }
    const nAct = Math.floor(rand() * 25)
    for (let i = 0; i < nAct; i++) {
      const day = addDays(o.y.start, Math.floor(rand() * 60))
      if (day > today) continue
      t.activities!.push([schoolId, randomUUID(), (['parent_school', 'home_visit', 'parent_meeting'] as const)[i % 3], `${c}活动`, day, Math.floor(rand() * 60)])
    }
  }

  const copies: Array<[string, string[], unknown[][]]> = [
    ['schools', ['id', 'district_id', 'code', 'name', 'stage'], t.schools!],
    ['grades', ['school_id', 'id', 'level', 'name'], t.grades!],
    ['classes', ['school_id', 'id', 'grade_id', 'name', 'seq'], t.classes!],
    ['students', ['school_id', 'id', 'student_no', 'name', 'gender', 'class_id'], t.students!],
    ['guardians', ['school_id', 'id', 'student_id', 'name', 'relation', 'phone'], t.guardians!],
    ['screening_campaigns', ['school_id', 'id', 'name', 'school_year', 'instrument_ids', 'grade_levels', 'start_date', 'end_date', 'status'], t.campaigns!],
    ['screening_responses', ['school_id', 'id', 'campaign_id', 'student_id', 'instrument_id', 'answers', 'total_score', 'band', 'suggested_risk', 'safety_flag', 'confirmed_risk', 'screened_on'], t.responses!],
    ['care_list', ['school_id', 'id', 'student_id', 'risk_level', 'reason', 'guidance', 'added_at', 'removed_at'], t.care!],
    ['cases', ['school_id', 'id', 'student_id', 'source', 'risk_level', 'state', 'summary', 'opened_at', 'closed_at'], t.cases!],
    ['users', ['id', 'username', 'password_hash', 'display_name', 'school_id', 'district_id'], t.users!],
    ['user_roles', ['user_id', 'role', 'school_id', 'class_id'], t.roles!],
    ['talk_logs', ['school_id', 'id', 'student_id', 'class_id', 'teacher_id', 'talk_date', 'kind', 'place', 'summary', 'follow_up_needed', 'concerned', 'created_at'], t.talks!],
    ['talk_duties', ['school_id', 'id', 'student_id', 'class_id', 'kind', 'window_key', 'window_start', 'due_date', 'status', 'talk_log_id', 'fulfilled_on'], t.duties!],
    ['peer_alerts', ['school_id', 'id', 'student_id', 'class_id', 'submitted_by', 'source', 'what_seen', 'urgency', 'status', 'ack_deadline', 'acknowledged_at', 'created_at'], t.alerts!],
    ['home_school_activities', ['school_id', 'id', 'kind', 'title', 'activity_date', 'attendance'], t.activities!],
    ['institutions', ['school_id', 'id', 'name', 'kind'], t.institutions!],
    ['referrals', ['school_id', 'id', 'student_id', 'institution_id', 'reason', 'state', 'sent_at', 'received_on', 'follow_up_date', 'closed_at'], t.referrals!],
    ['crisis_events', ['school_id', 'id', 'student_id', 'source', 'summary', 'status', 'opened_at', 'ack_deadline', 'acknowledged_at'], t.crisis!],
  ]
  const copyStart = performance.now()
  let rows = 0
  const counts: Record<string, number> = {}
  for (const [table, columns, data] of copies) {
    for (let i = 0; i < data.length; i += 50_000) rows += await database.copyRows(table, columns, data.slice(i, i + 50_000))
    counts[table] = data.length
  }
  const done = performance.now()
  return { districtId, schoolIds, studentIds, personalIds, rows, counts, buildMs: copyStart - started, copyMs: done - copyStart }
}
