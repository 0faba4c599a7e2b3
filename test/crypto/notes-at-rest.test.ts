import { randomBytes } from 'node:crypto'
import t from '../helpers/tap.js'
import { and, eq, sql } from 'drizzle-orm'
import { cases, counsellingSessions, safetyPlanVersions, studentTransfers } from '../../db/schema/index.js'
import { withSchoolTx } from '../../src/access/transaction.js'
import { queryRows } from '../../src/db/database.js'
import { keyStatus, reencryptSchool, rotateMaster, rotateSchool } from '../../src/crypto/key-commands.js'
import { notesScope } from '../../src/crypto/key-ring.js'
import { masterKeyId, NotesKeys, notesKeysOf, parseMasterKey, withNotesSchool } from '../../src/crypto/notes-keys.js'
import { sealedColumns } from '../../src/crypto/sealed-columns.js'
import { screeningWorld, shanghaiDay, type Caller, type ScreeningWorld } from '../screening/fixtures.js'

/** Every free text this test writes carries its own marker, so a raw row can be searched for any of them. */
const marker = () => `明文${randomBytes(4).toString('hex')}`

const ANSWERS = {
  thoughtsFrequency: 'weekly', thoughtsLast: 'pastWeek', hasPlan: false, hasIntent: false, meansAccess: false, pastAttempt: false,
  riskFactors: ['hopelessness'], protectiveFactors: ['trustedAdult'],
}

interface Written {
  texts: string[]
  caseId: string
  sessionId: string
  crisisId: string
  planId: string
  contactId: string
  referralId: string
  studentId: string
}

async function ok(res: { statusCode: number; body: string; json(): unknown }, status = 201): Promise<Record<string, unknown>> {
  if (res.statusCode !== status) throw new Error(`${res.statusCode} ${res.body}`)
  return res.json() as Record<string, unknown>
}

/** Writes every sealed field of school A through the API, as its psychology teacher and through the letter box. */
async function writeEverything(w: ScreeningWorld): Promise<Written> {
  const { psych, call } = w
  const texts: string[] = []
  const text = (prefix: string) => {
    const v = `${prefix}${marker()}`
    texts.push(v)
    return v
  }
  const s = await w.pupil(w.A, w.A.classIds[0])
  const inst = await ok(await call(psych, 'POST', '/api/v1/institutions', { name: '市精神卫生中心', kind: 'mental_health_centre' }))
  const c = await ok(await call(psych, 'POST', `/api/v1/students/${s.id}/cases`, { source: 'other', riskLevel: 'red', summary: text('个案摘要') }))
  const session = await ok(await call(psych, 'POST', `/api/v1/cases/${c.id}/sessions`, { kind: 'individual', sessionDate: shanghaiDay(-1), durationMin: 45, notes: text('辅导记录') }))
  const crisis = await ok(await call(psych, 'POST', `/api/v1/students/${s.id}/crisis-events`, { caseId: c.id }))
  await ok(await call(psych, 'POST', `/api/v1/crisis-events/${crisis.id}/assessment`, { answers: ANSWERS, disposition: 'none', reason: text('评估理由') }))
  const plan = await ok(await call(psych, 'POST', `/api/v1/cases/${c.id}/safety-plan`, {
    warningSigns: [text('预警信号')], copingStrategies: [text('自我应对')], socialDistractions: [text('转移注意')],
    helpContacts: [{ name: text('求助人'), phone: '139 0000 1234' }], professionals: [{ name: text('专业机构'), phone: '12356' }],
    environmentSafety: [text('环境安全')], reasonsForLiving: [text('活下去的理由')],
  }))
  await ok(await call(psych, 'POST', `/api/v1/safety-plans/${plan.id}/reviews`, { reviewedOn: shanghaiDay(), context: 'follow_up', note: text('复查记录') }))
  const contact = await ok(await call(psych, 'POST', `/api/v1/students/${s.id}/parent-contacts`, {
    channel: 'meeting', referralConsent: 'given', content: text('家长沟通'), outcome: text('沟通结果'),
  }))
  const r = await ok(await call(psych, 'POST', `/api/v1/students/${s.id}/referrals`, { institutionId: inst.id, reason: '需要专科评估', followUpDate: '2099-01-01' }))
  const step = (body: unknown) => call(psych, 'POST', `/api/v1/referrals/${r.id}/transitions`, body).then((x) => ok(x, 200))
  await step({ to: 'consented', consentContactId: contact.id })
  await step({ to: 'sent' })
  await step({ to: 'received', receivedOn: shanghaiDay(-1) })
  await step({ to: 'feedback', feedback: text('机构反馈'), followUpDate: '2099-02-01' })

  // 解忧树洞: a pupil writes without an account, the psychology teacher replies.
  await ok(await call(psych, 'PATCH', '/api/v1/letterbox-admin', { open: true }), 200)
  const slug = (await ok(await call(psych, 'GET', '/api/v1/letterbox-admin'), 200)).slug as string
  const body = text('来信')
  await ok(await w.app.inject({ method: 'POST', url: `/api/v1/letterbox/${slug}/letters`, payload: { body }, remoteAddress: '192.0.2.10' }))
  const letters = (await ok(await call(psych, 'GET', '/api/v1/letters'), 200)).items as Array<{ id: string; body: string }>
  const letter = letters.find((l) => l.body === body)!
  await ok(await call(psych, 'PUT', `/api/v1/letters/${letter.id}/reply`, { replyText: text('回信') }), 200)

  // 转学: the package is written by the sending school's service (another module); here as it would.
  await withNotesSchool(w.database.db, w.A.schoolId, () => w.database.db.insert(studentTransfers).values({
    schoolId: w.A.schoolId, studentId: s.id, nationalId: `G${randomBytes(6).toString('hex')}`, toSchoolId: w.B.schoolId, status: 'sent', parts: ['summary'],
    payload: JSON.stringify({ summary: text('转学材料') }), sentAt: new Date(),
  }))
  return { texts, caseId: c.id as string, sessionId: session.id as string, crisisId: crisis.id as string, planId: plan.id as string, contactId: contact.id as string, referralId: r.id as string, studentId: s.id }
}

/** Every sealed column's stored values of one school, as the owner reads them (no drizzle types: what a dump shows). */
async function rawValues(w: ScreeningWorld, schoolId: string): Promise<Array<{ column: string; value: string }>> {
  const out: Array<{ column: string; value: string }> = []
  for (const c of sealedColumns) {
    const col = sql.identifier(c.column)
    const rows = await queryRows<{ v: string | null }>(w.database.db, sql`select ${col}::text as v from ${sql.identifier(c.table)} where school_id = ${schoolId}`)
    for (const r of rows) if (r.v !== null) out.push({ column: `${c.table}.${c.column}`, value: c.kind === 'json' ? JSON.parse(r.v) : r.v })
  }
  return out
}

/** What the psychology teacher reads through the API, as one text to search. */
async function readEverything(w: ScreeningWorld, who: Caller, x: Written): Promise<string> {
  const urls = [
    `/api/v1/cases/${x.caseId}`, `/api/v1/sessions/${x.sessionId}`, `/api/v1/crisis-events/${x.crisisId}/assessment`,
    `/api/v1/safety-plans/${x.planId}`, `/api/v1/safety-plans/${x.planId}/reviews`, `/api/v1/parent-contacts/${x.contactId}`,
    `/api/v1/referrals/${x.referralId}`, '/api/v1/letters', `/api/v1/cases/${x.caseId}/page`,
  ]
  const parts: string[] = []
  for (const url of urls) {
    const res = await w.call(who, 'GET', url)
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`)
    parts.push(res.body)
  }
  return parts.join('\n')
}

/** The transfer package as the receiving school reads it, in its own transaction (its wall lets it see a sent package). */
async function transferAsReceiver(w: ScreeningWorld): Promise<string | undefined> {
  return withSchoolTx(w.database.db, w.B.schoolId, async (tx) => (await tx.select({ payload: studentTransfers.payload }).from(studentTransfers)
    .where(eq(studentTransfers.toSchoolId, w.B.schoolId)))[0]?.payload)
}

t.test('free-text notes are ciphertext at rest and plaintext through the API', async (t) => {
  const m1 = randomBytes(32).toString('base64')
  const w = await screeningWorld({ NOTES_MASTER_KEY: m1 })
  const x = await writeEverything(w)
  const transferText = x.texts.find((v) => v.startsWith('转学材料'))!
  const apiTexts = x.texts.filter((v) => v !== transferText)

  await t.test('a superuser select shows ciphertext in every listed column', async (t) => {
    const raw = await rawValues(w, w.A.schoolId)
    const columns = new Set(raw.map((r) => r.column))
    for (const c of sealedColumns) t.ok(columns.has(`${c.table}.${c.column}`), `${c.table}.${c.column} was written`)
    for (const r of raw) t.match(r.value, /^enc1\.[0-9a-f-]{36}\.[\w-]+\.[\w-]+\.[\w-]+$/, `${r.column} is sealed`)
    const dump = JSON.stringify(await queryRows(w.database.db, sql`select * from cases, counselling_sessions, safety_assessments, safety_plan_versions,
      safety_plan_reviews, parent_contacts, referrals, letters, student_transfers where cases.school_id = ${w.A.schoolId}`))
    const whole = JSON.stringify(raw) + dump
    for (const v of x.texts) t.notOk(whole.includes(v.slice(-12)), `no trace of ${v.slice(0, 4)} in the rows`)
    t.notOk(whole.includes('hopelessness'), 'assessment answers are sealed too')
  })

  await t.test('the psychology teacher reads plaintext', async (t) => {
    const seen = await readEverything(w, w.psych, x)
    for (const v of apiTexts) t.ok(seen.includes(v), `the API returns ${v.slice(0, 4)}`)
    t.match(seen, /hopelessness/)
    t.equal(JSON.parse((await transferAsReceiver(w))!).summary, transferText, 'the receiving school opens the sending school’s package')
  })

  await t.test('a value copied into another school’s row or another column does not open', async (t) => {
    const summary = (await queryRows<{ summary: string }>(w.database.db, sql`select summary from cases where id = ${x.caseId}`))[0]!.summary
    const sB = await w.pupil(w.B, w.B.classIds[0])
    const cB = await ok(await w.call(w.psychB, 'POST', `/api/v1/students/${sB.id}/cases`, { source: 'other', riskLevel: 'yellow', summary: '乙校个案' }))
    await w.database.db.execute(sql`update cases set summary = ${summary} where id = ${cB.id}`)
    const res = await w.call(w.psychB, 'GET', `/api/v1/cases/${cB.id}`)
    t.equal(res.statusCode, 500, 'school B cannot open school A’s value')
    t.notOk(res.body.includes('个案摘要'))
    // A value moved to another column of the same school: the column is bound in too.
    await w.database.db.execute(sql`update counselling_sessions set notes = ${summary} where id = ${x.sessionId}`)
    const moved = await w.call(w.psych, 'GET', `/api/v1/sessions/${x.sessionId}`)
    t.equal(moved.statusCode, 500)
    t.notOk(moved.body.includes('个案摘要'))
    await withNotesSchool(w.database.db, w.B.schoolId, () => w.database.db.update(cases).set({ summary: '乙校个案' }).where(eq(cases.id, cB.id as string)))
    t.equal((await w.call(w.psychB, 'GET', `/api/v1/cases/${cB.id}`)).json().summary, '乙校个案')
    await withNotesSchool(w.database.db, w.A.schoolId, () => w.database.db.update(counsellingSessions).set({ notes: x.texts[1]! }).where(eq(counsellingSessions.id, x.sessionId)))
    t.equal((await w.call(w.psych, 'GET', `/api/v1/sessions/${x.sessionId}`)).json().notes, x.texts[1])
  })

  await t.test('rotate-school re-seals the school under a new key; the running app finds it', async (t) => {
    const keys = new NotesKeys(w.database.db, { NOTES_MASTER_KEY: m1 })
    const before = await rawValues(w, w.A.schoolId)
    const rs = await rotateSchool(keys, w.A.schoolId, 3)
    t.equal(rs.resealed, before.length, 'every value of the school re-sealed')
    const after = await rawValues(w, w.A.schoolId)
    t.ok(after.every((v) => v.value.startsWith(`enc1.${rs.keyId}.`)), 'all under the new key')
    const active = await queryRows<{ id: string }>(w.database.db, sql`select id from school_keys where school_id = ${w.A.schoolId} and retired_at is null`)
    t.same(active.map((a) => a.id), [rs.keyId], 'the old key retired, the new one active')
    t.notOk(notesKeysOf(w.database.db).ring.byId.has(rs.keyId), 'the app has not seen the new key yet')
    const seen = await readEverything(w, w.psych, x)
    for (const v of apiTexts) t.ok(seen.includes(v), `readable after rotation: ${v.slice(0, 4)}`)
    t.equal(JSON.parse((await transferAsReceiver(w))!).summary, transferText, 'the receiving school loads the sender’s new key')
    // School B's values were not touched.
    const b = await rawValues(w, w.B.schoolId)
    t.ok(b.length > 0 && b.every((v) => !v.value.startsWith(`enc1.${rs.keyId}.`)))
  })

  const m2 = randomBytes(32).toString('hex')
  await t.test('rotate-master re-wraps every data key; everything stays readable', async (t) => {
    const keys = new NotesKeys(w.database.db, { NOTES_MASTER_KEY: m2, NOTES_MASTER_KEY_PREVIOUS: m1 })
    const r = await rotateMaster(keys)
    t.ok(r.rewrapped >= 3, 'both schools’ keys re-wrapped, the retired one too')
    t.equal(r.current, masterKeyId(Buffer.from(m2, 'hex')))
    const masters = await queryRows<{ master_key_id: string }>(w.database.db, sql`select distinct master_key_id from school_keys`)
    t.same(masters.map((m) => m.master_key_id), [r.current], 'every key under the new master')
    t.same(await rotateMaster(keys), { rewrapped: 0, current: r.current }, 'a second run has nothing to do')
    await t.rejects(new NotesKeys(w.database.db, { NOTES_MASTER_KEY: m1 }).ensureSchool(w.A.schoolId), /not configured/, 'the old master alone no longer opens the keys')
    // A process that starts afresh with only the new master key reads every value.
    const fresh = new NotesKeys(w.database.db, { NOTES_MASTER_KEY: m2 })
    const loaded = await fresh.loadAll()
    t.equal(loaded.unreadable, 0)
    const plans = await notesScope.run({ ring: fresh.ring, schoolId: w.A.schoolId }, async () => await w.database.db.select().from(safetyPlanVersions).where(eq(safetyPlanVersions.planId, x.planId)))
    t.ok(plans[0]!.warningSigns[0]!.startsWith('预警信号'))
    const raw = await notesScope.run({ ring: fresh.ring, schoolId: w.A.schoolId }, async () => await w.database.db.select({ notes: counsellingSessions.notes }).from(counsellingSessions).where(eq(counsellingSessions.id, x.sessionId)))
    t.equal(raw[0]!.notes, x.texts[1])
    const seen = await readEverything(w, w.psych, x)
    for (const v of apiTexts) t.ok(seen.includes(v), `still readable: ${v.slice(0, 4)}`)
  })

  await t.test('plaintext from before encryption reads as it is, and reencrypt seals it', async (t) => {
    await w.database.db.execute(sql`update counselling_sessions set notes = '旧版明文记录' where id = ${x.sessionId}`)
    await w.database.db.execute(sql`update safety_plan_versions set warning_signs = '["旧版预警信号"]'::jsonb where plan_id = ${x.planId}`)
    await w.database.db.execute(sql`update cases set summary = '旧版个案摘要' where id = ${x.caseId}`)
    t.equal((await w.call(w.psych, 'GET', `/api/v1/sessions/${x.sessionId}`)).json().notes, '旧版明文记录')
    t.same((await w.call(w.psych, 'GET', `/api/v1/safety-plans/${x.planId}`)).json().current.warningSigns, ['旧版预警信号'])
    // The command as run after the rotation: with the new master key only.
    const keys = new NotesKeys(w.database.db, { NOTES_MASTER_KEY: m2 })
    const status = await keyStatus(keys)
    t.same(status.plaintext.map((p) => [p.schoolId, p.values]), [[w.A.schoolId, 3]], 'status counts the plaintext values')
    const r = await reencryptSchool(keys, w.A.schoolId)
    t.equal(r.sealed, 3)
    const raw = await rawValues(w, w.A.schoolId)
    t.ok(raw.every((v) => v.value.startsWith('enc1.')), 'nothing left in the clear')
    t.notOk(JSON.stringify(raw).includes('旧版'))
    t.equal((await w.call(w.psych, 'GET', `/api/v1/sessions/${x.sessionId}`)).json().notes, '旧版明文记录')
    t.same((await w.call(w.psych, 'GET', `/api/v1/safety-plans/${x.planId}`)).json().current.warningSigns, ['旧版预警信号'])
    t.equal((await w.call(w.psych, 'GET', `/api/v1/cases/${x.caseId}`)).json().summary, '旧版个案摘要')
    const after = await keyStatus(keys)
    t.same(after.plaintext, [])
    const counted = after.keys.filter((k) => k.schoolId === w.A.schoolId).reduce((n, k) => n + k.values, 0)
    t.equal(counted, raw.length, 'status counts every sealed value of the school by key')
    t.equal((await reencryptSchool(keys, w.A.schoolId)).sealed, 0, 'a second run finds nothing')
  })

  await t.test('the master key: its forms, a wrong length refused, a warning in production without one', async (t) => {
    const raw = randomBytes(32)
    t.same(parseMasterKey(raw.toString('base64'), 'k'), raw)
    t.same(parseMasterKey(raw.toString('hex'), 'k'), raw)
    t.same(parseMasterKey(raw, 'k'), raw, 'a key file of the 32 raw bytes')
    t.throws(() => parseMasterKey(randomBytes(16).toString('base64'), 'NOTES_MASTER_KEY'), /NOTES_MASTER_KEY must be 32 bytes/)
    const warnings: string[] = []
    await new NotesKeys(w.database.db, { NODE_ENV: 'production' }, (m) => warnings.push(m)).mastersOf()
    t.match(warnings.join('\n'), /NOTES_MASTER_KEY is not set/)
    warnings.length = 0
    await new NotesKeys(w.database.db, { NODE_ENV: 'production', NOTES_MASTER_KEY: m2 }, (m) => warnings.push(m)).mastersOf()
    t.same(warnings, [], 'no warning once one is configured')
  })

  await t.test('writing a sealed column with no school named is refused, not stored in the clear', async (t) => {
    await t.rejects(w.database.db.update(cases).set({ summary: '无学校' }).where(and(eq(cases.id, x.caseId), eq(cases.schoolId, w.A.schoolId))), /outside a school scope/)
    t.equal((await w.call(w.psych, 'GET', `/api/v1/cases/${x.caseId}`)).json().summary, '旧版个案摘要')
  })
})
