import t from '../helpers/tap.js'
import { GAD7_ID, openCampaign, PHQ9_ID, PHQA_ID, schoolYearOfToday, screeningWorld, shanghaiDay } from './fixtures.js'

const schoolDefinition = (code = 'SCH-MOOD') => ({
  code, version: 1, name: { 'zh-CN': '校本情绪量表', en: 'School mood scale' },
  instructions: { 'zh-CN': '请根据最近一周的情况作答', en: 'Answer for the last week' },
  columnPrefixes: ['MOOD'],
  options: [{ value: 0, label: { 'zh-CN': '否', en: 'No' } }, { value: 1, label: { 'zh-CN': '是', en: 'Yes' } }],
  items: [1, 2, 3].map((no) => ({ no, text: { 'zh-CN': `第${no}题`, en: `Item ${no}` } })),
  scoring: { method: 'sum' },
  bands: [
    { code: 'low', min: 0, max: 1, label: { 'zh-CN': '低', en: 'Low' }, suggestedRisk: 'green' },
    { code: 'high', min: 2, max: 3, label: { 'zh-CN': '高', en: 'High' }, suggestedRisk: 'yellow' },
  ],
  licence: 'School-owned; free to use within the school.',
})

t.test('instruments and campaigns', async (t) => {
  const w = await screeningWorld()
  const { psych, psychB, admin, homeroom, monitor, district, call } = w

  t.test('built-in instruments exist in every database and every school reads them', async (t) => {
    const res = await call(psych, 'GET', '/api/v1/screening/instruments?includeDefinition=true')
    t.equal(res.statusCode, 200)
    const items = res.json().items as Array<{ id: string; code: string; builtIn: boolean; schoolId: string | null; licence: string; definition: { items: unknown[] } }>
    t.same(items.map((i) => i.code), ['ASQ', 'GAD-7', 'PHQ-9', 'PHQ-A'])
    t.ok(items.every((i) => i.builtIn && i.schoolId === null))
    t.match(items.find((i) => i.code === 'PHQ-9')!.licence, /© Pfizer Inc\., no permission required/)
    t.equal(items.find((i) => i.code === 'PHQ-A')!.definition.items.length, 9)
    const one = await call(psychB, 'GET', `/api/v1/screening/instruments/${PHQ9_ID}`)
    t.equal(one.statusCode, 200, 'another school reads the same built-in row')
    t.equal(one.json().code, 'PHQ-9')
    const adminView = (await call(admin, 'GET', `/api/v1/screening/instruments/${GAD7_ID}`)).json()
    t.equal(adminView.code, 'GAD-7')
    t.notOk('definition' in adminView, 'the school admin reads names and licence, not the item definition')
    t.equal((await call(homeroom, 'GET', '/api/v1/screening/instruments')).statusCode, 403)
    t.equal((await call(monitor, 'GET', `/api/v1/screening/instruments/${PHQ9_ID}`)).statusCode, 404)
    t.equal((await call(district, 'GET', '/api/v1/screening/instruments')).statusCode, 403)
  })

  t.test('a school adds its own instrument, validated on upload, seen by that school only', async (t) => {
    const ok = await call(psych, 'POST', '/api/v1/screening/instruments', { definition: schoolDefinition() })
    t.equal(ok.statusCode, 201, ok.body)
    t.match(ok.json(), { code: 'SCH-MOOD', version: 1, builtIn: false, schoolId: w.A.schoolId, nameZh: '校本情绪量表' })
    const again = await call(psych, 'POST', '/api/v1/screening/instruments', { definition: schoolDefinition() })
    t.equal(again.statusCode, 409, 'same code and version twice')
    const reserved = await call(psych, 'POST', '/api/v1/screening/instruments', { definition: schoolDefinition('PHQ-9') })
    t.equal(reserved.statusCode, 409, 'built-in codes are reserved')
    const gap = schoolDefinition('SCH-GAP')
    gap.bands[1]!.min = 3
    const bad = await call(psych, 'POST', '/api/v1/screening/instruments', { definition: gap })
    t.equal(bad.statusCode, 400)
    t.equal(bad.json().code, 'instrument_invalid')
    t.match(bad.json().details.problems.join(';'), /starts at 3, expected 2/)
    const sneaky = await call(psych, 'POST', '/api/v1/screening/instruments', { definition: schoolDefinition('SCH-X'), builtIn: true })
    t.equal(sneaky.statusCode, 400, 'builtIn cannot be set')
    t.equal((await call(admin, 'POST', '/api/v1/screening/instruments', { definition: schoolDefinition('SCH-Y') })).statusCode, 403)

    const theirs = await call(psychB, 'GET', `/api/v1/screening/instruments/${ok.json().id}`)
    t.equal(theirs.statusCode, 404, 'another school does not see it')
    const list = (await call(psychB, 'GET', '/api/v1/screening/instruments')).json()
    t.notOk(list.items.some((i: { id: string }) => i.id === ok.json().id))
  })

  t.test('campaigns: create, list, update, coverage; instruments sharing a prefix are refused', async (t) => {
    const year = schoolYearOfToday()
    const clash = await call(psych, 'POST', '/api/v1/screening/campaigns', {
      name: 'x', schoolYear: year, instrumentIds: [PHQ9_ID, PHQA_ID], gradeLevels: [7], startDate: shanghaiDay(-1), endDate: shanghaiDay(1),
    })
    t.equal(clash.statusCode, 400)
    t.equal(clash.json().code, 'instrument_prefix_clash')
    const backwards = await call(psych, 'POST', '/api/v1/screening/campaigns', {
      name: 'x', schoolYear: year, instrumentIds: [PHQ9_ID], gradeLevels: [7], startDate: shanghaiDay(1), endDate: shanghaiDay(-1),
    })
    t.equal(backwards.json().code, 'date_range_invalid')
    const low = await call(psych, 'POST', '/api/v1/screening/campaigns', {
      name: 'x', schoolYear: year, instrumentIds: [PHQ9_ID], gradeLevels: [2], startDate: shanghaiDay(-1), endDate: shanghaiDay(1),
    })
    t.equal(low.statusCode, 400, 'grades from upper primary (4) to senior high (12) only')

    const c = await openCampaign(w, psych)
    const got = (await call(psych, 'GET', `/api/v1/screening/campaigns/${c.id}`)).json()
    t.match(got, { id: c.id, schoolYear: year, gradeLevels: [7], status: 'open', instrumentIds: [PHQA_ID, GAD7_ID], createdBy: psych.id })
    const upd = await call(psych, 'PATCH', `/api/v1/screening/campaigns/${c.id}`, { endDate: shanghaiDay(40) })
    t.equal(upd.statusCode, 200)
    t.equal(upd.json().endDate, shanghaiDay(40))
    t.equal((await call(psych, 'PATCH', `/api/v1/screening/campaigns/${c.id}`, { createdBy: psych.id })).statusCode, 400)

    const adminList = await call(admin, 'GET', `/api/v1/screening/campaigns?schoolYear=${year}`)
    t.equal(adminList.statusCode, 200, 'the school admin reads campaign metadata')
    t.ok(adminList.json().items.some((i: { id: string }) => i.id === c.id))
    t.equal((await call(admin, 'PATCH', `/api/v1/screening/campaigns/${c.id}`, { name: 'y' })).statusCode, 404)
    t.equal((await call(homeroom, 'GET', '/api/v1/screening/campaigns')).statusCode, 403)
    t.equal((await call(psychB, 'GET', `/api/v1/screening/campaigns/${c.id}`)).statusCode, 404)

    // Coverage: class 1 has 3 enrolled, 2 screened; class 2 has 1 enrolled, none screened.
    const [s1, s2] = [await w.pupil(w.A, w.A.classIds[0]), await w.pupil(w.A, w.A.classIds[0])]
    await w.pupil(w.A, w.A.classIds[0])
    await w.pupil(w.A, w.A.classIds[1])
    for (const s of [s1, s2]) {
      const r = await call(psych, 'POST', `/api/v1/screening/campaigns/${c.id}/responses`, { studentId: s.id, instrumentId: GAD7_ID, answers: [0, 0, 0, 0, 0, 0, 1] })
      t.equal(r.statusCode, 201, r.body)
    }
    await call(psych, 'POST', `/api/v1/screening/campaigns/${c.id}/responses`, { studentId: s1.id, instrumentId: PHQA_ID, answers: [0, 0, 0, 0, 0, 0, 0, 0, 0] })
    const cov = await call(admin, 'GET', `/api/v1/screening/campaigns/${c.id}/coverage`)
    t.equal(cov.statusCode, 200)
    t.same(cov.json().classes, [
      // The fixture's campaign does not require consent: those not screened are 未测, none 未获同意 (consent.test.ts).
      { classId: w.A.classIds[0], className: '七年级(1)班', gradeLevel: 7, enrolled: 3, screened: 2, noConsent: 0, notScreened: 1, rate: 0.667 },
      { classId: w.A.classIds[1], className: '七年级(2)班', gradeLevel: 7, enrolled: 1, screened: 0, noConsent: 0, notScreened: 1, rate: 0 },
    ])
    t.same(cov.json().totals, { enrolled: 4, screened: 2, noConsent: 0, notScreened: 2, rate: 0.5 })
    t.notOk(/totalScore|answers|band/.test(cov.body), 'coverage carries counts only')
    t.equal((await call(psychB, 'GET', `/api/v1/screening/campaigns/${c.id}/coverage`)).statusCode, 404)

    const frozen = await call(psych, 'PATCH', `/api/v1/screening/campaigns/${c.id}`, { instrumentIds: [PHQ9_ID] })
    t.equal(frozen.statusCode, 409, 'instruments are fixed once responses exist')
    t.equal(frozen.json().code, 'campaign_has_responses')
  })
})
