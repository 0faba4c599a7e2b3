import t from '../helpers/tap.js'
import { supportWorld } from './fixtures.js'

t.test('家校协同: parent contacts, consent, and the reason parents were not told', async (t) => {
  const w = await supportWorld()
  const s = await w.student('class1')
  const full = {
    guardianId: s.guardianId, channel: 'meeting', contactDate: '2024-10-10', content: '母亲提到孩子在家常失眠',
    outcome: '家长同意带孩子就医', referralConsent: 'given',
  }

  const res = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/parent-contacts`, full)
  t.equal(res.statusCode, 201, res.body)
  const c = res.json()
  t.match(c, { ...full, studentId: s.id, notToldReason: null, createdBy: w.psych.id })

  await t.test('the homeroom teacher logs a contact and sees channel and date only', async (t) => {
    const own = await w.call(w.homeroom, 'POST', `/api/v1/students/${s.id}/parent-contacts`, { channel: 'phone', content: '父亲说周末情绪低落', outcome: '继续观察' })
    t.equal(own.statusCode, 201, own.body)
    t.same(Object.keys(own.json()).sort(), ['channel', 'contactDate', 'createdAt', 'createdBy', 'guardianId', 'id', 'schoolId', 'studentId'])
    const consent = await w.call(w.homeroom, 'POST', `/api/v1/students/${s.id}/parent-contacts`, { channel: 'phone', referralConsent: 'given' })
    t.equal(consent.statusCode, 400)
    t.equal(consent.json().code, 'field_not_writable')
    const notTold = await w.call(w.homeroom, 'POST', `/api/v1/students/${s.id}/parent-contacts`, { notTold: true, notToldReason: '怀疑家庭暴力' })
    t.equal(notTold.json().code, 'field_not_writable')

    const list = await w.call(w.homeroom, 'GET', `/api/v1/parent-contacts?studentId=${s.id}`)
    t.equal(list.json().total, 2)
    const theirs = list.json().items.find((i: { id: string }) => i.id === c.id)
    t.match(theirs, { channel: 'meeting', contactDate: '2024-10-10' })
    for (const key of ['content', 'outcome', 'referralConsent', 'notToldReason', 'caseId']) t.notOk(key in theirs, `no ${key}`)
    for (const text of ['失眠', '就医', '情绪低落', '继续观察']) t.notOk(list.body.includes(text), `no “${text}” anywhere`)
    const one = await w.call(w.homeroom, 'GET', `/api/v1/parent-contacts/${c.id}`)
    t.notOk(one.body.includes('失眠'))
    const archive = await w.call(w.homeroom, 'GET', `/api/v1/students/${s.id}/archive`)
    t.ok(archive.json().items.some((i: { kind: string }) => i.kind === 'parent_contact'))
    t.notOk(archive.body.includes('失眠') || archive.body.includes('就医'), 'nor on the archive timeline')

    const other = await w.student('class2')
    t.equal((await w.call(w.homeroom, 'POST', `/api/v1/students/${other.id}/parent-contacts`, { channel: 'phone' })).statusCode, 404)
    t.equal((await w.call(w.homeroom, 'PATCH', `/api/v1/parent-contacts/${c.id}`, { outcome: 'x' })).statusCode, 404, 'only psychology edits')
  })

  await t.test('others read nothing', async (t) => {
    for (const who of [w.mentor, w.monitor, w.admin, w.district]) {
      t.equal((await w.call(who, 'GET', '/api/v1/parent-contacts')).statusCode, 403)
      t.equal((await w.call(who, 'GET', `/api/v1/parent-contacts/${c.id}`)).statusCode, 404)
    }
  })

  await t.test('parents deliberately not told: the reason is required', async (t) => {
    const noReason = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/parent-contacts`, { notTold: true })
    t.equal(noReason.statusCode, 400)
    t.equal(noReason.json().code, 'not_told_reason_required')
    const noChannel = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/parent-contacts`, { content: 'x' })
    t.equal(noChannel.json().code, 'channel_required')
    const contradict = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/parent-contacts`, { notTold: true, notToldReason: '怀疑家暴', referralConsent: 'given' })
    t.equal(contradict.statusCode, 400)
    const ok = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/parent-contacts`, { notTold: true, notToldReason: '学生陈述遭受家庭暴力，暂不告知' })
    t.equal(ok.statusCode, 201, ok.body)
    t.match(ok.json(), { channel: 'none', notToldReason: '学生陈述遭受家庭暴力，暂不告知', referralConsent: 'not_asked' })
    const cleared = await w.call(w.psych, 'PATCH', `/api/v1/parent-contacts/${ok.json().id}`, { notToldReason: null })
    t.equal(cleared.json().code, 'not_told_reason_required')
    const hr = await w.call(w.homeroom, 'GET', `/api/v1/parent-contacts/${ok.json().id}`)
    t.notOk(hr.body.includes('家庭暴力'))
    const told = await w.call(w.psych, 'PATCH', `/api/v1/parent-contacts/${ok.json().id}`, { channel: 'phone', notToldReason: null, content: '已告知母亲' })
    t.equal(told.statusCode, 200, told.body)
    t.match(told.json(), { channel: 'phone', notToldReason: null })
  })

  await t.test('references must be this pupil’s', async (t) => {
    const other = await w.student('class1')
    const r = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/parent-contacts`, { channel: 'phone', guardianId: other.guardianId })
    t.equal(r.statusCode, 400)
    t.equal(r.json().code, 'unknown_reference')
    const future = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/parent-contacts`, { channel: 'phone', contactDate: '2099-01-01' })
    t.equal(future.json().code, 'date_in_future')
  })
})
