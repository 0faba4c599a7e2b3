import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { definitionProblems, InstrumentDefinition, sameStructure } from '../../src/modules/screening/instrument-schema.js'
import { builtInByCode } from '../../src/modules/screening/instruments/index.js'
import { answerProblems, safetySummary, scoreAnswers } from '../../src/modules/screening/scoring.js'
import { ASQ_ID, openCampaign, screeningWorld, shanghaiDay, type Pupil } from './fixtures.js'

const asq = () => builtInByCode('ASQ')!.definition

t.test('the ASQ definition: NIMH’s notice, yes/no items, question 5 only after a yes, wording awaiting review', async (t) => {
  const def = asq()
  t.same(definitionProblems(def), [])
  t.match(def.licence, /National Institute of Mental Health \(NIMH\)/)
  t.match(def.licence, /public domain/)
  t.same(def.options.map((o) => [o.value, o.label['zh-CN']]), [[0, '否'], [1, '是']])
  t.equal(def.items.length, 5)
  t.same(def.items.slice(0, 4).map((i) => i.askedIf), [undefined, undefined, undefined, undefined], 'questions 1–4 are always asked')
  t.same(def.items[4]!.askedIf, { items: [1, 2, 3, 4], minAnswer: 1 }, 'question 5 follows a yes to 1–4')
  t.equal(def.translation?.['zh-CN'], 'pending_clinical_review', 'the Chinese wording is not an official translation')
  t.match(def.translation?.note?.['zh-CN'], /待临床审核/)
})

t.test('ASQ scoring: negative, positive on any of 1–4, acute positive on 5', async (t) => {
  const def = asq()
  // answers           band               risk      safety items
  const cases: Array<[number[], string, string, number[]]> = [
    [[0, 0, 0, 0, 0], 'negative', 'green', []],
    [[1, 0, 0, 0, 0], 'positive', 'orange', [1]],
    [[0, 1, 0, 0, 0], 'positive', 'orange', [2]],
    [[0, 0, 1, 0, 0], 'positive', 'orange', [3]],
    [[0, 0, 0, 1, 0], 'positive', 'orange', [4]],
    [[1, 1, 1, 1, 0], 'positive', 'orange', [1, 2, 3, 4]],
    [[1, 0, 0, 0, 1], 'acute_positive', 'red', [1, 5]],
    [[0, 0, 0, 1, 1], 'acute_positive', 'red', [4, 5]],
  ]
  for (const [answers, band, risk, items] of cases) {
    const s = scoreAnswers(def, answers)
    t.same({ band: s.band, risk: s.suggestedRisk, flag: s.safetyFlag, items: s.safetyItems }, { band, risk, flag: items.length > 0, items }, answers.join(''))
  }
  t.same(answerProblems(def, [0, 0, 0, 0, 1]), [{ item: 5, code: 'answer_not_asked' }], 'question 5 cannot be yes when it was not asked')
  t.throws(() => scoreAnswers(def, [0, 0, 0, 0, 1]))
  t.same(answerProblems(def, [1, 0, 0, 0, 2]), [{ item: 5, code: 'answer_invalid' }], 'only yes or no')
  t.same(answerProblems(def, [1, 0, 0, 0]), [{ item: null, code: 'answer_count' }])
  t.equal(safetySummary(def, [1, 5]), '测评安全条目触发：ASQ 第1、5题（安全规则，无论总分）')
})

t.test('a school’s wording replaces the text, never the rules', async (t) => {
  const def = asq()
  const reworded = InstrumentDefinition.parse({
    ...def, version: 2,
    items: def.items.map((i) => ({ ...i, text: { ...i.text, 'zh-CN': `${i.text['zh-CN']}（校审）` } })),
    translation: { 'zh-CN': 'reviewed', note: { 'zh-CN': '本校心理教研组审核', en: 'Reviewed by the school' } },
  })
  t.ok(sameStructure(def, reworded), 'only the wording differs')
  const noFollowUp = InstrumentDefinition.parse({ ...def, items: def.items.map(({ askedIf: _a, ...i }) => i) })
  t.notOk(sameStructure(def, noFollowUp), 'asking question 5 always is a different instrument')
  const softer = InstrumentDefinition.parse({ ...def, safetyItems: def.safetyItems.filter((s) => s.item !== 4) })
  t.notOk(sameStructure(def, softer), 'dropping a safety item is a different instrument')

  const w = await screeningWorld()
  const post = (definition: unknown) => w.call(w.psych, 'POST', '/api/v1/screening/instruments', { definition })
  const own = await post(reworded)
  t.equal(own.statusCode, 201, own.body)
  t.match(own.json(), { code: 'ASQ', version: 2, builtIn: false, schoolId: w.A.schoolId })
  const changed = await post({ ...softer, version: 3 })
  t.equal(changed.statusCode, 409)
  t.equal(changed.json().code, 'instrument_rewording_only')
  t.equal((await post({ ...reworded })).statusCode, 409, 'the same version twice')
  const builtIn = await w.call(w.psych, 'GET', `/api/v1/screening/instruments/${ASQ_ID}`)
  t.match(builtIn.json(), { code: 'ASQ', version: 1, builtIn: true }, 'the built-in row is unchanged')
  t.match((builtIn.json() as { definition: { items: Array<{ text: { 'zh-CN': string } }> } }).definition.items[0]!.text['zh-CN'], /^在过去几周里/)
})

t.test('a positive ASQ opens a crisis event through the safety rule: entry and import', async (t) => {
  const w = await screeningWorld()
  const { psych, call } = w
  const c = await openCampaign(w, psych, [ASQ_ID])
  const crises = (studentId: string) => queryRows<{ source: string; source_ref: string; status: string; summary: string }>(w.database.db,
    sql`select source, source_ref, status, summary from crisis_events where student_id = ${studentId}`)

  t.test('one by one', async (t) => {
    const url = `/api/v1/screening/campaigns/${c.id}/responses`
    const neg = await w.pupil(w.A, w.A.classIds[0])
    const negative = await call(psych, 'POST', url, { studentId: neg.id, instrumentId: ASQ_ID, answers: [0, 0, 0, 0, 0] })
    t.equal(negative.statusCode, 201, negative.body)
    t.match(negative.json(), { band: 'negative', safetyFlag: false, suggestedRisk: 'green', instrumentCode: 'ASQ' })
    t.same(await crises(neg.id), [], 'a negative screen opens nothing')

    const pos = await w.pupil(w.A, w.A.classIds[0])
    const positive = await call(psych, 'POST', url, { studentId: pos.id, instrumentId: ASQ_ID, answers: [0, 1, 0, 0, 0] })
    t.equal(positive.statusCode, 201)
    t.match(positive.json(), { band: 'positive', safetyFlag: true, suggestedRisk: 'orange', suggestedRiskText: '较高' })
    t.ok(positive.json().crisisEventId, 'the crisis event id comes back')
    t.match(await crises(pos.id), [{ source: 'safety_rule', source_ref: positive.json().id, status: 'open', summary: /ASQ 第2题/ }])

    const acute = await w.pupil(w.A, w.A.classIds[0])
    const res = await call(psych, 'POST', url, { studentId: acute.id, instrumentId: ASQ_ID, answers: [1, 0, 0, 0, 1] })
    t.match(res.json(), { band: 'acute_positive', safetyFlag: true, suggestedRisk: 'red', suggestedRiskText: '高危' })
    t.match(await crises(acute.id), [{ source: 'safety_rule', summary: /第1、5题/ }])

    const odd = await w.pupil(w.A, w.A.classIds[0])
    const notAsked = await call(psych, 'POST', url, { studentId: odd.id, instrumentId: ASQ_ID, answers: [0, 0, 0, 0, 1] })
    t.equal(notAsked.statusCode, 400, 'a yes to 5 without a yes to 1–4 is refused')
    t.match(notAsked.json(), { code: 'answers_invalid', details: { problems: [{ item: 5, code: 'answer_not_asked' }] } })
    t.same(await crises(odd.id), [])
  })

  t.test('imported: an empty question 5 after four noes, a positive row opens its crisis event', async (t) => {
    const pupils: Pupil[] = []
    for (let i = 0; i < 4; i++) pupils.push(await w.pupil(w.A, w.A.classIds[0]))
    const day = shanghaiDay(-1)
    const rows = [
      ['学号', 'ASQ1', 'ASQ2', 'ASQ3', 'ASQ4', 'ASQ5', '测评日期'],
      [pupils[0]!.studentNo, 0, 0, 0, 0, '', day],
      [pupils[1]!.studentNo, 0, 0, 1, 0, 0, day],
      [pupils[2]!.studentNo, 1, 1, 0, 0, 1, day],
    ]
    const body = rows.map((r) => r.join(',')).join('\n') + '\n'
    const url = `/api/v1/screening/campaigns/${c.id}/import?wait=true`

    const missing5 = [...rows.slice(0, 2), [pupils[3]!.studentNo, 1, 0, 0, 0, '', day]].map((r) => r.join(',')).join('\n') + '\n'
    const refused = await call(psych, 'POST', url, missing5, { 'content-type': 'text/csv' })
    t.equal(refused.statusCode, 422, 'question 5 must be answered after a yes')
    t.match(refused.json(), { code: 'import_rejected', details: { errors: [{ row: 3, field: 'ASQ5' }] } })
    t.same(await crises(pupils[3]!.id), [], 'nothing written')

    const res = await call(psych, 'POST', url, body, { 'content-type': 'text/csv' })
    t.equal(res.statusCode, 200, res.body)
    t.match(res.json(), { status: 'succeeded', result: { rows: 3, responses: 3, inserted: 3, crisisEventsOpened: 2 } })
    const got = await queryRows<{ student_id: string; answers: number[]; band: string; safety_flag: boolean }>(w.database.db,
      sql`select student_id, answers, band, safety_flag from screening_responses where campaign_id = ${c.id} and source = 'import'`)
    const of = (p: Pupil) => got.find((r) => r.student_id === p.id)
    t.match(of(pupils[0]!), { answers: [0, 0, 0, 0, 0], band: 'negative', safety_flag: false }, 'an empty question 5 that was not asked is a no')
    t.match(of(pupils[1]!), { band: 'positive', safety_flag: true })
    t.match(of(pupils[2]!), { band: 'acute_positive', safety_flag: true })
    t.same(await crises(pupils[0]!.id), [])
    t.match(await crises(pupils[1]!.id), [{ source: 'safety_rule', status: 'open', summary: /ASQ 第3题/ }])
    t.match(await crises(pupils[2]!.id), [{ source: 'safety_rule', status: 'open', summary: /ASQ 第1、2、5题/ }])
  })
})
