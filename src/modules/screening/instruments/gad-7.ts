import type { z } from 'zod'
import type { InstrumentDefinition } from '../instrument-schema.js'
import { FREQUENCY_OPTIONS, PFIZER_NOTICE } from './phq-options.js'

/**
 * GAD-7, Generalized Anxiety Disorder scale (Spitzer, Kroenke, Williams & Löwe, Arch Intern
 * Med 2006). Bands 0–4 minimal, 5–9 mild, 10–14 moderate, 15–21 severe. Anxiety alone
 * suggests at most 较高 (orange); 高危 comes from the PHQ safety item or the teacher.
 */
export const GAD7: z.input<typeof InstrumentDefinition> = {
  code: 'GAD-7',
  version: 1,
  name: { 'zh-CN': '广泛性焦虑量表（GAD-7）', en: 'Generalized Anxiety Disorder 7-item scale (GAD-7)' },
  audience: 'any',
  instructions: {
    'zh-CN': '在过去两周里，你有多少时候受到以下任何问题的困扰？',
    en: 'Over the last 2 weeks, how often have you been bothered by the following problems?',
  },
  columnPrefixes: ['GAD'],
  options: FREQUENCY_OPTIONS,
  items: [
    { no: 1, text: { 'zh-CN': '感觉紧张、焦虑或急切', en: 'Feeling nervous, anxious, or on edge' } },
    { no: 2, text: { 'zh-CN': '不能够停止或控制担忧', en: 'Not being able to stop or control worrying' } },
    { no: 3, text: { 'zh-CN': '对各种各样的事情担忧过多', en: 'Worrying too much about different things' } },
    { no: 4, text: { 'zh-CN': '很难放松下来', en: 'Trouble relaxing' } },
    { no: 5, text: { 'zh-CN': '由于不安而无法静坐', en: "Being so restless that it's hard to sit still" } },
    { no: 6, text: { 'zh-CN': '变得容易烦恼或急躁', en: 'Becoming easily annoyed or irritable' } },
    { no: 7, text: { 'zh-CN': '感到似乎将有可怕的事情发生而害怕', en: 'Feeling afraid as if something awful might happen' } },
  ],
  scoring: { method: 'sum' },
  bands: [
    { code: 'minimal', min: 0, max: 4, label: { 'zh-CN': '无或极轻微', en: 'Minimal' }, suggestedRisk: 'green' },
    { code: 'mild', min: 5, max: 9, label: { 'zh-CN': '轻度', en: 'Mild' }, suggestedRisk: 'yellow' },
    { code: 'moderate', min: 10, max: 14, label: { 'zh-CN': '中度', en: 'Moderate' }, suggestedRisk: 'orange' },
    { code: 'severe', min: 15, max: 21, label: { 'zh-CN': '重度', en: 'Severe' }, suggestedRisk: 'orange' },
  ],
  safetyItems: [],
  licence: `GAD-7 ${PFIZER_NOTICE}`,
  source: 'Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized anxiety disorder: the GAD-7. Arch Intern Med 2006;166:1092–1097.',
}
