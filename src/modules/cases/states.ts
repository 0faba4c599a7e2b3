/**
 * 个案状态: open → intervening → monitoring → closed, with a relapse back to intervening
 * from monitoring, a close from any open state (a case can end early: transferred, referred
 * out, no intervention needed) and a reopen of a closed case. Nothing else.
 */
export const CaseStates = ['open', 'intervening', 'monitoring', 'closed'] as const
export type CaseState = (typeof CaseStates)[number]

export const CASE_STATE_TEXT: Record<CaseState, string> = {
  open: '已开案', intervening: '干预中', monitoring: '跟踪观察', closed: '已结案',
}

const ALLOWED: Record<CaseState, readonly CaseState[]> = {
  open: ['intervening', 'closed'],
  intervening: ['monitoring', 'closed'],
  monitoring: ['intervening', 'closed'],
  closed: ['open'],
}

export function canTransition(from: string, to: CaseState): boolean {
  return (CaseStates as readonly string[]).includes(from) && ALLOWED[from as CaseState].includes(to)
}

export const CaseSources = ['screening', 'alert', 'talk', 'referral_back', 'letter', 'other'] as const

export const CrisisStatuses = ['open', 'acknowledged', 'resolved'] as const

/** First steps of a crisis response (危机处置清单), in the order they are usually taken. */
export const CrisisSteps = ['parent_notified', 'escort', 'safety_assessment', 'leader_informed', 'referral_considered'] as const
export type CrisisStep = (typeof CrisisSteps)[number]

export const CRISIS_STEP_TEXT: Record<CrisisStep, { 'zh-CN': string; en: string }> = {
  parent_notified: { 'zh-CN': '家长已通知', en: 'Parents notified' },
  escort: { 'zh-CN': '专人陪护', en: 'Escort in place' },
  safety_assessment: { 'zh-CN': '安全评估完成', en: 'Safety assessment done' },
  leader_informed: { 'zh-CN': '已报告学校领导', en: 'School leadership informed' },
  referral_considered: { 'zh-CN': '已考虑转介', en: 'Referral considered' },
}
