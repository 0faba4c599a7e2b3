/**
 * 三个必谈: every student once a semester (每学期必谈), students on the care list once a month
 * (每月必谈), and after each major holiday within N school days of the return (重大节假日返校必谈).
 */
export const DutyKinds = ['semester', 'monthly', 'holiday_return'] as const
export type DutyKind = (typeof DutyKinds)[number]

/** A talk log's kind: one of the duty kinds, or a talk outside the three (it fulfils nothing). */
export const LogKinds = [...DutyKinds, 'other'] as const
export type LogKind = (typeof LogKinds)[number]

export const Targets = ['all', 'care_list'] as const
export type Target = (typeof Targets)[number]

export const DutyStatuses = ['open', 'done', 'done_late', 'overdue'] as const
export type DutyStatus = (typeof DutyStatuses)[number]

export interface RuleValues {
  target: Target
  /** holiday_return only: the talk is due by the N-th school day after the return. */
  withinSchoolDays: number | null
  active: boolean
}

/**
 * What applies to a school that has not set a rule of that kind. Five school days (one
 * school week) after a major holiday is the usual 返校 window.
 */
export const DEFAULT_RULES: Record<DutyKind, RuleValues> = {
  semester: { target: 'all', withinSchoolDays: null, active: true },
  monthly: { target: 'care_list', withinSchoolDays: null, active: true },
  holiday_return: { target: 'all', withinSchoolDays: 5, active: true },
}
