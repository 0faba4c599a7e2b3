import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { GAD7_ID, schoolYearOfToday, screeningWorld, shanghaiDay, type Pupil, type ScreeningWorld } from './fixtures.js'

const ZEROS = [0, 0, 0, 0, 0, 0, 0]

async function requiringCampaign(w: ScreeningWorld) {
  // Created without the flag: consent is required by default.
  const res = await w.call(w.psych, 'POST', '/api/v1/screening/campaigns', {
    name: '七年级测评（需知情同意）', schoolYear: schoolYearOfToday(), instrumentIds: [GAD7_ID], gradeLevels: [7],
    startDate: shanghaiDay(-30), endDate: shanghaiDay(30), status: 'open',
  })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json() as { id: string; consentRequired: boolean }
}

const auditOf = (w: ScreeningWorld, resource: string) => queryRows<{ action: string; record_ids: string[]; student_ids: string[]; field_groups: string[]; actor_id: string }>(w.database.db,
  sql`select action, record_ids, student_ids::text[] as student_ids, field_groups, actor_id from audit_log where resource = ${resource} order by seq`)

t.test('consent for screening', async (t) => {
  const w = await screeningWorld()
  const { psych, psychB, homeroom, admin, call } = w
  const [own, other] = [w.A.classIds[0], w.A.classIds[1]]
  const c = await requiringCampaign(w)
  const base = `/api/v1/screening/campaigns/${c.id}`
  const pupils: Pupil[] = []
  for (let i = 0; i < 5; i++) pupils.push(await w.pupil(w.A, own, `同意${i}号`))
  const elsewhere = await w.pupil(w.A, other)
  const inB = await w.pupil(w.B, w.B.classIds[0])
  const consentRows = () => w.count('screening_consents')

  t.test('a new campaign requires consent unless told otherwise', async (t) => {
    t.equal(c.consentRequired, true)
  })

  t.test('bulk: a class list’s selection in one request and one transaction', async (t) => {
    const res = await call(psych, 'POST', `${base}/consents/bulk`, { studentIds: pupils.slice(0, 3).map((p) => p.id), guardianConsent: 'given', studentAssent: 'given' })
    t.equal(res.statusCode, 200, res.body)
    t.match(res.json(), { created: 3, updated: 0 })
    t.ok((res.json().items as Array<{ guardianRecordedBy: string; guardianRecordedAt: string }>).every((i) => i.guardianRecordedBy === psych.id && i.guardianRecordedAt), 'who and when')
    const again = await call(psych, 'POST', `${base}/consents/bulk`, { studentIds: [pupils[2]!.id, pupils[3]!.id], guardianConsent: 'refused' })
    t.match(again.json(), { created: 1, updated: 1 }, 'existing rows are changed, missing ones made')
    const before = await consentRows()
    const mixed = await call(psych, 'POST', `${base}/consents/bulk`, { studentIds: [pupils[4]!.id, inB.id], guardianConsent: 'given' })
    t.equal(mixed.statusCode, 404, 'a student of another school refuses the whole list')
    t.equal(await consentRows(), before, 'nothing written')
    const audits = await auditOf(w, 'screening_consents')
    t.ok(audits.some((a) => a.action === 'C' && a.record_ids.length === 3 && a.field_groups.includes('decision')), 'one audit event for the three rows')
  })

  t.test('single: one student, either state, who recorded it and when', async (t) => {
    const res = await call(psych, 'PUT', `${base}/consents/${pupils[2]!.id}`, { studentAssent: 'refused' })
    t.equal(res.statusCode, 200, res.body)
    t.match(res.json(), { studentId: pupils[2]!.id, guardianConsent: 'refused', studentAssent: 'refused', assentRecordedBy: psych.id })
    t.equal((await call(psych, 'PUT', `${base}/consents/${pupils[2]!.id}`, {})).statusCode, 400, 'a state is needed')
    t.equal((await call(psych, 'PUT', `${base}/consents/${pupils[2]!.id}`, { guardianConsent: 'maybe' })).statusCode, 400)
  })

  t.test('only psychology teachers read refusals; homeroom teachers record their own class and read counts', async (t) => {
    const wrote = await call(homeroom, 'PUT', `${base}/consents/${pupils[4]!.id}`, { guardianConsent: 'not_returned' })
    t.equal(wrote.statusCode, 200, wrote.body)
    t.same(Object.keys(wrote.json()).sort(), ['campaignId', 'id', 'schoolId', 'studentId'], 'the state does not come back')
    t.equal((await call(homeroom, 'PUT', `${base}/consents/${elsewhere.id}`, { guardianConsent: 'given' })).statusCode, 404, 'another class')
    t.equal((await call(homeroom, 'POST', `${base}/consents/bulk`, { studentIds: [pupils[4]!.id, elsewhere.id], guardianConsent: 'given' })).statusCode, 404)
    t.equal((await call(homeroom, 'GET', `${base}/consents?classId=${own}`)).statusCode, 404, 'no class list of states')
    const counts = await call(homeroom, 'GET', `${base}/consents/summary?classId=${own}`)
    t.equal(counts.statusCode, 200, counts.body)
    t.same(counts.json(), { campaignId: c.id, classId: own, consentRequired: true, enrolled: 5, given: 2, notGiven: 3 }, 'given and not given, no refusals')
    t.equal((await call(homeroom, 'GET', `${base}/consents/summary?classId=${other}`)).statusCode, 404)
    const full = await call(psych, 'GET', `${base}/consents/summary?classId=${own}`)
    t.match(full.json(), { enrolled: 5, given: 2, notGiven: 3, refused: 2, notReturned: 1, assentRefused: 1, assentGiven: 2 })
    for (const who of [admin, w.mentor, w.monitor]) {
      t.equal((await call(who, 'GET', `${base}/consents?classId=${own}`)).statusCode, 404)
      t.equal((await call(who, 'PUT', `${base}/consents/${pupils[0]!.id}`, { guardianConsent: 'given' })).statusCode, 404)
    }
    const list = await call(psych, 'GET', `${base}/consents?classId=${own}`)
    t.equal(list.statusCode, 200, list.body)
    const items = list.json().items as Array<{ studentId: string; guardianConsent: string; studentAssent: string; consentOk: boolean; name: string }>
    t.equal(items.length, 5)
    const of = (p: Pupil) => items.find((i) => i.studentId === p.id)
    t.match(of(pupils[0]!), { guardianConsent: 'given', studentAssent: 'given', consentOk: true, name: pupils[0]!.name })
    t.match(of(pupils[2]!), { guardianConsent: 'refused', studentAssent: 'refused', consentOk: false })
    t.match(of(pupils[4]!), { guardianConsent: 'not_returned', studentAssent: 'not_asked', consentOk: false })
  })

  t.test('out of scope answers 404', async (t) => {
    t.equal((await call(psychB, 'GET', `${base}/consents?classId=${own}`)).statusCode, 404, 'another school’s campaign')
    t.equal((await call(psychB, 'PUT', `${base}/consents/${pupils[0]!.id}`, { guardianConsent: 'given' })).statusCode, 404)
    t.equal((await call(psych, 'PUT', `${base}/consents/${inB.id}`, { guardianConsent: 'given' })).statusCode, 404, 'another school’s student')
    t.equal((await call(psych, 'GET', `${base}/consents?classId=${w.B.classIds[0]}`)).statusCode, 404, 'another school’s class')
  })

  const entry = (p: Pupil, extra: Record<string, unknown> = {}) => call(psych, 'POST', `${base}/responses`, { studentId: p.id, instrumentId: GAD7_ID, answers: ZEROS, ...extra })

  t.test('entry: refused without consent (422 naming the student’s consent), taken with it', async (t) => {
    const ok = await entry(pupils[0]!)
    t.equal(ok.statusCode, 201, ok.body)
    const refused = await entry(pupils[3]!)
    t.equal(refused.statusCode, 422)
    t.equal(refused.json().code, 'consent_refused')
    t.match(refused.json().message, new RegExp(`学号 ${pupils[3]!.studentNo}.*监护人不同意`))
    const assent = await entry(pupils[2]!)
    t.equal(assent.statusCode, 422)
    t.equal(assent.json().code, 'consent_refused', 'the guardian’s refusal is named first')
    const notReturned = await entry(pupils[4]!)
    t.equal(notReturned.json().code, 'consent_not_returned')
    t.match(notReturned.json().message, /尚未收回/)
    const english = await call(psych, 'POST', `${base}/responses`, { studentId: pupils[4]!.id, instrumentId: GAD7_ID, answers: ZEROS }, { 'accept-language': 'en' })
    t.match(english.json().message, /consent slip has not come back/)
    await call(psych, 'PUT', `${base}/consents/${pupils[1]!.id}`, { studentAssent: 'refused' })
    const ownNo = await entry(pupils[1]!)
    t.equal(ownNo.json().code, 'assent_refused', 'the student’s own refusal is respected')
    t.equal(await w.count('screening_responses', sql`campaign_id = ${c.id}`), 1, 'only the consented answers were kept')
  })

  t.test('entry: an override with a reason is taken, kept with the response and audited', async (t) => {
    t.equal((await entry(pupils[4]!, { consentOverrideReason: '' })).statusCode, 400, 'an empty reason is no reason')
    const res = await entry(pupils[4]!, { consentOverrideReason: '家长电话口头同意，回执补交' })
    t.equal(res.statusCode, 201, res.body)
    t.equal(res.json().consentOverrideReason, '家长电话口头同意，回执补交')
    const audit = (await auditOf(w, 'screening_responses')).find((a) => a.record_ids.includes(res.json().id))
    t.ok(audit?.field_groups.includes('consentOverride'), 'the audit row names the override')
    t.equal(audit?.actor_id, psych.id)
    t.notMatch(JSON.stringify(audit), /回执补交/, 'the reason itself is not in the audit row')
    const plain = await entry(pupils[0]!)
    t.equal(plain.statusCode, 409, 'a second answer is still a duplicate')
  })

  t.test('import: rows without consent are reported by line and reason; nothing is written', async (t) => {
    const fresh: Pupil[] = []
    for (let i = 0; i < 3; i++) fresh.push(await w.pupil(w.A, own))
    await call(psych, 'POST', `${base}/consents/bulk`, { studentIds: [fresh[0]!.id], guardianConsent: 'given' })
    await call(psych, 'PUT', `${base}/consents/${fresh[1]!.id}`, { guardianConsent: 'refused' })
    const day = shanghaiDay(-1)
    const csv = [['学号', ...[1, 2, 3, 4, 5, 6, 7].map((n) => `GAD${n}`), '测评日期'], ...fresh.map((p) => [p.studentNo, ...ZEROS, day])]
      .map((r) => r.join(',')).join('\n') + '\n'
    const before = await w.count('screening_responses')
    const res = await call(psych, 'POST', `${base}/import?wait=true`, csv, { 'content-type': 'text/csv' })
    t.equal(res.statusCode, 422, res.body)
    t.match(res.json(), { code: 'import_rejected' })
    t.same((res.json().details.errors as Array<{ row: number; field: string }>).map((e) => [e.row, e.field]), [[3, '知情同意'], [4, '知情同意']])
    t.match(res.json().details.errors[0].reason, /监护人不同意/)
    t.match(res.json().details.errors[1].reason, /尚未收回/)
    t.equal(await w.count('screening_responses'), before, 'all or nothing: the consented row is not written either')

    const override = encodeURIComponent('年级统一施测，回执由班主任补收')
    const forced = await call(psych, 'POST', `${base}/import?wait=true&consentOverride=${override}`, csv, { 'content-type': 'text/csv' })
    t.equal(forced.statusCode, 200, forced.body)
    t.match(forced.json(), { status: 'succeeded', result: { inserted: 3 } })
    const rows = await queryRows<{ student_id: string; consent_override_reason: string | null }>(w.database.db,
      sql`select student_id, consent_override_reason from screening_responses where campaign_id = ${c.id} and source = 'import'`)
    const reason = (p: Pupil) => rows.find((r) => r.student_id === p.id)?.consent_override_reason
    t.equal(reason(fresh[0]!), null, 'a consented row overrides nothing')
    t.equal(reason(fresh[1]!), '年级统一施测，回执由班主任补收')
    t.equal(reason(fresh[2]!), '年级统一施测，回执由班主任补收')
    const audits = await auditOf(w, 'screening_responses')
    t.ok(audits.some((a) => a.field_groups.includes('consentOverride') && fresh.slice(1).every((p) => a.student_ids.includes(p.id))), 'the import’s audit names the override')
  })

  t.test('coverage counts 未获同意 apart from 未测', async (t) => {
    const res = await call(psych, 'GET', `${base}/coverage`)
    t.equal(res.statusCode, 200, res.body)
    const cls = (res.json().classes as Array<{ classId: string; enrolled: number; screened: number; noConsent: number; notScreened: number }>).find((x) => x.classId === own)!
    // Own class: 5 + 3 pupils; screened 1 (0) + 1 (4, override) + 3 (imported) = 5; without consent and unscreened: 1, 2, 3 → 3; none left merely unscreened.
    t.match(cls, { enrolled: 8, screened: 5, noConsent: 3, notScreened: 0 })
    const otherCls = (res.json().classes as Array<{ classId: string; enrolled: number; noConsent: number; notScreened: number }>).find((x) => x.classId === other)!
    t.match(otherCls, { enrolled: 1, noConsent: 1, notScreened: 0 }, 'a slip not returned is 未获同意')
    t.equal(res.json().totals.noConsent, res.json().classes.reduce((n: number, x: { noConsent: number }) => n + x.noConsent, 0))
    await call(psych, 'PATCH', base, { consentRequired: false })
    const off = await call(psych, 'GET', `${base}/coverage`)
    const offCls = (off.json().classes as Array<{ classId: string; noConsent: number; notScreened: number }>).find((x) => x.classId === own)!
    t.match(offCls, { noConsent: 0, notScreened: 3 }, 'a campaign without consent counts them as 未测')
    const after = await entry(pupils[3]!)
    t.equal(after.statusCode, 201, 'and takes their answers')
  })
})
