import t from '../helpers/tap.js'
import { withSchoolTx } from '../../src/access/transaction.js'
import { assertRiskLoweringAllowed } from '../../src/modules/support/referral-rules.js'
import { supportWorld } from './fixtures.js'

/**
 * One pupil through steps 4 → 3 → 2 → 5 → 6 and back: a monitor's alert, acknowledged, a
 * case, a mentor pairing, a parent contact with consent, a referral, its receipt and
 * feedback, the 复学 assessment, the risk lowered, the loop closed.
 */

t.test('end to end: monitor alert → … → 复学评估 → risk lowered → closed', async (t) => {
  const w = await supportWorld()
  const s = await w.student('class1')
  const ok = (res: { statusCode: number; body: string }, status: number, what: string) => {
    t.equal(res.statusCode, status, `${what}: ${res.body.slice(0, 160)}`)
    return JSON.parse(res.body) as Record<string, unknown> & { id: string }
  }

  // 同伴跟防: the monitor reports; the psychology teacher acknowledges.
  const alert = ok(await w.call(w.monitor, 'POST', '/api/v1/peer-alerts', { studentId: s.id, urgency: 'high', whatSeen: '他说晚上总想哭，不想上学了' }), 201, 'alert')
  ok(await w.call(w.psych, 'POST', `/api/v1/peer-alerts/${alert.id}/acknowledge`, {}), 200, 'acknowledged')

  // 积极干预: a case from the alert (the cases module's API).
  const kase = ok(await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/cases`, { source: 'alert', sourceRef: alert.id, riskLevel: 'red', summary: '同伴预警，约谈确认' }), 201, 'case')
  const handled = ok(await w.call(w.psych, 'POST', `/api/v1/peer-alerts/${alert.id}/handle`, { caseId: kase.id, handledNote: '已开个案' }), 200, 'alert handled')
  t.equal(handled.caseId, kase.id)

  // 师生结对.
  const pairing = ok(await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/pairings`, { mentorId: w.mentor.id, purpose: '陪伴与学业支持', guidance: '每周谈心一次' }), 201, 'pairing')
  ok(await w.call(w.mentor, 'POST', `/api/v1/pairings/${pairing.id}/contacts`, { kind: 'talk', summary: '一起吃午饭' }), 201, 'mentor contact')

  // 家校协同: parents consent to the referral.
  const contact = ok(await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/parent-contacts`, {
    guardianId: s.guardianId, caseId: kase.id, channel: 'meeting', content: '告知情况', outcome: '同意转介', referralConsent: 'given',
  }), 201, 'parent contact')

  // 及时转介.
  const inst = ok(await w.call(w.psych, 'POST', '/api/v1/institutions', { name: '市精神卫生中心', kind: 'mental_health_centre' }), 201, 'institution')
  const ref = ok(await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/referrals`, {
    institutionId: inst.id, caseId: kase.id, reason: '情绪低落伴消极念头，需专科评估', followUpDate: w.app.services.gateway.today(),
  }), 201, 'referral')
  const step = (body: Record<string, unknown>, what: string) => w.call(w.psych, 'POST', `/api/v1/referrals/${ref.id}/transitions`, body).then((r) => ok(r, 200, what))
  await step({ to: 'consented', consentContactId: contact.id }, 'consent recorded')
  t.equal((await w.call(w.psych, 'GET', `/api/v1/referrals/${ref.id}/form`)).statusCode, 200, 'the form prints')
  await step({ to: 'sent' }, 'sent')
  await step({ to: 'received', receivedOn: w.app.services.gateway.today() }, 'receipt')
  await step({ to: 'feedback', feedback: '门诊治疗中，可逐步返校' }, 'feedback')

  const refused = await withSchoolTx(w.database.db, w.A.schoolId, (tx) => assertRiskLoweringAllowed(tx, w.A.schoolId, s.id)).then(() => null, (e: { code?: string }) => e.code)
  t.equal(refused, 'referral_reassessment_required', 'no lowering the risk before 复学评估')

  await step({ to: 'reassessed', reassessmentResult: '情绪平稳，可返校', reassessedRisk: 'yellow' }, '复学评估')
  const lowered = ok(await w.call(w.psych, 'PATCH', `/api/v1/cases/${kase.id}`, { riskLevel: 'yellow', reason: '复学评估：情绪平稳' }), 200, 'risk lowered')
  t.equal(lowered.riskLevel, 'yellow')
  const closed = await step({ to: 'closed' }, 'closed')
  t.match(closed, { state: 'closed', overdue: false })

  // The monitor learns it was handled, nothing more.
  const seen = await w.call(w.monitor, 'GET', `/api/v1/peer-alerts/${alert.id}`)
  t.same(Object.keys(seen.json()).sort(), ['createdAt', 'id', 'status', 'statusLabel', 'studentId', 'urgency'])
  t.equal(seen.json().statusLabel, '已处理')

  // Every step is on the pupil's archive timeline, in order.
  const archive = (await w.call(w.psych, 'GET', `/api/v1/students/${s.id}/archive`)).json() as { items: Array<{ kind: string; step: string; at: string }> }
  const kinds = archive.items.map((i) => i.kind)
  for (const k of ['peer_alert', 'pairing', 'mentor_contact', 'parent_contact', 'referral', 'referral_event']) t.ok(kinds.includes(k), `timeline has ${k}`)
  // Day-only items count from midnight in Asia/Shanghai, timestamps are instants: compare as instants
  // (a string sort puts "2026-12-06" after "2026-12-05T17:00:00Z" though they are the same evening).
  const instant = (at: string) => (/^\d{4}-\d{2}-\d{2}$/.test(at) ? Date.parse(`${at}T00:00:00+08:00`) : Date.parse(at))
  const times = archive.items.map((i) => instant(i.at))
  t.same(times, [...times].sort((a, b) => a - b), 'in time order')
  t.equal(archive.items.filter((i) => i.kind === 'referral_event').length, 7)

  // The pairing ends with the care: the mentor's access goes with it.
  ok(await w.call(w.psych, 'POST', `/api/v1/pairings/${pairing.id}/end`, { endedReason: '个案结案' }), 200, 'pairing ended')
  t.equal((await w.call(w.mentor, 'GET', `/api/v1/students/${s.id}`)).statusCode, 404)
  t.equal((await w.call(w.mentor, 'GET', `/api/v1/pairings/${pairing.id}`)).statusCode, 404)

  t.test('the cases API itself refuses to lower a referred pupil’s risk before 复学评估', async (t) => {
    const s = await w.student('class1')
    const kase = (await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/cases`, { source: 'other', riskLevel: 'red' })).json()
    const inst = (await w.call(w.psych, 'POST', '/api/v1/institutions', { name: '区医院', kind: 'hospital_psychiatry' })).json()
    const contact = (await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/parent-contacts`, { channel: 'phone', referralConsent: 'given' })).json()
    const ref = (await w.call(w.psych, 'POST', `/api/v1/students/${s.id}/referrals`, { institutionId: inst.id, reason: 'x', followUpDate: '2099-01-01' })).json()
    await w.call(w.psych, 'POST', `/api/v1/referrals/${ref.id}/transitions`, { to: 'consented', consentContactId: contact.id })
    await w.call(w.psych, 'POST', `/api/v1/referrals/${ref.id}/transitions`, { to: 'sent' })
    const early = await w.call(w.psych, 'PATCH', `/api/v1/cases/${kase.id}`, { riskLevel: 'green', reason: '好转' })
    t.equal(early.statusCode, 409)
    t.equal(early.json().code, 'referral_reassessment_required')
  })
})
