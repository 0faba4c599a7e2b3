/**
 * 风险等级: the four levels every screening band, care-list entry and case carries. The
 * colour code never travels alone: each answer pairs it with its text (高危 / 较高 / 关注 / 一般).
 */
export const RiskLevels = ['red', 'orange', 'yellow', 'green'] as const
export type RiskLevel = (typeof RiskLevels)[number]

export const RISK_TEXT: Record<RiskLevel, { 'zh-CN': string; en: string; colour: string }> = {
  red: { 'zh-CN': '高危', en: 'High risk', colour: '红' },
  orange: { 'zh-CN': '较高', en: 'Elevated', colour: '橙' },
  yellow: { 'zh-CN': '关注', en: 'Watch', colour: '黄' },
  green: { 'zh-CN': '一般', en: 'General', colour: '绿' },
}

/** Higher number, higher risk; unknown values sort last. */
export function riskRank(level: unknown): number {
  const i = RiskLevels.indexOf(level as RiskLevel)
  return i === -1 ? -1 : RiskLevels.length - i
}

export function isRiskLevel(v: unknown): v is RiskLevel {
  return (RiskLevels as readonly unknown[]).includes(v)
}

export function higherRisk(a: RiskLevel, b: RiskLevel): RiskLevel {
  return riskRank(a) >= riskRank(b) ? a : b
}

/** The zh-CN text of a level (高危 …), or undefined for a value that is not one. */
export function riskText(level: unknown): string | undefined {
  return isRiskLevel(level) ? RISK_TEXT[level]['zh-CN'] : undefined
}

/**
 * Adds `<key>Text` beside each risk field the caller was allowed to read: derived only from
 * a field already in the projected row, so it reveals nothing the projection hid.
 */
export function withRiskText<T extends Record<string, unknown>>(row: T, keys: readonly string[]): T {
  const out: Record<string, unknown> = { ...row }
  for (const k of keys) {
    if (k in row && row[k] !== null && row[k] !== undefined) {
      const text = riskText(row[k])
      if (text) out[`${k}Text`] = text
    }
  }
  return out as T
}
