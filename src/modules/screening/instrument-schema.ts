import { z } from 'zod'
import { RiskLevels } from './risk-levels.js'

/**
 * What an instrument is, as data: items with zh-CN and en text, response options,
 * scoring, bands with a suggested risk level, safety items and the licence notice. Built-in
 * instruments (instruments/*.ts) and a school's own uploads are checked by the same schema
 * and the same semantic checks, so scoring never meets a definition it cannot handle.
 */

const Text = z.strictObject({
  'zh-CN': z.string().trim().min(1).max(1000),
  en: z.string().trim().min(1).max(1000),
})
export type LocalText = z.infer<typeof Text>

const SmallInt = z.number().int().min(0).max(1000)

export const ResponseOption = z.strictObject({ value: SmallInt, label: Text })

export const InstrumentItem = z.strictObject({
  no: z.number().int().min(1).max(200),
  text: Text,
  /**
   * A follow-up asked only when one of `items` was answered at or above `minAnswer` (ASQ
   * question 5 follows a yes to any of 1–4). Not asked, its answer is the lowest option: an
   * entry must send that value, an import row may leave the cell empty.
   */
  askedIf: z.strictObject({
    items: z.array(z.number().int().min(1).max(200)).min(1).max(20),
    minAnswer: SmallInt,
  }).optional(),
})

export const ScoreBand = z.strictObject({
  /** Stable code stored on each response (minimal, mild …). */
  code: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/),
  min: SmallInt,
  max: SmallInt,
  label: Text,
  suggestedRisk: z.enum(RiskLevels),
})

/**
 * A safety item: an answer at or above `minAnswer` opens a crisis event the same day,
 * whatever the total (PHQ-9 item 9), and raises the suggested risk to `suggestedRisk`.
 */
export const SafetyItem = z.strictObject({
  item: z.number().int().min(1).max(200),
  minAnswer: SmallInt,
  suggestedRisk: z.enum(RiskLevels),
  note: Text,
  /** A band of `flagBands` the response takes when this item is crossed, whatever the total (ASQ acute positive). */
  band: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/).optional(),
})

/** A result named by a safety item rather than by the total (ASQ: 急性阳性 acute positive). */
export const FlagBand = z.strictObject({
  code: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/),
  label: Text,
  suggestedRisk: z.enum(RiskLevels),
})

/**
 * Whether the zh-CN wording is an official or validated translation. Wording written for XinAn
 * without one is shipped as awaiting clinical review (待临床审核) and shown so wherever the items are;
 * a school replaces it with its own reviewed wording as a new version of the instrument.
 */
export const TranslationReview = z.strictObject({
  'zh-CN': z.enum(['official', 'reviewed', 'pending_clinical_review']),
  note: Text.optional(),
})

export const InstrumentDefinition = z.strictObject({
  code: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,31}$/),
  version: z.number().int().min(1).max(1000),
  name: Text,
  /** Who the wording is written for. */
  audience: z.enum(['adult', 'adolescent', 'child', 'any']).default('any'),
  instructions: Text,
  /**
   * Import column prefixes: PHQ → PHQ1 … PHQ9. Letters only; two instruments of one campaign
   * may not share one.
   */
  columnPrefixes: z.array(z.string().regex(/^[A-Za-z]{1,12}$/)).min(1).max(4),
  options: z.array(ResponseOption).min(2).max(11),
  items: z.array(InstrumentItem).min(1).max(200),
  scoring: z.strictObject({ method: z.literal('sum') }),
  bands: z.array(ScoreBand).min(1).max(12),
  safetyItems: z.array(SafetyItem).max(20).default([]),
  flagBands: z.array(FlagBand).max(12).optional(),
  translation: TranslationReview.optional(),
  /** The copyright / permission notice, shown wherever the items are. */
  licence: z.string().trim().min(1).max(2000),
  source: z.string().trim().max(1000).optional(),
})
export type InstrumentDefinition = z.infer<typeof InstrumentDefinition>

/**
 * A text replacement of another definition: the same code, items, options, scoring, bands and
 * safety rules, only the wording (names, instructions, item and option texts, notes, the
 * translation's review state) differs. A school may replace a built-in instrument's wording
 * this way; anything that changes what an answer means needs its own code.
 */
export function sameStructure(a: InstrumentDefinition, b: InstrumentDefinition): boolean {
  const shape = (d: InstrumentDefinition) => JSON.stringify({
    code: d.code.toUpperCase(),
    columnPrefixes: d.columnPrefixes.map((p) => p.toUpperCase()),
    options: d.options.map((o) => o.value),
    items: d.items.map((i) => ({ no: i.no, askedIf: i.askedIf ?? null })),
    scoring: d.scoring,
    bands: d.bands.map((x) => [x.code, x.min, x.max, x.suggestedRisk]),
    flagBands: (d.flagBands ?? []).map((x) => [x.code, x.suggestedRisk]),
    safetyItems: d.safetyItems.map((x) => [x.item, x.minAnswer, x.suggestedRisk, x.band ?? null]),
  })
  return shape(a) === shape(b)
}

/** Lowest and highest total the options allow. */
export function scoreRange(def: Pick<InstrumentDefinition, 'options' | 'items'>): { min: number; max: number } {
  const values = def.options.map((o) => o.value)
  return { min: Math.min(...values) * def.items.length, max: Math.max(...values) * def.items.length }
}

/**
 * Checks zod cannot express: items numbered 1…n in order, distinct option values, bands that
 * tile the whole score range without gaps or overlaps, safety items that name real items and
 * reachable answers. Returns the problems (empty when the definition is sound).
 */
export function definitionProblems(def: InstrumentDefinition): string[] {
  const problems: string[] = []
  def.items.forEach((item, i) => {
    if (item.no !== i + 1) problems.push(`items[${i}].no must be ${i + 1}`)
  })
  const values = def.options.map((o) => o.value)
  if (new Set(values).size !== values.length) problems.push('options: values must be distinct')
  const range = scoreRange(def)
  const bands = [...def.bands].sort((a, b) => a.min - b.min)
  if (new Set(def.bands.map((b) => b.code)).size !== def.bands.length) problems.push('bands: codes must be distinct')
  let next = range.min
  for (const b of bands) {
    if (b.min > b.max) problems.push(`bands.${b.code}: min is above max`)
    if (b.min !== next) problems.push(`bands.${b.code}: starts at ${b.min}, expected ${next} (no gaps or overlaps)`)
    next = b.max + 1
  }
  if (bands.length && next - 1 !== range.max) problems.push(`bands: must end at the highest possible total ${range.max}`)
  const maxValue = Math.max(...values)
  const flagCodes = (def.flagBands ?? []).map((b) => b.code)
  if (new Set(flagCodes).size !== flagCodes.length) problems.push('flagBands: codes must be distinct')
  for (const c of flagCodes) if (def.bands.some((b) => b.code === c)) problems.push(`flagBands.${c}: a band of the total has this code`)
  for (const s of def.safetyItems) {
    if (s.item > def.items.length) problems.push(`safetyItems: item ${s.item} does not exist`)
    if (s.minAnswer > maxValue) problems.push(`safetyItems: item ${s.item} threshold ${s.minAnswer} can never be reached`)
    if (s.band !== undefined && !flagCodes.includes(s.band)) problems.push(`safetyItems: item ${s.item} names band ${s.band}, which flagBands does not have`)
  }
  def.items.forEach((item, i) => {
    for (const no of item.askedIf?.items ?? []) {
      if (no >= item.no) problems.push(`items[${i}].askedIf: item ${no} does not come before item ${item.no}`)
    }
    if (item.askedIf && item.askedIf.minAnswer > maxValue) problems.push(`items[${i}].askedIf: threshold ${item.askedIf.minAnswer} can never be reached`)
  })
  const prefixes = def.columnPrefixes.map((p) => p.toUpperCase())
  if (new Set(prefixes).size !== prefixes.length) problems.push('columnPrefixes: must be distinct')
  return problems
}
