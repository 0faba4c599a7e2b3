import t from '../helpers/tap.js'
import { openCampaign, PHQA_ID, screeningWorld, shanghaiDay } from '../screening/fixtures.js'

/**
 * A duplicate answers 409 with a message that names what already exists, in the caller's
 * language, and the field to change in details.fields — never "记录已存在：" with nothing after
 * it. Three clashes of the screening and case modules, through HTTP: a second response of a
 * student to one questionnaire in one campaign, a second intervention plan for one case, and
 * a first step of a crisis ticked twice.
 */
t.test('duplicates name what exists', async (t) => {
  const w = await screeningWorld()
  const { psych, call } = w
  const zh = { 'accept-language': 'zh-CN' }
  const en = { 'accept-language': 'en' }

  t.test('a second screening response', async (t) => {
    const c = await openCampaign(w, psych)
    const s = await w.pupil(w.A, w.A.classIds[0])
    const url = `/api/v1/screening/campaigns/${c.id}/responses`
    const body = { studentId: s.id, instrumentId: PHQA_ID, answers: [0, 0, 0, 0, 0, 0, 0, 0, 0] }
    t.equal((await call(psych, 'POST', url, body)).statusCode, 201)
    const again = await call(psych, 'POST', url, body, zh)
    t.equal(again.statusCode, 409)
    t.match(again.json(), { code: 'duplicate', message: '记录已存在：该学生在本次测评中的这份量表答卷', details: { fields: ['response'] } })
    const inEnglish = await call(psych, 'POST', url, body, en)
    t.equal(inEnglish.json().message, "Already exists: this student's answers to this questionnaire in this campaign")
  })

  t.test('a second intervention plan for the same case', async (t) => {
    const s = await w.pupil(w.A, w.A.classIds[0])
    const kase = (await call(psych, 'POST', `/api/v1/students/${s.id}/cases`, { source: 'screening', riskLevel: 'orange' })).json()
    const plan = { goals: '两周内睡眠恢复规律', measures: '每周一次个体辅导', reviewDate: shanghaiDay(14) }
    t.equal((await call(psych, 'POST', `/api/v1/cases/${kase.id}/plan`, plan)).statusCode, 201)
    const again = await call(psych, 'POST', `/api/v1/cases/${kase.id}/plan`, plan, zh)
    t.equal(again.statusCode, 409)
    t.match(again.json(), { code: 'duplicate', message: '记录已存在：干预计划', details: { fields: ['plan'] } })
    t.equal((await call(psych, 'POST', `/api/v1/cases/${kase.id}/plan`, plan, en)).json().message, 'Already exists: intervention plan')
  })

  t.test('a crisis checklist step ticked twice', async (t) => {
    const s = await w.pupil(w.A, w.A.classIds[0])
    const crisis = (await call(psych, 'POST', `/api/v1/students/${s.id}/crisis-events`, { summary: '课间发现手臂有划痕' })).json()
    const url = `/api/v1/crisis-events/${crisis.id}/checklist`
    t.equal((await call(psych, 'POST', url, { item: 'escort' })).statusCode, 201)
    const again = await call(psych, 'POST', url, { item: 'escort' }, zh)
    t.equal(again.statusCode, 409)
    t.match(again.json(), { code: 'duplicate', message: '记录已存在：步骤', details: { fields: ['item'] } })
    t.notMatch(again.json().message, /步骤：步骤/, 'the step is named once')
    t.equal((await call(psych, 'POST', url, { item: 'escort' }, en)).json().message, 'Already exists: Step')
  })
})
