import type { z } from 'zod'
import type { InstrumentDefinition } from '../instrument-schema.js'
import { FREQUENCY_OPTIONS, PFIZER_NOTICE, PHQ_BANDS, PHQ_ITEM9_SAFETY } from './phq-options.js'

/**
 * PHQ-9, Patient Health Questionnaire (Kroenke, Spitzer & Williams, J Gen Intern Med 2001).
 * Free to reproduce and translate; its notice travels with it. The optional tenth question
 * (how difficult the problems made things) is not scored and is left out.
 */
export const PHQ9: z.input<typeof InstrumentDefinition> = {
  code: 'PHQ-9',
  version: 1,
  name: { 'zh-CN': '患者健康问卷抑郁量表（PHQ-9）', en: 'Patient Health Questionnaire (PHQ-9)' },
  audience: 'adult',
  instructions: {
    'zh-CN': '在过去两周里，你有多少时候受到以下任何问题的困扰？',
    en: 'Over the last 2 weeks, how often have you been bothered by any of the following problems?',
  },
  columnPrefixes: ['PHQ'],
  options: FREQUENCY_OPTIONS,
  items: [
    { no: 1, text: { 'zh-CN': '做事时提不起劲或没有兴趣', en: 'Little interest or pleasure in doing things' } },
    { no: 2, text: { 'zh-CN': '感到心情低落、沮丧或绝望', en: 'Feeling down, depressed, or hopeless' } },
    { no: 3, text: { 'zh-CN': '入睡困难、睡不安稳或睡眠过多', en: 'Trouble falling or staying asleep, or sleeping too much' } },
    { no: 4, text: { 'zh-CN': '感觉疲倦或没有活力', en: 'Feeling tired or having little energy' } },
    { no: 5, text: { 'zh-CN': '食欲不振或吃太多', en: 'Poor appetite or overeating' } },
    { no: 6, text: { 'zh-CN': '觉得自己很糟，或觉得自己很失败，或让自己或家人失望', en: 'Feeling bad about yourself — or that you are a failure or have let yourself or your family down' } },
    { no: 7, text: { 'zh-CN': '对事物专注有困难，例如阅读报纸或看电视时', en: 'Trouble concentrating on things, such as reading the newspaper or watching television' } },
    { no: 8, text: { 'zh-CN': '动作或说话速度缓慢到别人已经察觉？或正好相反——烦躁或坐立不安、动来动去的情况比平常更多', en: 'Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual' } },
    { no: 9, text: { 'zh-CN': '有不如死掉或用某种方式伤害自己的念头', en: 'Thoughts that you would be better off dead or of hurting yourself in some way' } },
  ],
  scoring: { method: 'sum' },
  bands: PHQ_BANDS.map((b) => ({ ...b })),
  safetyItems: [{ ...PHQ_ITEM9_SAFETY }],
  licence: `PHQ-9 ${PFIZER_NOTICE}`,
  source: 'Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure. J Gen Intern Med 2001;16:606–613.',
}
