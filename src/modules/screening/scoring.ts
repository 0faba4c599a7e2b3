import type { InstrumentDefinition } from './instrument-schema.js'
import { higherRisk, type RiskLevel } from './risk-levels.js'

export interface Score {
  totalScore: number
  band: string
  suggestedRisk: RiskLevel
  /** A safety item crossed its threshold: the caller opens a crisis event the same day. */
  safetyFlag: boolean
  /** Item numbers whose safety threshold was crossed. */
  safetyItems: number[]
}

/** Why a set of answers cannot be scored, by item number (1-based) — never the answer itself. */
export interface AnswerProblem { item: number | null; code: 'answer_count' | 'answer_invalid' | 'answer_not_asked' }

/** The lowest option: the answer a follow-up item holds when it was not asked. */
export function notAskedValue(def: InstrumentDefinition): number {
  return Math.min(...def.options.map((o) => o.value))
}

/** Whether a follow-up item (askedIf) is asked, given the answers before it. */
export function isAsked(item: InstrumentDefinition['items'][number], answers: readonly number[]): boolean {
  const cond = item.askedIf
  return !cond || cond.items.some((no) => (answers[no - 1] ?? -1) >= cond.minAnswer)
}

export function answerProblems(def: InstrumentDefinition, answers: readonly number[]): AnswerProblem[] {
  if (answers.length !== def.items.length) return [{ item: null, code: 'answer_count' }]
  const allowed = new Set(def.options.map((o) => o.value))
  const out: AnswerProblem[] = []
  const lowest = notAskedValue(def)
  answers.forEach((a, i) => {
    if (!Number.isInteger(a) || !allowed.has(a)) out.push({ item: i + 1, code: 'answer_invalid' })
    // A follow-up that was not asked cannot hold an answer (ASQ: no yes to 1–4, so 5 was not asked).
    else if (!isAsked(def.items[i]!, answers) && a !== lowest) out.push({ item: i + 1, code: 'answer_not_asked' })
  })
  return out
}

/**
 * Scores one response on the server (never from a file or a client): the sum of the answers,
 * the band it falls in, and the band's suggested risk — raised by any safety item crossed,
 * whatever the total (PHQ-9 item 9 ≥ 1: Kroenke & Spitzer 2002; any yes on ASQ 1–5: NIMH's
 * ASQ pathway; the school's crisis protocol).
 * Throws on answers that do not fit the definition; callers check answerProblems first.
 */
export function scoreAnswers(def: InstrumentDefinition, answers: readonly number[]): Score {
  const problems = answerProblems(def, answers)
  if (problems.length) throw new Error(`answers do not fit ${def.code} v${def.version}`)
  const totalScore = answers.reduce((s, a) => s + a, 0)
  const band = def.bands.find((b) => totalScore >= b.min && totalScore <= b.max)
  if (!band) throw new Error(`${def.code} v${def.version}: no band for a total of ${totalScore}`)
  const safetyItems = def.safetyItems.filter((s) => answers[s.item - 1]! >= s.minAnswer)
  let suggestedRisk: RiskLevel = band.suggestedRisk
  for (const s of safetyItems) suggestedRisk = higherRisk(suggestedRisk, s.suggestedRisk)
  // A crossed safety item that names a band sets it, the riskiest one winning (ASQ item 5: acute positive).
  let bandCode = band.code
  let flagRisk: RiskLevel | undefined
  for (const s of safetyItems) {
    const flag = s.band ? def.flagBands?.find((b) => b.code === s.band) : undefined
    if (flag && (!flagRisk || higherRisk(flag.suggestedRisk, flagRisk) === flag.suggestedRisk)) {
      bandCode = flag.code
      flagRisk = flag.suggestedRisk
      suggestedRisk = higherRisk(suggestedRisk, flag.suggestedRisk)
    }
  }
  return {
    totalScore,
    band: bandCode,
    suggestedRisk,
    safetyFlag: safetyItems.length > 0,
    safetyItems: safetyItems.map((s) => s.item),
  }
}

/** What a crisis event opened by the safety rule says: which item, never the answer or the score. */
export function safetySummary(def: InstrumentDefinition, items: number[]): string {
  return `测评安全条目触发：${def.code} 第${items.join('、')}题（安全规则，无论总分）`
}
