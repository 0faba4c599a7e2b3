import type { z } from 'zod'
import type { InstrumentDefinition } from '../instrument-schema.js'
import { FREQUENCY_OPTIONS, PFIZER_NOTICE, PHQ_BANDS, PHQ_ITEM9_SAFETY } from './phq-options.js'

/**
 * PHQ-A: the PHQ-9 modified for adolescents (Johnson, Harris, Spitzer & Williams, J Adolesc
 * Health 2002) — adolescent wording ("irritable", "school work"), appetite before tiredness
 * (items 4 and 5 swap places), same 0–27 total, same bands and the same item-9 safety rule.
 * The four unscored supplementary questions of the paper form are left out.
 */
export const PHQA: z.input<typeof InstrumentDefinition> = {
  code: 'PHQ-A',
  version: 1,
  name: { 'zh-CN': '青少年版患者健康问卷（PHQ-A，PHQ-9 青少年修订版）', en: 'PHQ-9 Modified for Adolescents (PHQ-A)' },
  audience: 'adolescent',
  instructions: {
    'zh-CN': '在过去两周里，下面这些情况困扰你的频率是多少？请选择最符合你情况的一项。',
    en: 'How often have you been bothered by each of the following symptoms during the past two weeks? For each symptom choose the answer that best describes how you have been feeling.',
  },
  columnPrefixes: ['PHQA', 'PHQ'],
  options: FREQUENCY_OPTIONS,
  items: [
    { no: 1, text: { 'zh-CN': '做事时提不起劲或没有兴趣', en: 'Little interest or pleasure in doing things?' } },
    { no: 2, text: { 'zh-CN': '感到心情低落、沮丧、烦躁或绝望', en: 'Feeling down, depressed, irritable, or hopeless?' } },
    { no: 3, text: { 'zh-CN': '入睡困难、睡不安稳或睡眠过多', en: 'Trouble falling asleep, staying asleep, or sleeping too much?' } },
    { no: 4, text: { 'zh-CN': '食欲不振、体重减轻或吃太多', en: 'Poor appetite, weight loss, or overeating?' } },
    { no: 5, text: { 'zh-CN': '感觉疲倦或没有活力', en: 'Feeling tired, or having little energy?' } },
    { no: 6, text: { 'zh-CN': '觉得自己很糟，或觉得自己很失败，或让自己或家人失望', en: 'Feeling bad about yourself – or feeling that you are a failure, or that you have let yourself or your family down?' } },
    { no: 7, text: { 'zh-CN': '难以集中注意力，例如做作业、阅读或看电视时', en: 'Trouble concentrating on things like school work, reading, or watching TV?' } },
    { no: 8, text: { 'zh-CN': '动作或说话速度缓慢到别人已经察觉？或正好相反——烦躁或坐立不安、动来动去的情况比平常更多', en: 'Moving or speaking so slowly that other people could have noticed? Or the opposite – being so fidgety or restless that you were moving around a lot more than usual?' } },
    { no: 9, text: { 'zh-CN': '有不如死掉或用某种方式伤害自己的念头', en: 'Thoughts that you would be better off dead, or of hurting yourself in some way?' } },
  ],
  scoring: { method: 'sum' },
  bands: PHQ_BANDS.map((b) => ({ ...b })),
  safetyItems: [{ ...PHQ_ITEM9_SAFETY }],
  licence: `PHQ-A (PHQ-9 modified for adolescents) ${PFIZER_NOTICE}`,
  source: 'Johnson JG, Harris ES, Spitzer RL, Williams JBW. The Patient Health Questionnaire for Adolescents. J Adolesc Health 2002;30:196–204.',
}
