import t from '../helpers/tap.js'
import { definitionProblems, InstrumentDefinition, scoreRange } from '../../src/modules/screening/instrument-schema.js'
import { BUILT_IN_INSTRUMENTS, builtInByCode } from '../../src/modules/screening/instruments/index.js'
import { answerProblems, scoreAnswers } from '../../src/modules/screening/scoring.js'
import { testsOf } from '../helpers/once.js'

const test = testsOf(t, 'no-database')

const def = (code: string) => builtInByCode(code)!.definition

test('every built-in definition is sound and carries its licence notice', async (t) => {
  t.same(BUILT_IN_INSTRUMENTS.map((i) => i.definition.code), ['PHQ-9', 'PHQ-A', 'GAD-7', 'ASQ'])
  for (const { definition } of BUILT_IN_INSTRUMENTS) {
    t.same(definitionProblems(definition), [], `${definition.code}: no problems`)
    // The PHQ family carries Pfizer's permission statement; the ASQ NIMH's public-domain notice (asq.test.ts).
    if (definition.code !== 'ASQ') t.match(definition.licence, /© Pfizer Inc\., no permission required to reproduce, translate, display or distribute/)
    for (const item of definition.items) {
      t.ok(item.text['zh-CN'].length > 0 && item.text.en.length > 0, `${definition.code} item ${item.no} has zh-CN and en text`)
    }
  }
  t.same(scoreRange(def('PHQ-9')), { min: 0, max: 27 })
  t.same(scoreRange(def('PHQ-A')), { min: 0, max: 27 })
  t.same(scoreRange(def('GAD-7')), { min: 0, max: 21 })
  t.match(def('PHQ-A').items[1]!.text.en, /irritable/, 'PHQ-A uses the adolescent wording')
  t.match(def('PHQ-A').items[3]!.text.en, /appetite/, 'PHQ-A lists appetite as item 4')
  t.match(def('PHQ-9').items[3]!.text.en, /tired/, 'PHQ-9 lists tiredness as item 4')
})

test('PHQ-9 scoring against hand-computed answers', async (t) => {
  const phq = def('PHQ-9')
  // answers                       total  band                 risk      item 9
  const cases: Array<[number[], number, string, string, boolean]> = [
    [[0, 0, 0, 0, 0, 0, 0, 0, 0], 0, 'minimal', 'green', false],
    [[1, 1, 1, 1, 0, 0, 0, 0, 0], 4, 'minimal', 'green', false],
    [[1, 1, 1, 1, 1, 0, 0, 0, 0], 5, 'mild', 'yellow', false],
    [[2, 2, 1, 1, 1, 1, 1, 0, 0], 9, 'mild', 'yellow', false],
    [[2, 2, 2, 1, 1, 1, 1, 0, 0], 10, 'moderate', 'orange', false],
    [[3, 2, 2, 2, 2, 1, 1, 1, 0], 14, 'moderate', 'orange', false],
    [[3, 3, 2, 2, 2, 1, 1, 1, 0], 15, 'moderately_severe', 'orange', false],
    [[3, 3, 3, 2, 2, 2, 2, 2, 0], 19, 'moderately_severe', 'orange', false],
    [[3, 3, 3, 3, 2, 2, 2, 2, 0], 20, 'severe', 'red', false],
    [[3, 3, 3, 3, 3, 3, 3, 3, 3], 27, 'severe', 'red', true],
    // The safety rule: item 9 ≥ 1 flags and suggests 高危 whatever the total.
    [[0, 0, 0, 0, 0, 0, 0, 0, 1], 1, 'minimal', 'red', true],
    [[1, 0, 1, 0, 1, 0, 0, 0, 2], 5, 'mild', 'red', true],
    [[2, 1, 1, 1, 1, 1, 1, 1, 3], 12, 'moderate', 'red', true],
  ]
  for (const [answers, total, band, risk, flag] of cases) {
    const s = scoreAnswers(phq, answers)
    t.same(
      { total: s.totalScore, band: s.band, risk: s.suggestedRisk, flag: s.safetyFlag },
      { total, band, risk, flag },
      `PHQ-9 ${answers.join('')} → ${total} ${band}`,
    )
    t.same(s.safetyItems, flag ? [9] : [])
  }
})

test('PHQ-A scores like PHQ-9 with the same item-9 rule', async (t) => {
  const a = def('PHQ-A')
  t.same(scoreAnswers(a, [2, 2, 2, 2, 2, 0, 0, 0, 0]), { totalScore: 10, band: 'moderate', suggestedRisk: 'orange', safetyFlag: false, safetyItems: [] })
  t.same(scoreAnswers(a, [0, 0, 0, 0, 0, 0, 0, 0, 1]), { totalScore: 1, band: 'minimal', suggestedRisk: 'red', safetyFlag: true, safetyItems: [9] })
})

test('GAD-7 scoring against hand-computed answers', async (t) => {
  const gad = def('GAD-7')
  const cases: Array<[number[], number, string, string]> = [
    [[0, 0, 0, 0, 0, 0, 0], 0, 'minimal', 'green'],
    [[1, 1, 1, 1, 0, 0, 0], 4, 'minimal', 'green'],
    [[1, 1, 1, 1, 1, 0, 0], 5, 'mild', 'yellow'],
    [[2, 2, 2, 1, 1, 1, 0], 9, 'mild', 'yellow'],
    [[2, 2, 2, 2, 1, 1, 0], 10, 'moderate', 'orange'],
    [[3, 2, 2, 2, 2, 2, 1], 14, 'moderate', 'orange'],
    [[3, 3, 2, 2, 2, 2, 1], 15, 'severe', 'orange'],
    [[3, 3, 3, 3, 3, 3, 3], 21, 'severe', 'orange'],
  ]
  for (const [answers, total, band, risk] of cases) {
    const s = scoreAnswers(gad, answers)
    t.same({ total: s.totalScore, band: s.band, risk: s.suggestedRisk, flag: s.safetyFlag }, { total, band, risk, flag: false }, `GAD-7 ${answers.join('')} → ${total}`)
  }
})

test('answers that do not fit are refused, by item number', async (t) => {
  const phq = def('PHQ-9')
  t.same(answerProblems(phq, [0, 0, 0]), [{ item: null, code: 'answer_count' }])
  t.same(answerProblems(phq, [0, 0, 4, 0, 0, -1, 0, 0, 1.5]), [
    { item: 3, code: 'answer_invalid' }, { item: 6, code: 'answer_invalid' }, { item: 9, code: 'answer_invalid' },
  ])
  t.throws(() => scoreAnswers(phq, [0, 0, 0]))
})

test('a school definition is checked before it is stored', async (t) => {
  const base = InstrumentDefinition.parse({
    code: 'SCH-MOOD', version: 1, name: { 'zh-CN': '校本情绪量表', en: 'School mood scale' },
    instructions: { 'zh-CN': '请根据最近一周的情况作答', en: 'Answer for the last week' },
    columnPrefixes: ['MOOD'],
    options: [{ value: 0, label: { 'zh-CN': '否', en: 'No' } }, { value: 1, label: { 'zh-CN': '是', en: 'Yes' } }],
    items: [1, 2, 3, 4].map((no) => ({ no, text: { 'zh-CN': `第${no}题`, en: `Item ${no}` } })),
    scoring: { method: 'sum' },
    bands: [
      { code: 'low', min: 0, max: 1, label: { 'zh-CN': '低', en: 'Low' }, suggestedRisk: 'green' },
      { code: 'high', min: 2, max: 4, label: { 'zh-CN': '高', en: 'High' }, suggestedRisk: 'yellow' },
    ],
    safetyItems: [{ item: 4, minAnswer: 1, suggestedRisk: 'red', note: { 'zh-CN': '第4题', en: 'Item 4' } }],
    licence: 'School-owned; free to use within the school.',
  })
  t.same(definitionProblems(base), [])
  t.same(scoreAnswers(base, [0, 0, 0, 1]), { totalScore: 1, band: 'low', suggestedRisk: 'red', safetyFlag: true, safetyItems: [4] })

  const gap = { ...base, bands: [base.bands[0]!, { ...base.bands[1]!, min: 3 }] }
  t.match(definitionProblems(gap).join(';'), /starts at 3, expected 2/)
  const short = { ...base, bands: [base.bands[0]!, { ...base.bands[1]!, max: 3 }] }
  t.match(definitionProblems(short).join(';'), /must end at the highest possible total 4/)
  const badSafety = { ...base, safetyItems: [{ ...base.safetyItems[0]!, item: 7 }] }
  t.match(definitionProblems(badSafety).join(';'), /item 7 does not exist/)
  const unreachable = { ...base, safetyItems: [{ ...base.safetyItems[0]!, minAnswer: 2 }] }
  t.match(definitionProblems(unreachable).join(';'), /can never be reached/)
  const numbering = { ...base, items: [base.items[1]!, base.items[0]!, base.items[2]!, base.items[3]!] }
  t.match(definitionProblems(numbering).join(';'), /items\[0\]\.no must be 1/)
  t.notOk(InstrumentDefinition.safeParse({ ...base, scoring: { method: 'mean' } }).success, 'only sum scoring')
  t.notOk(InstrumentDefinition.safeParse({ ...base, items: [{ no: 1, text: { 'zh-CN': '只有中文' } }] }).success, 'both languages required')
})
