import type { z } from 'zod'
import type { ResponseOption } from '../instrument-schema.js'

/** PHQ-9 / PHQ-A / GAD-7 share the four frequency options over the last two weeks. */
export const FREQUENCY_OPTIONS: Array<z.input<typeof ResponseOption>> = [
  { value: 0, label: { 'zh-CN': '完全不会', en: 'Not at all' } },
  { value: 1, label: { 'zh-CN': '好几天', en: 'Several days' } },
  { value: 2, label: { 'zh-CN': '一半以上的天数', en: 'More than half the days' } },
  { value: 3, label: { 'zh-CN': '几乎每天', en: 'Nearly every day' } },
]

/** Notice the PHQ family carries wherever its items are shown (Pfizer's permission statement). */
export const PFIZER_NOTICE = '© Pfizer Inc., no permission required to reproduce, translate, display or distribute. '
  + 'Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc.'

/**
 * PHQ-9 severity bands (Kroenke, Spitzer & Williams 2001): 0–4 minimal, 5–9 mild, 10–14
 * moderate, 15–19 moderately severe, 20–27 severe. The suggested risk is the school's first
 * reading of the band; the psychology teacher confirms or changes it with a reason.
 */
export const PHQ_BANDS = [
  { code: 'minimal', min: 0, max: 4, label: { 'zh-CN': '无或极轻微', en: 'Minimal' }, suggestedRisk: 'green' },
  { code: 'mild', min: 5, max: 9, label: { 'zh-CN': '轻度', en: 'Mild' }, suggestedRisk: 'yellow' },
  { code: 'moderate', min: 10, max: 14, label: { 'zh-CN': '中度', en: 'Moderate' }, suggestedRisk: 'orange' },
  { code: 'moderately_severe', min: 15, max: 19, label: { 'zh-CN': '中重度', en: 'Moderately severe' }, suggestedRisk: 'orange' },
  { code: 'severe', min: 20, max: 27, label: { 'zh-CN': '重度', en: 'Severe' }, suggestedRisk: 'red' },
] as const

/** Item 9 (thoughts of death or self-harm) answered ≥ 1: a crisis event the same day, whatever the total. */
export const PHQ_ITEM9_SAFETY = {
  item: 9,
  minAnswer: 1,
  suggestedRisk: 'red',
  note: {
    'zh-CN': '第9题（死亡或自伤念头）作答不为“完全不会”：无论总分多少，当天开启危机事件。',
    en: 'Item 9 (thoughts of death or self-harm) answered above "Not at all": a crisis event opens the same day, whatever the total.',
  },
} as const
