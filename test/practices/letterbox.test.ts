import t from '../helpers/tap.js'
import { and, eq, sql } from 'drizzle-orm'
import { auditLog, caseEvents, cases, crisisEvents, letterBoxes, letters, peerAlerts } from '../../db/schema/index.js'
import { queryRows } from '../../src/db/database.js'
import { LETTERBOX_LIMITS } from '../../src/modules/practices/letterbox-public-routes.js'
import { CODE_ALPHABET } from '../../src/modules/practices/letter-codes.js'
import { ACK_DEADLINE_MINUTES } from '../../src/modules/support/alert-rules.js'
import { sharedTestApp, createSchool, injectAs } from '../helpers/app.js'
import { as, practiceWorld } from './helpers.js'

/** 解忧树洞: the anonymous side, the teacher side, and what is never stored. */

const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)

t.test('anonymous letter box: write → code → reply → read; a wrong code reads nothing', async (t) => {
  const { app, database, logs } = await sharedTestApp()
  const w = await practiceWorld(app, database)
  const { db } = database

  // The box is made closed on first use; a visitor sees that, and writing is refused with a clear message.
  const box = (await as(app, w.psych, 'GET', '/api/v1/letterbox-admin')).json()
  t.equal(box.open, false)
  t.match(box.slug, /^[a-z2-9]{20}$/)
  t.not(box.slug, w.school.schoolId)
  t.equal(box.path, `/letterbox/${box.slug}`)
  t.notOk('codeKey' in box, 'the HMAC key is read by nobody')
  await as(app, w.psych, 'PATCH', '/api/v1/letterbox-admin', { closedMessage: '寒假期间信箱关闭' })
  let info = await app.inject({ method: 'GET', url: `/api/v1/letterbox/${box.slug}` })
  t.same(info.json(), { schoolName: info.json().schoolName, open: false, closedMessage: '寒假期间信箱关闭' })
  t.match(info.json().schoolName, /^测试学校/)
  let res = await app.inject({ method: 'POST', url: `/api/v1/letterbox/${box.slug}/letters`, payload: { body: '你好' } })
  t.equal(res.statusCode, 423)
  t.equal(res.json().code, 'letterbox_closed')
  t.equal(res.json().message, '信箱暂时关闭，请稍后再来')
  res = await app.inject({ method: 'POST', url: `/api/v1/letterbox/${box.slug}/letters`, payload: { body: '你好' }, headers: { 'accept-language': 'en' } })
  t.equal(res.json().message, 'The letter box is closed for now; please come back later')
  t.equal(await db.$count(letters), 0, 'nothing was stored')

  t.equal((await as(app, w.psych, 'PATCH', '/api/v1/letterbox-admin', { open: true })).json().open, true)
  info = await app.inject({ method: 'GET', url: `/api/v1/letterbox/${box.slug}` })
  t.same(info.json(), { schoolName: info.json().schoolName, open: true, closedMessage: null })

  // Write.
  const text = '最近和室友闹矛盾，心里很难受。'
  res = await app.inject({ method: 'POST', url: `/api/v1/letterbox/${box.slug}/letters`, payload: { body: text, writerName: '小林', writerClass: '七(1)' }, headers: { 'user-agent': 'UA-CANARY-123' }, remoteAddress: '203.0.113.77' })
  t.equal(res.statusCode, 201)
  const { replyCode } = res.json() as { replyCode: string }
  t.match(replyCode, new RegExp(`^[${CODE_ALPHABET}]{4}-[${CODE_ALPHABET}]{4}-[${CODE_ALPHABET}]{4}$`))
  t.same(Object.keys(res.json()), ['replyCode'], 'the answer carries the code and nothing else (no letter id)')

  // What is stored: the day, the text, and an HMAC — no address, agent, time or code.
  const columns = (await queryRows<{ column_name: string; data_type: string }>(db, sql`
    select column_name, data_type from information_schema.columns where table_schema = 'public' and table_name = 'letters' order by ordinal_position`))
  t.same(columns.map((c) => c.column_name), [
    'school_id', 'id', 'box_id', 'written_on', 'body', 'writer_name', 'writer_class', 'category', 'urgent', 'danger',
    'reply_text', 'replied_on', 'replied_by', 'reply_code_hash',
  ], 'the letters table has no column for an IP address, a user agent or a time')
  t.same(columns.filter((c) => /time|timestamp/.test(c.data_type)), [], 'no timestamp column at all')
  t.equal(columns.find((c) => c.column_name === 'written_on')!.data_type, 'date')
  const raw = await queryRows<Record<string, unknown>>(db, sql`select * from letters`)
  t.equal(raw.length, 1)
  const row = raw[0]!
  t.equal(row.written_on, today(), 'the calendar day in Asia/Shanghai')
  t.match(row.body, /^enc1\./, 'the letter is sealed at rest')
  t.notMatch(String(row.body), text)
  t.equal(row.writer_name, '小林')
  t.match(row.reply_code_hash, /^[0-9a-f]{64}$/)
  const dump = JSON.stringify(raw)
  for (const leak of [replyCode, replyCode.replace(/-/g, ''), '203.0.113.77', 'UA-CANARY-123']) t.notMatch(dump, leak, `the row does not hold ${leak}`)
  // The letter's audit row: nobody, create, letters, and no id that would date the letter.
  const audits = await db.select().from(auditLog).where(eq(auditLog.resource, 'letters'))
  t.equal(audits.length, 1)
  t.equal(audits[0]!.actorId, null)
  t.equal(audits[0]!.action, 'C')
  t.same(audits[0]!.studentIds, [])
  t.same(audits[0]!.recordIds, [])
  t.equal(audits[0]!.schoolId, w.school.schoolId)
  // The logs carry neither the address, the agent, the text nor the code.
  const logText = logs.join('\n')
  for (const leak of ['203.0.113.77', 'UA-CANARY-123', text, replyCode, '小林']) t.notMatch(logText, leak, `logs do not hold ${leak}`)

  // Read: waiting.
  const read = (code: string, slug = box.slug as string) => app.inject({ method: 'POST', url: `/api/v1/letterbox/${slug}/replies`, payload: { replyCode: code } })
  res = await read(replyCode)
  t.same(res.json(), { status: 'waiting' })
  res = await read(replyCode.toLowerCase().replace(/-/g, ' '))
  t.same(res.json(), { status: 'waiting' }, 'case and separators do not matter')

  // The psychology teacher reads, classifies and replies.
  const list = (await as(app, w.psych, 'GET', '/api/v1/letters')).json()
  t.equal(list.total, 1)
  const letter = list.items[0]
  t.equal(letter.body, text)
  t.notOk('replyCodeHash' in letter, 'the hash is read by nobody')
  res = await as(app, w.psych, 'PATCH', `/api/v1/letters/${letter.id}`, { category: 'peers' })
  t.equal(res.json().category, 'peers')
  res = await as(app, w.psych, 'PUT', `/api/v1/letters/${letter.id}/reply`, { replyText: '谢谢你愿意说出来。周三午休来心理辅导室聊聊？' })
  t.equal(res.statusCode, 200)
  t.equal(res.json().repliedOn, today())
  t.equal(res.json().repliedBy, w.psych.id)

  res = await read(replyCode)
  t.same(res.json(), { status: 'replied', reply: '谢谢你愿意说出来。周三午休来心理辅导室聊聊？', repliedOn: today() })

  // A wrong code, a malformed code and an unknown box all answer the same 404 and read nothing.
  const other = replyCode.slice(0, -1) + (replyCode.endsWith('2') ? '3' : '2')
  const wrong = await read(other)
  const malformed = await read('hello')
  const unknownBox = await read(replyCode, 'nosuchboxxxxxxxxxxxx')
  for (const r of [wrong, malformed, unknownBox]) {
    t.equal(r.statusCode, 404)
    t.same(Object.keys(r.json()).sort(), ['code', 'message', 'requestId', 'statusCode'])
    t.equal(r.json().code, 'not_found')
    t.notMatch(r.body, '谢谢你')
  }
  t.equal(wrong.json().message, unknownBox.json().message)
  const attempts = await db.select().from(auditLog).where(and(eq(auditLog.resource, 'letters'), eq(auditLog.action, 'R'), eq(auditLog.outcome, 'not_found')))
  t.equal(attempts.length, 2, 'failed reads on a known box are audited (without ids)')
  t.ok(attempts.every((a) => a.recordIds.length === 0 && a.actorId === null))

  // Rotating the link: the old one is dead at once; the code still works through the new one.
  const rotated = (await as(app, w.admin, 'POST', '/api/v1/letterbox-admin/rotate')).json()
  t.not(rotated.slug, box.slug)
  t.equal((await app.inject({ method: 'GET', url: `/api/v1/letterbox/${box.slug}` })).statusCode, 404)
  t.equal((await read(replyCode, rotated.slug)).json().status, 'replied')
  t.equal((await read(replyCode, box.slug)).statusCode, 404)
})

t.test('length limits, urgent words, and the abuse guard', async (t) => {
  const { app, database } = await sharedTestApp()
  const w = await practiceWorld(app, database)
  await as(app, w.psych, 'PATCH', '/api/v1/letterbox-admin', { open: true })
  const slug = (await as(app, w.psych, 'GET', '/api/v1/letterbox-admin')).json().slug as string
  const write = (payload: unknown, remoteAddress = '198.51.100.1') =>
    app.inject({ method: 'POST', url: `/api/v1/letterbox/${slug}/letters`, payload: payload as Record<string, unknown>, remoteAddress })

  t.equal((await write({ body: 'x'.repeat(2001) }, '198.51.100.9')).statusCode, 400)
  t.equal((await write({ body: '   ' }, '198.51.100.9')).statusCode, 400)
  t.equal((await write({ body: 'ok', writerName: 'n'.repeat(51) }, '198.51.100.9')).statusCode, 400)
  t.equal((await write({ body: 'ok', writerClass: 'c'.repeat(51) }, '198.51.100.9')).statusCode, 400)
  t.equal((await write({ body: 'ok', ip: '1.2.3.4' }, '198.51.100.9')).statusCode, 400, 'unknown keys are refused')
  t.equal((await write({ body: 'x'.repeat(2000), writerName: 'n'.repeat(50) }, '198.51.100.8')).statusCode, 201, 'the limits themselves are accepted')

  t.equal((await write({ body: '我真的不想活了' }, '198.51.100.7')).statusCode, 201)
  const urgent = (await as(app, w.psych, 'GET', '/api/v1/letters?urgent=true')).json()
  t.equal(urgent.total, 1, 'a letter with an urgent word is marked urgent at once')
  t.equal(urgent.items[0].danger, false, 'danger is only ever set by a teacher')

  // Per client: the (max + 1)-th letter in the window is refused; another client still writes.
  const max = LETTERBOX_LIMITS.write.client.max
  for (let i = 0; i < max; i++) t.equal((await write({ body: `第${i}封` })).statusCode, 201)
  const limited = await write({ body: 'one more' })
  t.equal(limited.statusCode, 429)
  t.equal(limited.json().code, 'rate_limited')
  t.ok(Number(limited.headers['retry-after']) > 0)
  t.equal((await write({ body: 'another client' }, '198.51.100.2')).statusCode, 201)

  // Reading codes: guessing is cut off per client.
  const guesses = LETTERBOX_LIMITS.reply.client.max
  for (let i = 0; i < guesses; i++) {
    const r = await app.inject({ method: 'POST', url: `/api/v1/letterbox/${slug}/replies`, payload: { replyCode: 'AAAA-BBBB-CCCC' }, remoteAddress: '198.51.100.3' })
    t.equal(r.statusCode, 404)
  }
  const cut = await app.inject({ method: 'POST', url: `/api/v1/letterbox/${slug}/replies`, payload: { replyCode: 'AAAA-BBBB-CCCC' }, remoteAddress: '198.51.100.3' })
  t.equal(cut.statusCode, 429)
})

t.test('per-box limit: a crowd of clients cannot flood one school', async (t) => {
  // A small box budget so the test need not send thousands of letters; the default is in letterbox-privacy.test.ts.
  const { app, database } = await sharedTestApp({ LETTERBOX_LETTERS_PER_HOUR: 40 })
  const w = await practiceWorld(app, database)
  await as(app, w.psych, 'PATCH', '/api/v1/letterbox-admin', { open: true })
  const slug = (await as(app, w.psych, 'GET', '/api/v1/letterbox-admin')).json().slug as string
  const max = 40
  const rows = []
  for (let i = 0; i < max; i++) rows.push((await app.inject({ method: 'POST', url: `/api/v1/letterbox/${slug}/letters`, payload: { body: `信${i}` }, remoteAddress: `10.1.${Math.floor(i / 200)}.${i % 200}` })).statusCode)
  t.ok(rows.every((s) => s === 201))
  const over = await app.inject({ method: 'POST', url: `/api/v1/letterbox/${slug}/letters`, payload: { body: 'over' }, remoteAddress: '10.9.9.9' })
  t.equal(over.statusCode, 429)
  t.equal(await database.db.$count(letters), max)
})

t.test('teachers: turn a letter into an alert, a case, a crisis; letters never reach an archive', async (t) => {
  const { app, database } = await sharedTestApp()
  const w = await practiceWorld(app, database)
  const { db } = database
  await as(app, w.psych, 'PATCH', '/api/v1/letterbox-admin', { open: true })
  const slug = (await as(app, w.psych, 'GET', '/api/v1/letterbox-admin')).json().slug as string
  const write = async (body: string) => {
    await app.inject({ method: 'POST', url: `/api/v1/letterbox/${slug}/letters`, payload: { body }, remoteAddress: `192.0.2.${Math.floor(Math.random() * 200)}` })
    // Sealed at rest: the body cannot be compared in SQL, only after drizzle opened it.
    const rows = (await db.select({ id: letters.id, body: letters.body }).from(letters)).filter((r) => r.body === body)
    return rows[0]!.id
  }
  const studentId = await w.student()
  const letterId = await write('我们班的小张最近总是一个人哭。')

  // Alert: peer_alerts row from the teacher, source 'letter', urgency from the urgent flag.
  let res = await as(app, w.psych, 'POST', `/api/v1/letters/${letterId}/alert`, { studentId })
  t.equal(res.statusCode, 201)
  const alert = (await db.select().from(peerAlerts).where(eq(peerAlerts.id, res.json().alertId)))[0]!
  t.equal(alert.source, 'letter')
  t.equal(alert.studentId, studentId)
  t.equal(alert.classId, w.school.classIds[0])
  t.equal(alert.submittedBy, w.psych.id)
  t.equal(alert.urgency, 'medium')
  t.equal(alert.status, 'received')
  t.notMatch(alert.whatSeen, '一个人哭', 'the letter’s words are not copied into the alert')
  const minutesLeft = (alert.ackDeadline.getTime() - Date.now()) / 60_000
  t.ok(minutesLeft > ACK_DEADLINE_MINUTES.medium - 2 && minutesLeft <= ACK_DEADLINE_MINUTES.medium, 'the 同伴跟防 deadline of a medium alert')
  await as(app, w.psych, 'PATCH', `/api/v1/letters/${letterId}`, { urgent: true })
  res = await as(app, w.psych, 'POST', `/api/v1/letters/${letterId}/alert`, { studentId, whatSeen: '来信反映情绪低落' })
  const urgentAlert = (await db.select().from(peerAlerts).where(eq(peerAlerts.id, res.json().alertId)))[0]!
  t.equal(urgentAlert.urgency, 'high')
  t.ok(urgentAlert.ackDeadline.getTime() - urgentAlert.createdAt.getTime() <= ACK_DEADLINE_MINUTES.high * 60_000 + 1000)
  t.equal(urgentAlert.whatSeen, '来信反映情绪低落')

  // Case: source 'letter', open, with its opening event; no reference back to the letter.
  res = await as(app, w.psych, 'POST', `/api/v1/letters/${letterId}/case`, { studentId, riskLevel: 'yellow' })
  t.equal(res.statusCode, 201)
  const kase = (await db.select().from(cases).where(eq(cases.id, res.json().caseId)))[0]!
  t.equal(kase.source, 'letter')
  t.equal(kase.state, 'open')
  t.equal(kase.riskLevel, 'yellow')
  t.equal(kase.sourceRef, null, 'the case does not point at the anonymous letter')
  t.equal(await db.$count(caseEvents, eq(caseEvents.caseId, kase.id)), 1)

  // Danger: the letter is flagged; with a student a crisis event opens with the 30-minute deadline.
  const dangerId = await write('我觉得活着没意思，想从楼上跳下去。')
  res = await as(app, w.psych, 'POST', `/api/v1/letters/${dangerId}/danger`, { studentId })
  t.equal(res.statusCode, 200)
  t.equal(res.json().letter.danger, true)
  t.equal(res.json().letter.urgent, true)
  const crisis = (await db.select().from(crisisEvents).where(eq(crisisEvents.id, res.json().crisisId)))[0]!
  t.equal(crisis.source, 'letter')
  t.equal(crisis.status, 'open')
  t.equal(crisis.sourceRef, null)
  t.equal(crisis.openedBy, w.psych.id)
  const minutes = (crisis.ackDeadline.getTime() - crisis.openedAt.getTime()) / 60_000
  t.ok(minutes > 29.9 && minutes < 30.1, `ack deadline 30 min after opening (${minutes})`)
  // Without a student: flagged, no crisis (there is nobody to open it for).
  const anonymousDanger = await write('不想活了')
  res = await as(app, w.psych, 'POST', `/api/v1/letters/${anonymousDanger}/danger`)
  t.equal(res.statusCode, 200)
  t.equal(res.json().crisisId, null)
  t.equal(await db.$count(crisisEvents), 1)
  const first = (await as(app, w.psych, 'GET', '/api/v1/letters')).json().items
  t.same(first.slice(0, 2).map((l: { danger: boolean }) => l.danger), [true, true], 'danger letters come first')

  // A student of another school, or a missing letter: 404 and nothing written.
  const other = await createSchool(database)
  const outsider = await practiceWorld(app, database, other)
  const foreignStudent = await outsider.student()
  const alertsBefore = await db.$count(peerAlerts)
  res = await as(app, w.psych, 'POST', `/api/v1/letters/${letterId}/alert`, { studentId: foreignStudent })
  t.equal(res.statusCode, 404)
  res = await as(app, outsider.psych, 'GET', `/api/v1/letters/${letterId}`)
  t.equal(res.statusCode, 404, 'another school’s psychology teacher cannot open it')
  t.equal(await db.$count(peerAlerts), alertsBefore)

  // Other roles of the school: no letters at all.
  for (const who of [w.admin, w.homeroom, w.monitor]) {
    t.equal((await as(app, who, 'GET', '/api/v1/letters')).statusCode, 403)
    t.equal((await as(app, who, 'GET', `/api/v1/letters/${letterId}`)).statusCode, 404)
  }

  // The archive: the case and the alert are there; no letter, no letter text, no letter id.
  const archive = await as(app, w.psych, 'GET', `/api/v1/students/${studentId}/archive`)
  t.equal(archive.statusCode, 200)
  for (const leak of [letterId, dangerId, '一个人哭', '跳下去', 'letters']) t.notMatch(archive.body, leak)
  // Audit: the alert/case/crisis rows name the student, the letter rows name none.
  const letterAudits = await db.select().from(auditLog).where(eq(auditLog.resource, 'letters'))
  t.ok(letterAudits.every((a) => a.studentIds.length === 0), 'no letter audit row names a student')
})

t.test('the QR poster and the visitor page', async (t) => {
  const { app, database } = await sharedTestApp()
  const w = await practiceWorld(app, database)
  const box = (await as(app, w.admin, 'GET', '/api/v1/letterbox-admin')).json()
  // No PUBLIC_BASE_URL outside production: the address the server listens on, never the Host header.
  let res = await injectAs(app, w.admin.token, { method: 'GET', url: '/api/v1/letterbox-admin/qr.svg', headers: { host: 'attacker.example' } })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^image\/svg\+xml/)
  t.match(res.body, /^<svg /)
  t.match(res.body, `http://127.0.0.1:3000/letterbox/${box.slug}`)
  t.notMatch(res.body, 'attacker.example')
  t.match(res.body, '解忧树洞')
  res = await as(app, w.admin, 'GET', '/api/v1/letterbox-admin/qr.svg?base=javascript:alert(1)')
  t.equal(res.statusCode, 400)
  t.equal((await as(app, w.homeroom, 'GET', '/api/v1/letterbox-admin/qr.svg')).statusCode, 403)
  t.equal((await as(app, w.monitor, 'PATCH', '/api/v1/letterbox-admin', { open: true })).statusCode, 403)

  res = await app.inject({ method: 'GET', url: `/letterbox/${box.slug}` })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/html/)
  t.match(res.headers['content-security-policy'], /script-src 'self'/)
  t.notMatch(res.body, /<script>/, 'no inline script')
  t.match(res.body, '<script src="/letterbox-assets/letterbox.js" defer></script>')
  t.equal(res.headers['set-cookie'], undefined)
  const js = await app.inject({ method: 'GET', url: '/letterbox-assets/letterbox.js' })
  t.equal(js.statusCode, 200)
  t.match(js.headers['content-type'], /javascript/)
  t.notMatch(js.body, /localStorage|sessionStorage|document\.cookie/, 'the page keeps nothing')
  t.equal((await app.inject({ method: 'GET', url: '/letterbox-assets/letterbox.css' })).statusCode, 200)
  const boxes = await database.db.select().from(letterBoxes).where(eq(letterBoxes.schoolId, w.school.schoolId))
  t.equal(boxes.length, 1)
})
