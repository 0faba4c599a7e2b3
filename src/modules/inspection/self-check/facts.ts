import { sql, type SQL } from 'drizzle-orm'
import { queryRows, type Executor } from '../../../db/database.js'
import { addDays, schoolDay } from '../../../lib/school-day.js'
import { AWAITING_FEEDBACK } from '../../support/referral-rules.js'
import { complianceByClass } from '../../talks/compliance.js'
import { checklistById, type ActivityRule, type Checklist, type ChecklistItem, type ItemRules, type LessonRule } from '../checklists/index.js'

/**
 * The self-check's 具体落实情况: for one school and period, every checklist item measured from
 * the records in SQL. Only counts, dates and rates leave here, the same privacy class as the
 * district tables: never a student's id, name or 学号, never a note. A class's name may appear
 * in a flag (a class is not a person); a member of staff never does.
 *
 * Runs on any executor: the caller's transaction (the school's own report, behind the school
 * wall) or the owner connection (the district summary, school by school). Every statement
 * names the school itself, so it reads nothing of another school either way.
 */

export type ItemStatus = 'met' | 'flagged' | 'missing' | 'outside'

export interface SelfCheckItem {
  code: string
  status: ItemStatus
  /** 具体落实情况, in Chinese: counts, dates and rates only. */
  text: string
  /** What is below a rule or has no record, one sentence each. */
  flags: string[]
  figures: Record<string, number>
}

export interface SelfCheckPeriod { from: string; to: string; label: string }

export interface SelfCheckResult {
  checklistId: string
  schoolId: string
  period: SelfCheckPeriod
  /** The school day the figures were computed on; rules are checked only for windows that ended before it. */
  asOf: string
  items: SelfCheckItem[]
}

export interface EvaluateOptions {
  /** The school day to compute as of (tests and fake clocks); today in timeZone otherwise. */
  today?: string
  /** The schools' time zone (TZ_SCHOOL). */
  timeZone?: string
}

/** A checklist id no checklist file defines. */
export class UnknownChecklist extends Error {
  constructor(readonly checklistId: string) { super(`unknown checklist ${checklistId}`) }
}

const MAX_FLAGS = 12

interface Ctx {
  ex: Executor
  schoolId: string
  from: string
  to: string
  /** The last day whose records count as final: min(to, the day before today). */
  closedUntil: string
  asOf: string
  tz: string
  /** Terms of the school overlapping the period (at least one is assumed when none is set up). */
  terms: Array<{ start: string; end: string; schoolYear: string }>
  termCount: number
  schoolYears: string[]
  holidays: Array<{ start: string; end: string }>
}

type Measured = Omit<SelfCheckItem, 'code'>

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v))
const fmt = (n: number): string => n.toLocaleString('en-US')
/** A day as the reports write it: 2025年9月10日 (never the ISO form a screen would show as a code). */
export function cnDay(v: unknown): string {
  const d = typeof v === 'string' ? v.slice(0, 10) : v instanceof Date ? v.toISOString().slice(0, 10) : ''
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) return ''
  return `${d.slice(0, 4)}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`
}
/** 97.7% — one decimal, of a share already known to have a denominator. */
const pct = (a: number, b: number): string => `${(Math.round((1000 * a) / b) / 10).toFixed(1)}%`
const share = (r: number): string => `${Math.round(r * 1000) / 10}%`

async function rows<T = Record<string, unknown>>(ex: Executor, q: SQL): Promise<T[]> {
  return queryRows<T>(ex, q)
}

function list(values: string[]): SQL {
  return sql.join(values.map((v) => sql`${v}`), sql`, `)
}

function capFlags(flags: string[]): string[] {
  if (flags.length <= MAX_FLAGS) return flags
  return [...flags.slice(0, MAX_FLAGS), `另有 ${flags.length - MAX_FLAGS} 条未列出`]
}

function result(parts: { text: string[]; flags: string[]; missing: string[]; figures: Record<string, number> }): Measured {
  const flags = capFlags([...parts.missing.map((m) => `缺少记录：${m}`), ...parts.flags])
  const status: ItemStatus = parts.missing.length ? 'missing' : parts.flags.length ? 'flagged' : 'met'
  const text = [...parts.missing.length ? [`缺少记录：${parts.missing.join('；')}。`] : [], ...parts.text].join('')
  return { status, text, flags, figures: parts.figures }
}

// ---------------------------------------------------------------------------------------------
// 1 组织保障

async function organisation(c: Ctx, r: ItemRules): Promise<Measured> {
  const [m] = await rows<Record<string, unknown>>(c.ex, sql`
    select count(*) filter (where group_role = 'leader') as leaders,
      count(*) filter (where group_role = 'deputy') as deputies,
      count(*) filter (where group_role = 'member') as members
    from leadership_members
    where school_id = ${c.schoolId} and since <= ${c.to}::date and (until is null or until >= ${c.from}::date)`)
  const [mt] = await rows<Record<string, unknown>>(c.ex, sql`
    select count(*) as meetings, max(meeting_date)::text as last
    from leadership_meetings where school_id = ${c.schoolId} and meeting_date between ${c.from}::date and ${c.to}::date`)
  const plans = await rows<{ school_year: string; adopted_on: string | null; budget_yuan: string | null }>(c.ex, sql`
    select school_year, adopted_on::text as adopted_on, budget_yuan::text as budget_yuan
    from yearly_plans where school_id = ${c.schoolId} and school_year in (${list(c.schoolYears)}) order by school_year`)
  const leaders = num(m?.leaders), deputies = num(m?.deputies), members = num(m?.members)
  const meetings = num(mt?.meetings)
  const budget = plans.reduce((s, p) => s + (p.budget_yuan === null ? 0 : Number(p.budget_yuan)), 0)
  const figures = {
    leaders, deputies, members, meetings, plans: plans.length,
    budgetYuan: Math.round(budget * 100) / 100,
  }
  const text: string[] = []
  const flags: string[] = []
  const missing: string[] = []
  if (leaders + deputies + members === 0) missing.push('未登记心理健康工作领导小组成员')
  else text.push(`领导小组：组长 ${leaders} 人，副组长 ${deputies} 人，成员 ${members} 人。`)
  if (r.requireLeader && leaders + deputies + members > 0 && leaders === 0) flags.push('领导小组：未登记组长')
  text.push(meetings ? `本期召开领导小组会议 ${meetings} 次（最近一次 ${cnDay(mt?.last)}）。` : '本期未召开领导小组会议。')
  const neededMeetings = (r.meetingsPerTerm ?? 0) * c.termCount
  if (meetings < neededMeetings) flags.push(`领导小组会议：本期 ${meetings} 次，少于 ${neededMeetings} 次（每学期 ${r.meetingsPerTerm} 次）`)
  for (const y of c.schoolYears) {
    const p = plans.find((x) => x.school_year === y)
    if (!p) {
      if (r.requirePlan) missing.push(`${y} 学年未登记心理健康工作方案`)
      continue
    }
    text.push(`${y} 学年工作方案${p.adopted_on ? `已于 ${cnDay(p.adopted_on)}制定` : '已登记'}，`
      + (p.budget_yuan === null ? '未登记专项经费。' : `专项经费 ${Number(p.budget_yuan).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} 元。`))
    if (r.requireBudget && p.budget_yuan === null) flags.push(`专项经费：${y} 学年未登记`)
  }
  return result({ text, flags, missing, figures })
}

// ---------------------------------------------------------------------------------------------
// 2 课程

interface Window { start: string; end: string; label: string }

function dow(d: string): number {
  return new Date(`${d}T12:00:00Z`).getUTCDay()
}

function monthEnd(d: string): string {
  const dt = new Date(`${d.slice(0, 7)}-01T12:00:00Z`)
  dt.setUTCMonth(dt.getUTCMonth() + 1)
  dt.setUTCDate(0)
  return dt.toISOString().slice(0, 10)
}

function overlapDays(a: Window, b: { start: string; end: string }): number {
  const s = a.start > b.start ? a.start : b.start
  const e = a.end < b.end ? a.end : b.end
  if (s > e) return 0
  return Math.round((Date.parse(`${e}T12:00:00Z`) - Date.parse(`${s}T12:00:00Z`)) / 86400000) + 1
}

/**
 * The windows a lesson rule is checked in: whole weeks (Monday–Sunday), fortnights counted from
 * the period's first Monday, or calendar months; only windows that lie inside a term and inside
 * the period and are over (ended before today). A week or fortnight touching a holiday is left
 * out (a 国庆 week has no lessons to count), a month only when half of it or more is holiday.
 */
export function lessonWindows(c: Pick<Ctx, 'from' | 'to' | 'closedUntil' | 'terms' | 'holidays'>, per: LessonRule['per']): Window[] {
  const out: Window[] = []
  const last = c.to < c.closedUntil ? c.to : c.closedUntil
  if (per === 'month') {
    let m = `${c.from.slice(0, 7)}-01`
    if (m < c.from) m = addDays(monthEnd(m), 1)
    for (; monthEnd(m) <= last; m = addDays(monthEnd(m), 1)) {
      out.push({ start: m, end: monthEnd(m), label: `${m.slice(0, 4)}年${Number(m.slice(5, 7))}月` })
    }
  } else {
    const len = per === 'week' ? 7 : 14
    let s = c.from
    while (dow(s) !== 1) s = addDays(s, 1)
    for (; addDays(s, len - 1) <= last; s = addDays(s, len)) {
      const e = addDays(s, len - 1)
      out.push({ start: s, end: e, label: len === 7 ? `${cnDay(s)}起一周` : `${cnDay(s)}起两周` })
    }
  }
  return out.filter((w) => {
    if (c.terms.length && !c.terms.some((t) => t.start <= w.start && t.end >= w.end)) return false
    const holidayDays = c.holidays.reduce((n, h) => n + overlapDays(w, h), 0)
    return per === 'month' ? holidayDays < 14 : holidayDays === 0
  })
}

async function lessons(c: Ctx, r: ItemRules): Promise<Measured> {
  const rules = r.lessons ?? []
  const classes = await rows<{ id: string; name: string }>(c.ex, sql`
    select c.id, c.name from classes c join grades g on g.school_id = c.school_id and g.id = c.grade_id
    where c.school_id = ${c.schoolId} and (c.ended_at is null or c.ended_at >= ${c.from}::date)
    order by g.level, c.seq`)
  const held = await rows<{ class_id: string; kind: string; held_on: string; periods: number | string }>(c.ex, sql`
    select class_id, kind, held_on::text as held_on, periods from lesson_records
    where school_id = ${c.schoolId} and held_on between ${c.from}::date and ${c.to}::date`)
  const figures: Record<string, number> = { classes: classes.length, records: held.length }
  const text: string[] = [`全校 ${classes.length} 个班。`]
  const flags: string[] = []
  const missing: string[] = []
  if (held.length === 0) missing.push('本期没有课程记录（生命安全教育、心理健康教育、主题班会、"阳光5分钟"）')
  const kinds = [...new Set(rules.map((x) => x.kind))]
  for (const kind of kinds) {
    const rule = rules.find((x) => x.kind === kind)!
    const of = held.filter((h) => h.kind === kind)
    const periods = of.reduce((s, h) => s + num(h.periods), 0)
    const withAny = new Set(of.map((h) => h.class_id)).size
    figures[`periods.${kind}`] = periods
    figures[`classesWith.${kind}`] = withAny
    text.push(`${rule.label} ${fmt(periods)} ${rule.unit ?? '课时'}（${withAny}/${classes.length} 个班有记录）。`)
    if (held.length && periods === 0) flags.push(`${rule.label}：本期没有记录`)
  }
  for (const rule of rules) {
    const windows = lessonWindows(c, rule.per)
    let below = 0
    const key = `${rule.kind}.${rule.per}`
    const short: Array<{ name: string; misses: string[] }> = []
    for (const cl of classes) {
      const misses: string[] = []
      for (const w of windows) {
        const n = held.filter((h) => h.class_id === cl.id && h.kind === rule.kind && h.held_on >= w.start && h.held_on <= w.end)
          .reduce((s, h) => s + num(h.periods), 0)
        if (n < rule.minPeriods) misses.push(`${w.label} ${n} ${rule.unit ?? '课时'}`)
      }
      below += misses.length
      if (misses.length) short.push({ name: cl.name, misses })
    }
    // A kind with no record at all is one flag above, not one per class; many classes short of a
    // rule are one flag naming the worst, so the row stays readable.
    if (short.length && held.some((h) => h.kind === rule.kind)) {
      if (short.length <= 3) {
        for (const c of short) flags.push(`${rule.label}：${c.name} ${c.misses.slice(0, 3).join('、')}${c.misses.length > 3 ? ` 等 ${c.misses.length} 处` : ''}，低于${rule.ruleText}`)
      } else {
        const worst = [...short].sort((a, b) => b.misses.length - a.misses.length).slice(0, 5)
        flags.push(`${rule.label}：${short.length} 个班低于${rule.ruleText}（${worst.map((c) => `${c.name} ${c.misses.length} 处`).join('、')}${short.length > 5 ? ' 等' : ''}）`)
      }
    }
    figures[`windows.${key}`] = windows.length * classes.length
    figures[`below.${key}`] = below
  }
  return result({ text, flags, missing, figures })
}

// ---------------------------------------------------------------------------------------------
// 3 活动

function ruleApplies(c: Ctx, a: ActivityRule): boolean {
  if (a.due === 'every_term') return true
  const md = a.due.monthDay
  for (let y = Number(c.from.slice(0, 4)); y <= Number(c.to.slice(0, 4)); y++) {
    const d = `${y}-${md}`
    if (d >= c.from && d <= c.to && d <= c.closedUntil) return true
  }
  return false
}

async function activities(c: Ctx, r: ItemRules): Promise<Measured> {
  const got = await rows<{ kind: string; n: number | string; people: number | string; first: string; last: string }>(c.ex, sql`
    select kind, count(*) as n, coalesce(sum(participants), 0) as people, min(starts_on)::text as first, max(starts_on)::text as last
    from school_activities where school_id = ${c.schoolId} and starts_on between ${c.from}::date and ${c.to}::date
    group by kind`)
  const figures: Record<string, number> = {}
  const text: string[] = []
  const flags: string[] = []
  const missing: string[] = []
  const total = got.reduce((s, g) => s + num(g.n), 0)
  figures.activities = total
  figures.participants = got.reduce((s, g) => s + num(g.people), 0)
  if (total === 0) missing.push('本期没有主题活动记录')
  const labelled = new Set<string>()
  for (const a of r.activities ?? []) {
    if (labelled.has(a.kind)) continue
    labelled.add(a.kind)
    const g = got.find((x) => x.kind === a.kind)
    const n = num(g?.n)
    figures[`count.${a.kind}`] = n
    figures[`participants.${a.kind}`] = num(g?.people)
    if (n) text.push(`${a.label} ${n} 次（${g!.first === g!.last ? cnDay(g!.first) : `${cnDay(g!.first)}至${cnDay(g!.last)}`}，参与 ${fmt(num(g!.people))} 人次）。`)
    const need = a.due === 'every_term' ? c.termCount : 1
    if (total && ruleApplies(c, a) && n < need) flags.push(`${a.label}：本期 ${n} 次，应至少 ${need} 次`)
  }
  const others = got.filter((g) => !labelled.has(g.kind))
  const otherN = others.reduce((s, g) => s + num(g.n), 0)
  if (otherN) text.push(`其他主题活动 ${otherN} 次（参与 ${fmt(others.reduce((s, g) => s + num(g.people), 0))} 人次）。`)
  return result({ text, flags, missing, figures })
}

// ---------------------------------------------------------------------------------------------
// 4 测评建档

async function screenedLevels(c: Ctx): Promise<number[]> {
  const r = await rows<{ level: number | string }>(c.ex, sql`
    select distinct unnest(grade_levels)::int as level from screening_campaigns
    where school_id = ${c.schoolId} and start_date <= ${c.to}::date and end_date >= ${c.from}::date order by 1`)
  return r.map((x) => num(x.level))
}

async function screening(c: Ctx, r: ItemRules): Promise<Measured> {
  const [s] = await rows<Record<string, unknown>>(c.ex, sql`
    with camp as (
      select id, grade_levels from screening_campaigns
      where school_id = ${c.schoolId} and start_date <= ${c.to}::date and end_date >= ${c.from}::date
    ), lv as (select distinct unnest(grade_levels)::int as level from camp),
    pupils as (
      select st.id, g.level from students st
      join classes cl on cl.school_id = st.school_id and cl.id = st.class_id
      join grades g on g.school_id = cl.school_id and g.id = cl.grade_id
      where st.school_id = ${c.schoolId} and st.status = 'enrolled'
    )
    select (select count(*) from camp) as campaigns,
      (select min(level) from lv) as min_level, (select max(level) from lv) as max_level,
      (select count(*) from lv) as levels,
      (select count(*) from pupils p where p.level in (select level from lv)) as enrolled,
      (select count(*) from pupils p where p.level in (select level from lv) and exists (
        select 1 from screening_responses sr where sr.school_id = ${c.schoolId} and sr.student_id = p.id
          and sr.campaign_id in (select id from camp))) as screened,
      (select count(*) from pupils) as enrolled_all,
      (select count(*) from pupils p where exists (
        select 1 from screening_responses sr where sr.school_id = ${c.schoolId} and sr.student_id = p.id)) as with_record,
      (select count(*) from screening_consents sc where sc.school_id = ${c.schoolId} and sc.campaign_id in (select id from camp)
        and sc.guardian_consent = 'given') as consent_given,
      (select count(*) from screening_consents sc where sc.school_id = ${c.schoolId} and sc.campaign_id in (select id from camp)
        and sc.guardian_consent = 'refused') as consent_refused`)
  const levelRows = await rows<{ level: number | string; name: string }>(c.ex, sql`select level, name from grades where school_id = ${c.schoolId}`)
  const gradeName = (l: number) => levelRows.find((g) => num(g.level) === l)?.name ?? `${l} 年级`
  const campaigns = num(s?.campaigns), enrolled = num(s?.enrolled), screened = num(s?.screened)
  const enrolledAll = num(s?.enrolled_all), withRecord = num(s?.with_record)
  const figures = {
    campaigns, enrolled, screened, enrolledAll, withRecord,
    consentGiven: num(s?.consent_given), consentRefused: num(s?.consent_refused),
  }
  const text: string[] = []
  const flags: string[] = []
  const missing: string[] = []
  if (campaigns === 0) missing.push('本期没有心理测评')
  else {
    const lo = num(s?.min_level), hi = num(s?.max_level), levels = num(s?.levels)
    // 四年级至高三 for a run of grades; 四年级、七年级 when the campaigns skip some.
    const span = lo === hi ? gradeName(lo) : levels === hi - lo + 1 ? `${gradeName(lo)}至${gradeName(hi)}`
      : (await screenedLevels(c)).map(gradeName).join('、')
    text.push(`测评：${campaigns} 次测评，${span}在籍 ${fmt(enrolled)}，已测 ${fmt(screened)}${enrolled ? `（${pct(screened, enrolled)}）` : ''}。`)
    if (figures.consentGiven + figures.consentRefused) text.push(`知情同意：家长同意 ${fmt(figures.consentGiven)}，拒绝 ${fmt(figures.consentRefused)}。`)
    const min = r.screeningCoverageMin
    if (min !== undefined && enrolled > 0 && screened / enrolled < min) flags.push(`测评覆盖率 ${pct(screened, enrolled)}，低于 ${share(min)}`)
  }
  text.push(`心理档案：全校在籍 ${fmt(enrolledAll)}，已有测评记录 ${fmt(withRecord)}${enrolledAll ? `（${pct(withRecord, enrolledAll)}）` : ''}。`)
  return result({ text, flags, missing, figures })
}

// ---------------------------------------------------------------------------------------------
// 5 三个必谈 + 师生结对

const TALK_KINDS: Record<string, string> = { semester: '每学期必谈', monthly: '每月必谈', holiday_return: '返校必谈' }

async function talksPairings(c: Ctx, r: ItemRules): Promise<Measured> {
  const byClass = await complianceByClass(c.ex, c.schoolId, { from: c.from, to: c.to })
  const names = new Map((await rows<{ id: string; name: string }>(c.ex, sql`select id, name from classes where school_id = ${c.schoolId}`)).map((x) => [x.id, x.name]))
  const sum = (xs: typeof byClass) => xs.reduce((a, x) => ({
    total: a.total + x.total, done: a.done + x.done, late: a.late + x.doneLate, overdue: a.overdue + x.overdue, open: a.open + x.open,
  }), { total: 0, done: 0, late: 0, overdue: 0, open: 0 })
  const all = sum(byClass)
  const decided = all.total - all.open
  const [p] = await rows<Record<string, unknown>>(c.ex, sql`
    select count(*) as pairings, count(distinct student_id) as students, count(distinct mentor_id) as mentors
    from pairings where school_id = ${c.schoolId} and team_id is null and start_date <= ${c.to}::date
      and (ended_at is null or (ended_at at time zone ${c.tz}::text)::date >= ${c.from}::date)`)
  const [mc] = await rows<Record<string, unknown>>(c.ex, sql`
    select count(*) as contacts from mentor_contacts mc join pairings pr on pr.school_id = mc.school_id and pr.id = mc.pairing_id
    where mc.school_id = ${c.schoolId} and pr.team_id is null and mc.contact_date between ${c.from}::date and ${c.to}::date`)
  const asOf = c.to < c.asOf ? c.to : c.asOf
  const [cl] = await rows<Record<string, unknown>>(c.ex, sql`
    with listed as (
      select distinct student_id from care_list where school_id = ${c.schoolId}
        and (added_at at time zone ${c.tz}::text)::date <= ${asOf}::date
        and (removed_at is null or (removed_at at time zone ${c.tz}::text)::date > ${asOf}::date)
    )
    select count(*) as listed, count(*) filter (where exists (
      select 1 from pairings pr where pr.school_id = ${c.schoolId} and pr.student_id = l.student_id and pr.start_date <= ${asOf}::date
        and (pr.ended_at is null or (pr.ended_at at time zone ${c.tz}::text)::date >= ${asOf}::date))) as paired
    from listed l`)
  const figures: Record<string, number> = {
    talksDue: all.total, talksOnTime: all.done, talksLate: all.late, talksMissed: all.overdue, talksOpen: all.open,
    pairings: num(p?.pairings), pairedStudents: num(p?.students), mentors: num(p?.mentors), mentorContacts: num(mc?.contacts),
    careListed: num(cl?.listed), careListedPaired: num(cl?.paired),
  }
  const text: string[] = []
  const flags: string[] = []
  const missing: string[] = []
  if (all.total === 0) missing.push('本期没有"三个必谈"任务（请检查谈话规则与校历）')
  else {
    text.push(`三个必谈：本期应谈 ${fmt(all.total)} 人次，按时 ${fmt(all.done)}${decided ? `（${pct(all.done, decided)}）` : ''}，逾期完成 ${fmt(all.late)}，未谈 ${fmt(all.overdue)}`
      + (all.open ? `，未到期 ${fmt(all.open)}` : '') + '。')
    const parts: string[] = []
    for (const [kind, label] of Object.entries(TALK_KINDS)) {
      const k = sum(byClass.filter((x) => x.kind === kind))
      figures[`talksDue.${kind}`] = k.total
      figures[`talksOnTime.${kind}`] = k.done
      if (k.total) parts.push(`${label} ${fmt(k.total)} 人次、按时 ${fmt(k.done)}`)
    }
    if (parts.length) text.push(`其中${parts.join('；')}。`)
    if (r.talkOnTimeMin !== undefined && decided > 0 && all.done / decided < r.talkOnTimeMin) {
      flags.push(`三个必谈按时率 ${pct(all.done, decided)}，低于 ${share(r.talkOnTimeMin)}`)
    }
    const perClass = new Map<string, number>()
    for (const x of byClass) if (x.overdue) perClass.set(x.classId, (perClass.get(x.classId) ?? 0) + x.overdue)
    if (perClass.size) {
      const worst = [...perClass].sort((a, b) => b[1] - a[1]).slice(0, 6)
      flags.push(`三个必谈未谈：${perClass.size} 个班（${worst.map(([id, n]) => `${names.get(id) ?? '某班'} ${n} 人次`).join('、')}${perClass.size > 6 ? ' 等' : ''}）`)
    }
  }
  text.push(`师生结对：本期结对 ${fmt(figures.pairings!)} 对（学生 ${fmt(figures.pairedStudents!)} 人，结对教师 ${fmt(figures.mentors!)} 人），帮扶记录 ${fmt(figures.mentorContacts!)} 次。`)
  if (figures.careListed) {
    text.push(`关注学生 ${fmt(figures.careListed)} 人，已结对 ${fmt(figures.careListedPaired!)} 人。`)
    if (r.careListPairedMin !== undefined && figures.careListedPaired! / figures.careListed < r.careListPairedMin) {
      flags.push(`师生结对：关注学生 ${figures.careListed} 人中 ${figures.careListed - figures.careListedPaired!} 人未结对`)
    }
  }
  return result({ text, flags, missing, figures })
}

// ---------------------------------------------------------------------------------------------
// 6 多帮一

const GROUP_LABELS = { special_students: '特殊群体学生团体辅导', special_parents: '特殊群体学生家长团体辅导' } as const

async function manyHelpOne(c: Ctx, r: ItemRules): Promise<Measured> {
  const groups = await rows<{ kind: string; n: number | string; people: number | string }>(c.ex, sql`
    select kind, count(*) as n, coalesce(sum(attendance), 0) as people from group_sessions
    where school_id = ${c.schoolId} and session_date between ${c.from}::date and ${c.to}::date group by kind`)
  const [t] = await rows<Record<string, unknown>>(c.ex, sql`
    with teams as (
      select id from support_teams where school_id = ${c.schoolId} and start_date <= ${c.to}::date
        and (ended_at is null or (ended_at at time zone ${c.tz}::text)::date >= ${c.from}::date)
    )
    select (select count(*) from teams) as teams,
      (select count(*) from pairings pr where pr.school_id = ${c.schoolId} and pr.team_id in (select id from teams)) as members`)
  const figures: Record<string, number> = { teams: num(t?.teams), teamMembers: num(t?.members) }
  const text: string[] = []
  const flags: string[] = []
  const missing: string[] = []
  for (const [kind, label] of Object.entries(GROUP_LABELS)) {
    const g = groups.find((x) => x.kind === kind)
    const n = num(g?.n)
    figures[`groups.${kind}`] = n
    figures[`attendance.${kind}`] = num(g?.people)
    text.push(`${label} ${n} 次（${fmt(num(g?.people))} 人次）。`)
    const need = (r.groupSessionsPerTerm?.[kind as keyof typeof GROUP_LABELS] ?? 0) * c.termCount
    if (n < need) flags.push(`${label}：本期 ${n} 次，应至少 ${need} 次`)
  }
  text.push(`帮扶小组 ${figures.teams} 个，成员 ${figures.teamMembers} 人次。`)
  const anyGroup = figures['groups.special_students']! + figures['groups.special_parents']!
  if (anyGroup === 0 && figures.teams === 0) {
    missing.push('本期没有特殊群体团体辅导或帮扶小组记录')
    return result({ text, flags: [], missing, figures })
  }
  return result({ text, flags, missing, figures })
}

// ---------------------------------------------------------------------------------------------
// 7 家校协同

const CHANNELS: Record<string, string> = { phone: '电话', meeting: '面谈', home_visit: '家访', online: '线上' }
const HOME_SCHOOL: Record<string, string> = { parent_school: '家长学校', home_visit: '家访活动', parent_meeting: '家长会' }

async function homeSchool(c: Ctx, r: ItemRules): Promise<Measured> {
  const contacts = await rows<{ channel: string; n: number | string; students: number | string }>(c.ex, sql`
    select channel, count(*) as n, count(distinct student_id) as students from parent_contacts
    where school_id = ${c.schoolId} and contact_date between ${c.from}::date and ${c.to}::date group by rollup (channel)`)
  const acts = await rows<{ kind: string; n: number | string; people: number | string }>(c.ex, sql`
    select kind, count(*) as n, coalesce(sum(attendance), 0) as people from home_school_activities
    where school_id = ${c.schoolId} and activity_date between ${c.from}::date and ${c.to}::date group by kind`)
  const total = contacts.find((x) => x.channel === null)
  const figures: Record<string, number> = { parentContacts: num(total?.n), contactedStudents: num(total?.students) }
  const text: string[] = []
  const flags: string[] = []
  const missing: string[] = []
  const byChannel = contacts.filter((x) => x.channel !== null).map((x) => {
    figures[`contacts.${x.channel}`] = num(x.n)
    return `${CHANNELS[x.channel] ?? '其他'} ${fmt(num(x.n))}`
  })
  text.push(`家校沟通 ${fmt(figures.parentContacts!)} 次，涉及学生 ${fmt(figures.contactedStudents!)} 人${byChannel.length ? `（${byChannel.join('，')}）` : ''}。`)
  let actTotal = 0
  for (const [kind, label] of Object.entries(HOME_SCHOOL)) {
    const a = acts.find((x) => x.kind === kind)
    const n = num(a?.n)
    actTotal += n
    figures[`activities.${kind}`] = n
    figures[`attendance.${kind}`] = num(a?.people)
    text.push(`${label} ${n} 次（${fmt(num(a?.people))} 人次）。`)
    const need = (r.homeSchoolPerTerm?.[kind as keyof typeof r.homeSchoolPerTerm] ?? 0) * c.termCount
    if (n < need) flags.push(`${label}：本期 ${n} 次，应至少 ${need} 次`)
  }
  if (figures.parentContacts === 0 && actTotal === 0) {
    missing.push('本期没有家校沟通或家校活动记录')
    return result({ text, flags: [], missing, figures })
  }
  return result({ text, flags, missing, figures })
}

// ---------------------------------------------------------------------------------------------
// 8 队伍建设

async function staffing(c: Ctx, r: ItemRules): Promise<Measured> {
  const [s] = await rows<Record<string, unknown>>(c.ex, sql`
    select count(*) filter (where employment = 'full_time') as full_time,
      count(*) filter (where employment = 'part_time') as part_time,
      count(*) filter (where cardinality(qualifications) > 0) as certified,
      count(*) filter (where employment = 'full_time' and cardinality(qualifications) = 0) as full_time_uncertified,
      (select count(*) from students st where st.school_id = ${c.schoolId} and st.status = 'enrolled') as enrolled
    from staff_profiles where school_id = ${c.schoolId}`)
  const figures = {
    fullTime: num(s?.full_time), partTime: num(s?.part_time), certified: num(s?.certified),
    fullTimeUncertified: num(s?.full_time_uncertified), enrolled: num(s?.enrolled),
  }
  const text: string[] = []
  const flags: string[] = []
  const missing: string[] = []
  const staff = figures.fullTime + figures.partTime
  if (staff === 0) missing.push('未登记心理健康教师')
  text.push(`心理健康教师：专职 ${figures.fullTime} 人，兼职 ${figures.partTime} 人，持证 ${figures.certified} 人；全校在籍学生 ${fmt(figures.enrolled)} 人。`)
  if (r.largeSchoolEnrolment !== undefined && figures.enrolled >= r.largeSchoolEnrolment && figures.fullTime < (r.fullTimeNeeded ?? 1)) {
    flags.push(`专职心理教师：在籍 ${r.largeSchoolEnrolment} 人以上的学校应至少 ${r.fullTimeNeeded ?? 1} 人，现有 ${figures.fullTime} 人`)
  }
  if (r.fullTimeCertified && figures.fullTimeUncertified) flags.push(`持证上岗：专职心理教师 ${figures.fullTimeUncertified} 人未登记证书`)
  return result({ text, flags, missing, figures })
}

// ---------------------------------------------------------------------------------------------
// 9 培训

async function training(c: Ctx, r: ItemRules): Promise<Measured> {
  const [t] = await rows<Record<string, unknown>>(c.ex, sql`
    select count(*) as courses, coalesce(sum(hours), 0)::text as hours,
      count(distinct coalesce(user_id::text, 'n:' || name)) as people
    from staff_trainings where school_id = ${c.schoolId} and completed_on between ${c.from}::date and ${c.to}::date`)
  const [p] = await rows<Record<string, unknown>>(c.ex, sql`
    select count(*) as staff, count(*) filter (where exists (
      select 1 from staff_trainings tr where tr.school_id = sp.school_id and tr.completed_on between ${c.from}::date and ${c.to}::date
        and ((sp.user_id is not null and tr.user_id = sp.user_id) or (sp.user_id is null and tr.user_id is null and tr.name = sp.name)))) as trained,
      coalesce((select sum(tr.hours) from staff_trainings tr where tr.school_id = ${c.schoolId}
        and tr.completed_on between ${c.from}::date and ${c.to}::date
        and exists (select 1 from staff_profiles x where x.school_id = tr.school_id
          and ((x.user_id is not null and x.user_id = tr.user_id) or (x.user_id is null and tr.user_id is null and x.name = tr.name)))), 0)::text as hours
    from staff_profiles sp where sp.school_id = ${c.schoolId}`)
  const [h] = await rows<Record<string, unknown>>(c.ex, sql`
    with ht as (
      select distinct ur.user_id from user_roles ur join users u on u.id = ur.user_id
      where ur.school_id = ${c.schoolId} and ur.role = 'homeroom_teacher' and u.status = 'active'
    )
    select count(*) as homeroom, count(*) filter (where exists (
      select 1 from staff_trainings tr where tr.school_id = ${c.schoolId} and tr.user_id = ht.user_id
        and tr.completed_on between ${c.from}::date and ${c.to}::date)) as trained
    from ht`)
  const figures = {
    courses: num(t?.courses), hours: Number(t?.hours ?? 0), people: num(t?.people),
    psychStaff: num(p?.staff), psychStaffTrained: num(p?.trained), psychHours: Number(p?.hours ?? 0),
    homeroomTeachers: num(h?.homeroom), homeroomTrained: num(h?.trained),
  }
  const text: string[] = []
  const flags: string[] = []
  const missing: string[] = []
  if (figures.courses === 0) missing.push('本期没有教师培训记录')
  else text.push(`本期培训 ${figures.courses} 人次，共 ${fmt(figures.hours)} 学时（${figures.people} 人）。`)
  text.push(`心理健康教师 ${figures.psychStaff} 人中 ${figures.psychStaffTrained} 人参加培训（${fmt(figures.psychHours)} 学时）。`)
  text.push(`班主任 ${figures.homeroomTeachers} 人中 ${figures.homeroomTrained} 人参加培训${figures.homeroomTeachers ? `（${pct(figures.homeroomTrained, figures.homeroomTeachers)}）` : ''}。`)
  if (figures.courses) {
    if (r.psychStaffTrained && figures.psychStaffTrained < figures.psychStaff) {
      flags.push(`心理健康教师培训：${figures.psychStaff - figures.psychStaffTrained} 人本期没有培训记录`)
    }
    if (r.homeroomTrainedMin !== undefined && figures.homeroomTeachers > 0 && figures.homeroomTrained / figures.homeroomTeachers < r.homeroomTrainedMin) {
      flags.push(`班主任培训：参训比例 ${pct(figures.homeroomTrained, figures.homeroomTeachers)}，低于 ${share(r.homeroomTrainedMin)}`)
    }
  }
  return result({ text, flags, missing, figures })
}

// ---------------------------------------------------------------------------------------------
// 10 危机干预

async function crisis(c: Ctx, r: ItemRules): Promise<Measured> {
  const [plan] = await rows<{ version: number | string; adopted_on: string }>(c.ex, sql`
    select version, adopted_on::text as adopted_on from emergency_plans
    where school_id = ${c.schoolId} and adopted_on <= ${c.to}::date order by version desc limit 1`)
  const [d] = await rows<Record<string, unknown>>(c.ex, sql`
    select count(*) as drills, max(drill_date)::text as last, coalesce(sum(participants), 0) as people from emergency_drills
    where school_id = ${c.schoolId} and drill_date between ${c.from}::date and ${c.to}::date`)
  const [e] = await rows<Record<string, unknown>>(c.ex, sql`
    select count(*) as events,
      count(*) filter (where exists (select 1 from safety_assessments sa where sa.school_id = ce.school_id and sa.crisis_id = ce.id)) as assessed,
      count(*) filter (where ce.status = 'resolved') as resolved
    from crisis_events ce where ce.school_id = ${c.schoolId}
      and (ce.opened_at at time zone ${c.tz}::text)::date between ${c.from}::date and ${c.to}::date`)
  const figures = {
    planVersion: plan ? num(plan.version) : 0, drills: num(d?.drills), drillParticipants: num(d?.people),
    crisisEvents: num(e?.events), crisisAssessed: num(e?.assessed), crisisResolved: num(e?.resolved),
  }
  const text: string[] = []
  const flags: string[] = []
  const missing: string[] = []
  if (plan) text.push(`应急预案：现行第 ${figures.planVersion} 版（${cnDay(plan.adopted_on)}通过）。`)
  else if (r.requireEmergencyPlan) missing.push('未登记心理危机干预应急预案')
  text.push(figures.drills ? `本期应急演练 ${figures.drills} 次（最近一次 ${cnDay(d?.last)}，参与 ${fmt(figures.drillParticipants)} 人次）。` : '本期没有应急演练。')
  const needDrills = (r.drillsPerTerm ?? 0) * c.termCount
  if (figures.drills < needDrills) flags.push(`应急演练：本期 ${figures.drills} 次，应至少 ${needDrills} 次`)
  text.push(figures.crisisEvents
    ? `本期危机事件 ${figures.crisisEvents} 起，已做安全评估 ${figures.crisisAssessed} 起，已处置完毕 ${figures.crisisResolved} 起。`
    : '本期未发生心理危机事件。')
  if (r.assessedCrisisMin !== undefined && figures.crisisEvents && figures.crisisAssessed / figures.crisisEvents < r.assessedCrisisMin) {
    flags.push(`危机事件：${figures.crisisEvents - figures.crisisAssessed} 起没有安全评估记录`)
  }
  return result({ text, flags, missing, figures })
}

// ---------------------------------------------------------------------------------------------
// 11 及时转介

async function referralsItem(c: Ctx, r: ItemRules): Promise<Measured> {
  const asOf = c.to < c.asOf ? c.to : c.asOf
  const [x] = await rows<Record<string, unknown>>(c.ex, sql`
    select count(*) filter (where (proposed_at at time zone ${c.tz}::text)::date between ${c.from}::date and ${c.to}::date) as opened,
      count(*) filter (where (closed_at at time zone ${c.tz}::text)::date between ${c.from}::date and ${c.to}::date) as closed,
      count(*) filter (where (reassessed_at at time zone ${c.tz}::text)::date between ${c.from}::date and ${c.to}::date) as reassessed,
      count(*) filter (where state not in ('closed', 'withdrawn') and (proposed_at at time zone ${c.tz}::text)::date <= ${c.to}::date) as open_now,
      count(*) filter (where state in (${list([...AWAITING_FEEDBACK])}) and follow_up_date < ${asOf}::date
        and (proposed_at at time zone ${c.tz}::text)::date <= ${c.to}::date) as overdue
    from referrals where school_id = ${c.schoolId}`)
  const figures = {
    referralsOpened: num(x?.opened), referralsClosed: num(x?.closed), referralsReassessed: num(x?.reassessed),
    referralsOpen: num(x?.open_now), referralsOverdue: num(x?.overdue),
  }
  const text = [figures.referralsOpened
    ? `本期转介 ${figures.referralsOpened} 人次，结案 ${figures.referralsClosed} 人次，复学评估 ${figures.referralsReassessed} 人次。`
    : `本期没有新的转介（结案 ${figures.referralsClosed} 人次）。`,
  `目前未结转介 ${figures.referralsOpen} 人次，其中超过跟进日期未获反馈 ${figures.referralsOverdue} 人次。`]
  const flags: string[] = []
  if (r.overdueReferralsMax !== undefined && figures.referralsOverdue > r.overdueReferralsMax) {
    flags.push(`及时转介：${figures.referralsOverdue} 人次超过跟进日期未获反馈`)
  }
  return result({ text, flags, missing: [], figures })
}

// ---------------------------------------------------------------------------------------------

const MEASURES: Record<Exclude<ChecklistItem['measure'], 'outside'>, (c: Ctx, r: ItemRules) => Promise<Measured>> = {
  organisation, lessons, activities, screening, talks_pairings: talksPairings, many_help_one: manyHelpOne,
  home_school: homeSchool, staffing, training, crisis, referrals: referralsItem,
}

/** 2026-09-01 → 2026-2027 */
function schoolYearOf(d: string): string {
  const y = Number(d.slice(0, 4))
  const start = Number(d.slice(5, 7)) >= 9 ? y : y - 1
  return `${start}-${start + 1}`
}

async function context(ex: Executor, schoolId: string, period: SelfCheckPeriod, opts: EvaluateOptions): Promise<Ctx> {
  const tz = opts.timeZone ?? 'Asia/Shanghai'
  const asOf = opts.today ?? schoolDay(new Date(), tz)
  const yesterday = addDays(asOf, -1)
  const terms = (await rows<{ start: string; end: string; school_year: string }>(ex, sql`
    select start_date::text as start, end_date::text as "end", school_year from terms
    where school_id = ${schoolId} and start_date <= ${period.to}::date and end_date >= ${period.from}::date order by start_date`))
    .map((t) => ({ start: t.start, end: t.end, schoolYear: t.school_year }))
  const holidays = await rows<{ start: string; end: string }>(ex, sql`
    select start_date::text as start, end_date::text as "end" from holidays
    where school_id = ${schoolId} and start_date <= ${period.to}::date and end_date >= ${period.from}::date`)
  const years = new Set(terms.map((t) => t.schoolYear))
  if (years.size === 0) years.add(schoolYearOf(period.from))
  return {
    ex, schoolId, from: period.from, to: period.to, asOf, tz,
    closedUntil: period.to < yesterday ? period.to : yesterday,
    terms, termCount: Math.max(1, terms.length), schoolYears: [...years].sort(), holidays,
  }
}

/**
 * Every item of the checklist for one school and period, measured from the records. An item
 * with no evidence at all is 'missing' and its text says which record is absent; one below a
 * rule is 'flagged' with a sentence per shortfall; campus-security items are 'outside'.
 */
export async function evaluateSelfCheck(ex: Executor, schoolId: string, period: SelfCheckPeriod, checklistId?: string,
  opts: EvaluateOptions = {}): Promise<SelfCheckResult> {
  const checklist: Checklist | undefined = checklistById(checklistId)
  if (!checklist) throw new UnknownChecklist(checklistId ?? '')
  const c = await context(ex, schoolId, period, opts)
  const items: SelfCheckItem[] = []
  // One statement at a time: the embedded database runs one anyway, and a transaction's
  // statements cannot overlap on one connection.
  for (const item of checklist.items) {
    if (item.measure === 'outside') {
      items.push({ code: item.code, status: 'outside', text: item.outsideText ?? '不在本系统记录范围。', flags: [], figures: {} })
      continue
    }
    items.push({ code: item.code, ...await MEASURES[item.measure](c, item.rules) })
  }
  return { checklistId: checklist.id, schoolId, period, asOf: c.asOf, items }
}
