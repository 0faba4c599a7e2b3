import { ezhou2023 } from './ezhou-2023.js'

/**
 * A district's inspection checklist (专项督导任务清单) as data: its items in the form's own
 * layout and the rules the self-check measures them against. The measures themselves (what
 * is counted in which records) live in the engine (self-check/facts.ts); a checklist picks
 * one per item and sets its thresholds, so a district with another list writes a file like
 * ezhou-2023.ts and adds it to CHECKLISTS.
 */

/** How often a lesson is due: per calendar week, per two weeks from the period's start, per calendar month. */
export type LessonWindow = 'week' | 'two_weeks' | 'month'

export interface LessonRule {
  /** lesson_records.kind */
  kind: 'life_safety' | 'mental_health' | 'class_meeting' | 'sunshine'
  /** What the form calls the lesson, e.g. 心理健康教育课. */
  label: string
  per: LessonWindow
  /** 课时 per class and window, at least. */
  minPeriods: number
  /** The rule in the form's words, e.g. 每两周1节. */
  ruleText: string
  /** What one entry counts as: 课时 unless said otherwise (阳光5分钟 counts 次). */
  unit?: string
}

export interface ActivityRule {
  /** school_activities.kind */
  kind: 'mental_health_day' | 'mental_health_month' | 'opening_ceremony' | 'other'
  label: string
  /** Required in a period that holds this month and day (MM-DD), or in every term. */
  due: { monthDay: string } | 'every_term'
}

export interface ItemRules {
  /** 组织保障 */
  meetingsPerTerm?: number
  requireLeader?: boolean
  requirePlan?: boolean
  requireBudget?: boolean
  /** 课程 */
  lessons?: LessonRule[]
  /** 活动 */
  activities?: ActivityRule[]
  /** 测评建档: share of the enrolled pupils of the screened grades who were screened. */
  screeningCoverageMin?: number
  /** 三个必谈: share of decided talk duties done on time. */
  talkOnTimeMin?: number
  /** 师生结对: share of the pupils on the care list who have an active pairing. */
  careListPairedMin?: number
  /** 多帮一: group sessions per term for each group (groups_sessions.kind). */
  groupSessionsPerTerm?: Partial<Record<'special_students' | 'special_parents', number>>
  /** 家校协同: home-school activities per term for each kind (home_school_activities.kind). */
  homeSchoolPerTerm?: Partial<Record<'parent_school' | 'home_visit' | 'parent_meeting', number>>
  /** 队伍建设: from this enrolment a school needs fullTimeNeeded full-time psychology teachers. */
  largeSchoolEnrolment?: number
  fullTimeNeeded?: number
  /** Every full-time psychology teacher holds a certificate. */
  fullTimeCertified?: boolean
  /** 培训: share of homeroom teachers with a training in the period. */
  homeroomTrainedMin?: number
  /** Every psychology teacher on the staffing list has a training in the period. */
  psychStaffTrained?: boolean
  /** 危机干预 */
  requireEmergencyPlan?: boolean
  drillsPerTerm?: number
  /** Share of the period's crisis events with a safety assessment on record. */
  assessedCrisisMin?: number
  /** 及时转介: open referrals past their follow-up date, at most. */
  overdueReferralsMax?: number
}

/**
 * Which measure of the engine fills the item's 具体落实情况. `outside` is an item XinAn keeps no
 * records for (campus security): its row says so instead of staying blank.
 */
export type Measure =
  | 'organisation' | 'lessons' | 'activities' | 'screening' | 'talks_pairings' | 'many_help_one'
  | 'home_school' | 'staffing' | 'training' | 'crisis' | 'referrals' | 'outside'

export interface ChecklistItem {
  /** The item's number on the form, e.g. "1" … "13"; 整改 items refer to it. */
  code: string
  /** 考核要点 */
  point: string
  /** 主要工作任务 */
  tasks: string[]
  /** 督导方式 */
  method: string
  measure: Measure
  rules: ItemRules
  /** For an `outside` item: what its row says. */
  outsideText?: string
}

export interface Checklist {
  id: string
  /** The form's title. */
  title: string
  /** Where the list comes from, named on every export. */
  source: string
  /** How faithful the wording is to the source. */
  wordingNote: string
  /** The form's column headings, in order. */
  columns: { code: string; point: string; tasks: string; method: string; facts: string; remarks: string }
  items: ChecklistItem[]
}

export const DEFAULT_CHECKLIST_ID = ezhou2023.id

export const CHECKLISTS: Record<string, Checklist> = {
  [ezhou2023.id]: ezhou2023,
}

/** The checklist by id; the default when none is named. Unknown ids are undefined (the caller answers 404/422). */
export function checklistById(id?: string | null): Checklist | undefined {
  return CHECKLISTS[id ?? DEFAULT_CHECKLIST_ID]
}
