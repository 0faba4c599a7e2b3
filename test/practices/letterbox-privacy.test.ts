import t from '../helpers/tap.js'
import { asc, eq, sql } from 'drizzle-orm'
import { auditLog, letters } from '../../db/schema/index.js'
import { queryRows } from '../../src/db/database.js'
import { verifyAuditChain } from '../../src/audit/audit.js'
import { clientNetwork, LETTERBOX_LIMITS } from '../../src/modules/practices/letterbox-public-routes.js'
import { posterBase } from '../../src/modules/practices/letter-routes.js'
import { buildTestApp, createSchool, injectAs } from '../helpers/app.js'
import { as, practiceWorld } from './helpers.js'

/** What the letter box keeps, logs and audits about a writer: the day, and nothing to join. */

const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
/** Midnight of today in Asia/Shanghai, as an instant. */
const schoolMidnight = () => new Date(`${today()}T00:00:00+08:00`).getTime()

async function openBox(app: Parameters<typeof as>[0], psych: Parameters<typeof as>[1]) {
  await as(app, psych, 'PATCH', '/api/v1/letterbox-admin', { open: true })
  return (await as(app, psych, 'GET', '/api/v1/letterbox-admin')).json().slug as string
}

t.test('anonymous writes and reads are audited with the day only and no request id; the chain still verifies', async (t) => {
  const { app, database, logs } = await buildTestApp(t)
  const w = await practiceWorld(app, database)
  const { db } = database
  const slug = await openBox(app, w.psych)
  const before = (await db.select({ seq: auditLog.seq }).from(auditLog).orderBy(asc(auditLog.seq))).length

  const clientId = 'proxy-chosen-id-4242'
  const write = await app.inject({
    method: 'POST', url: `/api/v1/letterbox/${slug}/letters`, payload: { body: '睡不着，很焦虑。' },
    headers: { 'x-request-id': clientId, 'x-purpose': 'tracking-123' }, remoteAddress: '203.0.113.5',
  })
  t.equal(write.statusCode, 201)
  const code = write.json().replyCode as string
  const read = (replyCode: string) => app.inject({
    method: 'POST', url: `/api/v1/letterbox/${slug}/replies`, payload: { replyCode }, headers: { 'x-request-id': clientId }, remoteAddress: '203.0.113.5',
  })
  t.equal((await read(code)).statusCode, 200)
  t.equal((await read('AAAA-BBBB-CCCC')).statusCode, 404)

  const anonymous = await db.select().from(auditLog).where(eq(auditLog.actorRoles, 'anonymous')).orderBy(asc(auditLog.seq))
  t.same(anonymous.map((a) => `${a.action}:${a.outcome}`), ['C:ok', 'R:ok', 'R:not_found'])
  for (const a of anonymous) {
    t.equal(a.ts.getTime(), schoolMidnight(), `seq ${a.seq} is dated by the school day, not the time`)
    t.equal(a.requestId, null, `seq ${a.seq} carries no request id`)
    t.equal(a.purpose, null, `seq ${a.seq} carries no client-chosen purpose`)
    t.same(a.recordIds, [])
  }
  t.notMatch(JSON.stringify(await db.select().from(auditLog)), clientId, 'the client-chosen id is in no audit row')
  t.notMatch(logs.join('\n'), clientId, 'nor in a log line: public routes make their own request ids')
  t.not(write.headers['x-request-id'], clientId)
  // Staff rows keep their exact time (the box was opened a moment ago).
  const staff = (await db.select().from(auditLog).orderBy(asc(auditLog.seq))).slice(0, before)
  t.ok(staff.every((a) => Date.now() - a.ts.getTime() < 120_000), 'other rows are still timed to the microsecond')
  const verified = await verifyAuditChain(db)
  t.same(verified, { ok: true, total: before + 3, firstBrokenSeq: null }, 'audit_verify accepts the day-dated rows')

  // The letter itself: a date, no time of any kind (the audit cannot be joined on time).
  const [row] = await queryRows<Record<string, unknown>>(db, sql`select * from letters`)
  t.equal(row!.written_on, today())
  t.same(Object.keys(row!).filter((k) => /_at$|time/.test(k)), [])
})

t.test('public routes log neither the box slug nor the reply code', async (t) => {
  const { app, database, logs } = await buildTestApp(t)
  const w = await practiceWorld(app, database)
  const slug = await openBox(app, w.psych)
  const before = logs.length

  t.equal((await app.inject({ method: 'GET', url: `/letterbox/${slug}` })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: `/api/v1/letterbox/${slug}` })).statusCode, 200)
  const written = await app.inject({ method: 'POST', url: `/api/v1/letterbox/${slug}/letters`, payload: { body: '你好' } })
  t.equal(written.statusCode, 201)
  const code = written.json().replyCode as string
  t.equal((await app.inject({ method: 'POST', url: `/api/v1/letterbox/${slug}/replies`, payload: { replyCode: code } })).statusCode, 200)
  // Spelled another way, or a path no route knows: still no slug.
  await app.inject({ method: 'GET', url: `/api/v1/letterbox/${slug}/nothing-here` })
  await app.inject({ method: 'GET', url: `/Letterbox/${slug}` })
  await app.inject({ method: 'GET', url: `/api/v1/%6cetterbox/${slug}` })

  const lines = logs.slice(before)
  t.ok(lines.length >= 14, `the requests were logged (${lines.length} lines)`)
  const text = lines.join('\n')
  t.notMatch(text, slug, 'no log line holds the slug')
  t.notMatch(text, code, 'no log line holds the reply code')
  t.notMatch(text, code.replace(/-/g, ''))
  t.match(text, '/api/v1/letterbox/:slug/letters', 'the route is still logged')
})

t.test('a letter turned into a crisis, an alert and a case: no audit row, request id or log line links letter and student', async (t) => {
  const { app, database, logs } = await buildTestApp(t)
  const w = await practiceWorld(app, database)
  const { db } = database
  const slug = await openBox(app, w.psych)
  const letterOf = async (body: string) => {
    t.equal((await app.inject({ method: 'POST', url: `/api/v1/letterbox/${slug}/letters`, payload: { body }, remoteAddress: '198.51.100.44' })).statusCode, 201)
    // Sealed at rest: compared after drizzle opened it, not in SQL.
    return (await db.select({ id: letters.id, body: letters.body }).from(letters)).find((r) => r.body === body)!.id
  }
  const studentId = await w.student()
  const dangerLetter = await letterOf('同桌说他不想活了。')
  const alertLetter = await letterOf('小王最近总是一个人。')
  const caseLetter = await letterOf('我们宿舍有人被欺负。')
  const before = logs.length
  const seqBefore = (await db.select({ seq: auditLog.seq }).from(auditLog)).length

  let res = await injectAs(app, w.psych.token, { method: 'POST', url: `/api/v1/letters/${dangerLetter}/danger`, payload: { studentId }, headers: { 'x-request-id': 'teacher-req-0001' } })
  t.equal(res.statusCode, 200)
  t.ok(res.json().crisisId)
  t.equal(res.json().letter.danger, true)
  res = await as(app, w.psych, 'POST', `/api/v1/letters/${alertLetter}/alert`, { studentId })
  t.equal(res.statusCode, 201)
  res = await as(app, w.psych, 'POST', `/api/v1/letters/${caseLetter}/case`, { studentId, riskLevel: 'yellow' })
  t.equal(res.statusCode, 201)

  const rows = (await db.select().from(auditLog).orderBy(asc(auditLog.seq))).slice(seqBefore)
  const letterIds = [dangerLetter, alertLetter, caseLetter]
  const namesLetter = (a: typeof rows[number]) => letterIds.some((id) => a.recordIds.includes(id))
  const namesStudent = (a: typeof rows[number]) => a.studentIds.includes(studentId)
  t.ok(rows.some(namesStudent), 'the crisis, alert and case are audited with the student')
  t.same(rows.filter((a) => namesLetter(a) && namesStudent(a)), [], 'no row names both')
  // Rows of one request id: none of the groups names both.
  const byRequest = new Map<string, typeof rows>()
  for (const a of rows) if (a.requestId) byRequest.set(a.requestId, [...(byRequest.get(a.requestId) ?? []), a])
  for (const [rid, group] of byRequest) t.notOk(group.some(namesLetter) && group.some(namesStudent), `request ${rid} links no letter to the student`)
  // Neighbours in the chain (written under one lock, one transaction): no letter id next to the student.
  rows.forEach((a, i) => {
    if (!namesStudent(a)) return
    for (const b of [rows[i - 1], rows[i + 1]]) if (b) t.notOk(namesLetter(b), `seq ${b.seq}, next to the student's row ${a.seq}, names no letter`)
  })
  // The letter side of the danger flag is still audited: who, which fields, which day.
  const flag = rows.find((a) => a.resource === 'letters' && a.action === 'U')!
  t.ok(flag, 'the flag is audited')
  t.equal(flag.actorId, w.psych.id)
  t.same(flag.fieldGroups, ['alarm', 'triage'])
  t.equal(flag.ts.getTime(), schoolMidnight())
  t.equal(flag.requestId, null)
  t.same(flag.studentIds, [])

  // Refused conversions (a student of another school; a letter that does not exist) are
  // audited under the student the request named, about the record that was to be made, and
  // without the letter's id.
  const foreign = await (await practiceWorld(app, database, await createSchool(database))).student()
  const seqRefused = (await db.select({ seq: auditLog.seq }).from(auditLog)).length
  res = await as(app, w.psych, 'POST', `/api/v1/letters/${alertLetter}/alert`, { studentId: foreign })
  t.equal(res.statusCode, 404)
  res = await as(app, w.psych, 'POST', `/api/v1/letters/${dangerLetter}/danger`, { studentId: foreign })
  t.equal(res.statusCode, 404)
  const refused = (await db.select().from(auditLog).orderBy(asc(auditLog.seq))).slice(seqRefused)
  t.same(refused.map((a) => [a.resource, a.outcome, a.studentIds, a.recordIds]), [
    ['peer_alerts', 'not_found', [foreign], []],
    ['crisis_events', 'not_found', [foreign], []],
  ], 'each refusal names the student and no letter')

  const text = logs.slice(before).join('\n')
  for (const id of letterIds) t.notMatch(text, id, 'no log line holds the letter id')
  t.match(text, '/api/v1/letters/:id/danger')
  t.notMatch(text, studentId, 'nor the student id')
  t.same(await verifyAuditChain(db), { ok: true, total: seqRefused + refused.length, firstBrokenSeq: null })
})

t.test('thirteen addresses at their limit do not silence a box; a new address still writes', async (t) => {
  const { app, database, config } = await buildTestApp(t)
  const w = await practiceWorld(app, database)
  const slug = await openBox(app, w.psych)
  const write = (remoteAddress: string) => app.inject({ method: 'POST', url: `/api/v1/letterbox/${slug}/letters`, payload: { body: '灌水' }, remoteAddress })
  const perClient = LETTERBOX_LIMITS.write.client.max
  const statuses: number[] = []
  for (let a = 1; a <= 13; a++) {
    for (let i = 0; i < perClient; i++) statuses.push((await write(`198.18.0.${a}`)).statusCode)
    t.equal((await write(`198.18.0.${a}`)).statusCode, 429, `address ${a} is stopped at its own limit`)
  }
  t.equal(statuses.length, 13 * perClient)
  t.ok(statuses.every((s) => s === 201), 'every letter within the per-address limit is taken')
  t.equal((await write('198.18.1.1')).statusCode, 201, 'a fourteenth address can still write')
  const perClientPerHour = perClient * (LETTERBOX_LIMITS.write.box.timeWindow / LETTERBOX_LIMITS.write.client.timeWindow)
  t.ok(config.LETTERBOX_LETTERS_PER_HOUR >= 5 * 13 * perClientPerHour,
    `the box takes ${config.LETTERBOX_LETTERS_PER_HOUR} an hour: five times what thirteen addresses can send (${13 * perClientPerHour})`)
  t.equal(await database.db.$count(letters), 13 * perClient + 1)
})

t.test('an IPv6 client spends one budget for its whole /64', async (t) => {
  t.equal(clientNetwork('2001:db8:1:2::1'), '2001:db8:1:2::/64')
  t.equal(clientNetwork('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64')
  t.equal(clientNetwork('2001:0db8:0001:0002::ffff'), '2001:db8:1:2::/64')
  t.equal(clientNetwork('::1'), '0:0:0:0::/64')
  t.equal(clientNetwork('::ffff:192.0.2.7'), '192.0.2.7')
  t.equal(clientNetwork('192.0.2.7'), '192.0.2.7')

  const { app, database } = await buildTestApp(t)
  const w = await practiceWorld(app, database)
  const slug = await openBox(app, w.psych)
  const write = (remoteAddress: string) => app.inject({ method: 'POST', url: `/api/v1/letterbox/${slug}/letters`, payload: { body: '你好' }, remoteAddress })
  for (let i = 0; i < LETTERBOX_LIMITS.write.client.max; i++) t.equal((await write(`2001:db8:1:2::${i + 1}`)).statusCode, 201)
  t.equal((await write('2001:db8:1:2:ffff::9')).statusCode, 429, 'another address of the same /64 shares the budget')
  t.equal((await write('2001:db8:1:3::1')).statusCode, 201, 'the next /64 has its own')
})

t.test('the QR poster uses PUBLIC_BASE_URL only; a forged Host never reaches it', async (t) => {
  const forged = { host: 'evil.example', 'x-forwarded-host': 'evil2.example', 'x-forwarded-proto': 'https' }
  const poster = async (overrides: Parameters<typeof buildTestApp>[1]) => {
    const { app, database } = await buildTestApp(t, overrides)
    const w = await practiceWorld(app, database)
    const slug = (await as(app, w.admin, 'GET', '/api/v1/letterbox-admin')).json().slug as string
    const res = await injectAs(app, w.admin.token, { method: 'GET', url: '/api/v1/letterbox-admin/qr.svg', headers: forged })
    const base = await injectAs(app, w.admin.token, { method: 'GET', url: '/api/v1/letterbox-admin/qr.svg?base=https://evil3.example', headers: forged })
    t.equal(base.statusCode, 400, 'the request cannot choose the address either')
    return { res, slug }
  }

  const set = await poster({ PUBLIC_BASE_URL: 'https://xinan.example.edu.cn/school/', TRUST_PROXY: 'true' })
  t.equal(set.res.statusCode, 200)
  t.match(set.res.body, `https://xinan.example.edu.cn/school/letterbox/${set.slug}`)
  t.notMatch(set.res.body, /evil/)

  // The admin of this test world has no authenticator app, which production would demand first.
  const { res } = await poster({ PUBLIC_BASE_URL: undefined, NODE_ENV: 'production', REQUIRE_SECOND_FACTOR: false, TRUST_PROXY: 'true' })
  t.equal(res.statusCode, 409, 'production without PUBLIC_BASE_URL refuses')
  t.equal(res.json().code, 'public_base_url_missing')
  t.match(res.json().message, '未设置 PUBLIC_BASE_URL')
  t.notMatch(res.body, /evil/)

  // Development and tests: the address the server listens on.
  t.equal(posterBase({ PUBLIC_BASE_URL: undefined, NODE_ENV: 'development', HOST: '127.0.0.1', PORT: 3000 }), 'http://127.0.0.1:3000')
  t.equal(posterBase({ PUBLIC_BASE_URL: undefined, NODE_ENV: 'test', HOST: '0.0.0.0', PORT: 8080 }), 'http://localhost:8080')
  t.equal(posterBase({ PUBLIC_BASE_URL: undefined, NODE_ENV: 'development', HOST: '::1', PORT: 3000 }), 'http://[::1]:3000')
  t.equal(posterBase({ PUBLIC_BASE_URL: 'https://a.example/?x=1#y', NODE_ENV: 'production', HOST: '::', PORT: 3000 }), 'https://a.example')
})
