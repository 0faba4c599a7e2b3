import t from '../helpers/tap.js'
import { eq } from 'drizzle-orm'
import { referrals } from '../../db/schema/index.js'
import { withSchoolTx } from '../../src/access/transaction.js'
import { AppError } from '../../src/lib/errors.js'
import { assertRiskLoweringAllowed } from '../../src/modules/support/referral-rules.js'
import { supportWorld } from './fixtures.js'

t.test('及时转介: the referral loop, overdue, the form, and the risk rule', async (t) => {
  const w = await supportWorld()
  const s = await w.student('class1')
  const inst = (await w.call(w.psych, 'POST', '/api/v1/institutions', {
    name: '市精神卫生中心', kind: 'mental_health_centre', department: '儿童青少年心理科', contactPhone: '010-12345678', address: '示范路1号',
  })).json()
  const step = (id: string, body: Record<string, unknown>, who = w.psych) => w.call(who, 'POST', `/api/v1/referrals/${id}/transitions`, body)
  const blocked = () => withSchoolTx(w.database.db, w.A.schoolId, (tx) => assertRiskLoweringAllowed(tx, w.A.schoolId, s.id)).then(() => null, (e: unknown) => e)

  const bad = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/referrals`, { institutionId: '00000000-0000-4000-8000-000000000000', reason: 'x', followUpDate: '2099-01-01' })
  t.equal(bad.json().code, 'unknown_reference')
  t.equal((await w.call(w.homeroom, 'POST', `/api/v1/students/${s.id}/referrals`, { institutionId: inst.id, reason: 'x', followUpDate: '2099-01-01' })).statusCode, 404)

  const created = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/referrals`, {
    institutionId: inst.id, reason: '持续两周情绪低落，有自伤念头，需专科评估<b>', followUpDate: '2099-01-01',
  })
  t.equal(created.statusCode, 201, created.body)
  const r = created.json()
  t.match(r, { state: 'proposed', stateLabel: '拟转介', overdue: false, institutionId: inst.id, studentId: s.id })

  t.equal((await w.call(w.psych, 'GET', `/api/v1/referrals/${r.id}/form`)).json().code, 'consent_required', 'no form before the parents consent')
  t.equal((await step(r.id, { to: 'sent' })).statusCode, 409, 'not sent before consent')

  // Parents: one refused, then a meeting where they consented.
  const refused = (await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/parent-contacts`, { channel: 'phone', referralConsent: 'refused', content: '父亲暂不同意' })).json()
  const consent = (await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/parent-contacts`, {
    channel: 'meeting', guardianId: s.guardianId, referralConsent: 'given', content: '母亲提到孩子在家常失眠', outcome: '同意就医',
  })).json()
  t.equal((await step(r.id, { to: 'consented', consentContactId: refused.id })).json().code, 'consent_not_given')
  const otherPupil = await w.student()
  const elsewhere = (await w.call(w.psych, 'POST', `/api/v1/students/${otherPupil.id}/parent-contacts`, { channel: 'phone', referralConsent: 'given' })).json()
  t.equal((await step(r.id, { to: 'consented', consentContactId: elsewhere.id })).json().code, 'consent_not_given', 'another pupil’s consent')
  const consented = await step(r.id, { to: 'consented', consentContactId: consent.id })
  t.equal(consented.statusCode, 200, consented.body)
  t.match(consented.json(), { state: 'consented', consentContactId: consent.id })

  await t.test('the printable form: only what the institution needs', async (t) => {
    const form = await w.call(w.psych, 'GET', `/api/v1/referrals/${r.id}/form`)
    t.equal(form.statusCode, 200, form.body.slice(0, 200))
    t.match(form.headers['content-type'], /^text\/html; charset=utf-8/)
    t.equal(form.headers['cache-control'], 'no-store')
    const html = form.body
    t.ok(html.startsWith('<!doctype html>'))
    for (const want of ['学生心理健康转介单', s.name, '市精神卫生中心', '儿童青少年心理科', '010-12345678', '13900001111', '2013年5月1日', '监护人已知情并同意转介', '接收回执', '&lt;b&gt;']) {
      t.ok(html.includes(want), `form has ${want}`)
    }
    t.notOk(html.includes('<b>'), 'free text is escaped')
    for (const never of ['失眠', '同意就医', '父亲暂不同意', s.classId, 'red', '高危']) t.notOk(html.includes(never), `form leaves out ${never}`)
    t.notOk(/<script/i.test(html))
    t.match(await w.lastAudit('referrals'), { action: 'E', record_ids: [r.id], student_ids: [s.id], outcome: 'ok' })
    t.equal((await w.call(w.homeroom, 'GET', `/api/v1/referrals/${r.id}/form`)).statusCode, 404)
    t.equal((await w.call(w.admin, 'GET', `/api/v1/referrals/${r.id}/form`)).statusCode, 404)
  })

  t.equal(await blocked(), null, 'not yet referred: risk may change')
  t.equal((await step(r.id, { to: 'sent' })).json().state, 'sent')
  const lock = await w.call(w.psych, 'PATCH', `/api/v1/referrals/${r.id}`, { reason: '改写' })
  t.equal(lock.json().code, 'referral_locked', 'what was sent does not change')
  const blockedErr = await blocked()
  t.ok(blockedErr instanceof AppError && blockedErr.code === 'referral_reassessment_required' && blockedErr.statusCode === 409, 'a referred pupil’s risk is not lowered')

  await t.test('overdue: no receipt or feedback by the follow-up date', async (t) => {
    await w.database.db.update(referrals).set({ followUpDate: '2020-01-01' }).where(eq(referrals.id, r.id))
    t.equal((await w.call(w.psych, 'GET', `/api/v1/referrals/${r.id}`)).json().overdue, true)
    const list = (await w.call(w.psych, 'GET', '/api/v1/referrals?overdue=true')).json()
    t.same(list.items.map((i: { id: string }) => i.id), [r.id])
    t.equal((await w.call(w.psych, 'GET', '/api/v1/referrals?overdue=false')).json().total, 0)
    const received = await step(r.id, { to: 'received', receivedOn: '2024-11-02' })
    t.match(received.json(), { state: 'received', receivedOn: '2024-11-02', overdue: true }, 'received, but feedback still due')
    const future = await step(r.id, { to: 'feedback', feedback: 'x', followUpDate: '2099-02-01' })
    t.equal(future.statusCode, 200)
    t.equal(future.json().overdue, false, 'feedback in: the loop waits on the school now')
  })

  await t.test('the homeroom teacher sees progress, not medical details', async (t) => {
    const h = await w.call(w.homeroom, 'GET', `/api/v1/referrals/${r.id}`)
    t.equal(h.statusCode, 200)
    t.match(h.json(), { state: 'feedback', stateLabel: '机构已反馈', overdue: false, receivedOn: '2024-11-02' })
    for (const key of ['reason', 'feedback', 'reassessmentResult', 'reassessedRisk', 'institutionId', 'caseId', 'consentContactId']) t.notOk(key in h.json(), `no ${key}`)
    t.notOk(h.body.includes('自伤'))
    t.equal((await w.call(w.homeroom, 'GET', `/api/v1/referrals/${r.id}/events`)).statusCode, 404)
    t.equal((await step(r.id, { to: 'reassessed', reassessmentResult: 'x', reassessedRisk: 'green' }, w.homeroom)).statusCode, 404)
    const other = await w.caller(w.A, [{ role: 'homeroom_teacher', classId: w.A.classIds[1] }])
    t.equal((await w.call(other, 'GET', `/api/v1/referrals/${r.id}`)).statusCode, 404)
    for (const who of [w.mentor, w.monitor, w.admin, w.district]) t.equal((await w.call(who, 'GET', '/api/v1/referrals')).statusCode, 403)
  })

  await t.test('复学评估, then the risk may be lowered and the loop closed', async (t) => {
    t.equal((await step(r.id, { to: 'closed' })).statusCode, 409, 'not closed before the return-to-school assessment')
    t.ok(await blocked())
    const re = await step(r.id, { to: 'reassessed', reassessmentResult: '情绪平稳，可返校，每周随访', reassessedRisk: 'yellow' })
    t.equal(re.statusCode, 200, re.body)
    t.match(re.json(), { state: 'reassessed', reassessedRisk: 'yellow', reassessmentResult: '情绪平稳，可返校，每周随访' })
    t.equal(await blocked(), null, 'after 复学评估 the risk may be lowered')
    const closed = await step(r.id, { to: 'closed' })
    t.match(closed.json(), { state: 'closed', stateLabel: '已结案', overdue: false })
    t.ok(closed.json().closedAt)
    t.equal((await w.call(w.psych, 'PATCH', `/api/v1/referrals/${r.id}`, { followUpDate: '2099-01-01' })).statusCode, 409)
    const events = (await w.call(w.psych, 'GET', `/api/v1/referrals/${r.id}/events`)).json()
    t.same(events.items.map((e: { toState: string }) => e.toState), ['proposed', 'consented', 'sent', 'received', 'feedback', 'reassessed', 'closed'])
    t.same(events.items.map((e: { fromState: string | null }) => e.fromState), [null, 'proposed', 'consented', 'sent', 'received', 'feedback', 'reassessed'])
  })

  await t.test('withdrawn before sending; the archive shows the loop', async (t) => {
    const second = (await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/referrals`, { institutionId: inst.id, reason: '复查', followUpDate: w.app.services.gateway.today() })).json()
    const wd = await step(second.id, { to: 'withdrawn', note: '家长拒绝' })
    t.equal(wd.json().state, 'withdrawn')
    t.match(await w.lastAudit('referral_events'), { action: 'C', student_ids: [s.id], field_groups: ['note', 'transition'] },
      'the step’s event is audited as the caller’s, naming the note it holds')
    t.equal((await step(second.id, { to: 'consented', consentContactId: consent.id })).statusCode, 409)
    const archive = (await w.call(w.psych, 'GET', `/api/v1/students/${s.id}/archive`)).json()
    const kinds = archive.items.map((i: { kind: string }) => i.kind)
    t.ok(kinds.includes('referral') && kinds.includes('referral_event') && kinds.includes('parent_contact'))
    const hr = await w.call(w.homeroom, 'GET', `/api/v1/students/${s.id}/archive`)
    t.ok(hr.json().items.some((i: { kind: string }) => i.kind === 'referral'))
    t.notOk(hr.json().items.some((i: { kind: string }) => i.kind === 'referral_event'))
    for (const never of ['自伤', '情绪平稳', '家长拒绝', '失眠']) t.notOk(hr.body.includes(never), `homeroom archive leaves out ${never}`)
    const past = await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/referrals`, { institutionId: inst.id, reason: 'x', followUpDate: '2020-01-01' })
    t.equal(past.statusCode, 400, 'a follow-up date in the past')
  })
})
