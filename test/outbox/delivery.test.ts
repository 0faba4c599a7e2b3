import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { dingtalkSignedUrl } from '../../src/modules/outbox/channels/dingtalk.js'
import { backoffMs } from '../../src/modules/outbox/worker.js'
import { configureChannels, crisisEvent, notifyRaw, outboxConfig, outboxRows, outboxWorld, personal, PUBLIC_URL } from './setup.js'
import { dingtalkSignatureValid, mailText, startMailServer, startRobotServer, DINGTALK_SECRET, SMTP_USER } from './servers.js'
import { loadConfig } from '../../src/config.js'

t.test('钉钉 signature: HMAC-SHA256 of "timestamp\\nsecret", base64, URL-encoded, as query parameters', async (t) => {
  const url = new URL(dingtalkSignedUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', DINGTALK_SECRET, 1_700_000_000_000))
  t.equal(url.searchParams.get('access_token'), 'abc', 'the token stays')
  t.equal(url.searchParams.get('timestamp'), '1700000000000')
  t.ok(dingtalkSignatureValid(url, DINGTALK_SECRET, 1_700_000_000_000), 'the test server accepts it')
  t.notOk(dingtalkSignatureValid(url, 'SECother', 1_700_000_000_000), 'another secret does not verify')
})

t.test('backoff doubles from the base, is capped, and is jittered between half and all of it', async (t) => {
  const c = { ...loadConfig({ NODE_ENV: 'test' }), jwtSecret: 'x', OUTBOX_RETRY_BASE_S: 30, OUTBOX_RETRY_MAX_S: 600 }
  t.same([1, 2, 3, 4].map((n) => backoffMs(c, n, () => 0.999999)), [30_000, 60_000, 120_000, 240_000].map((x) => Math.round(x / 2 + 0.999999 * x / 2)))
  t.equal(backoffMs(c, 1, () => 0), 15_000, 'at least half the step')
  t.equal(backoffMs(c, 10, () => 0.999999), 600_000, 'capped at the maximum')
})

t.test('delivery: every channel, retries with backoff, rate limit, dead after the last attempt', async (t) => {
  const robots = await startRobotServer()
  const mail = await startMailServer()
  t.teardown(async () => { await robots.close(); await mail.close() })
  const w = await outboxWorld(t)
  await configureChannels(w, robots, mail)
  await personal(w, w.psych, { email: 'psych@example.edu.cn', mobile: '13900000001', emailEnabled: true, smsEnabled: true })

  // 21:00 in Asia/Shanghai tomorrow: the messages, due from the database's now(), are due then
  // whenever the test runs (a fixed day stopped working once the clock passed it).
  const now = new Date(Date.now() + 86_400_000)
  now.setUTCHours(13, 0, 0, 0)
  const crisis = await crisisEvent(w, new Date(now.getTime() + 30 * 60_000))
  await notifyRaw(w, [{ userId: w.psych.id, kind: 'crisis_escalated', refId: crisis }])
  const r1 = await w.deliver({ now })
  t.same(r1, { claimed: 4, sent: 4, retrying: 0, dead: 0, deferred: 0 }, 'the two robots, the e-mail and the SMS are sent')
  const expected = `心安：有 1 条危机事件待确认，截止 21:30。请登录查看 ${PUBLIC_URL}/crises/${crisis}`
  const byPath = (p: string) => robots.hits.filter((h) => h.path === p)
  t.ok(byPath('/wecom')[0]?.valid, '企业微信: the key and the { msgtype: text } shape')
  t.equal((JSON.parse(byPath('/wecom')[0]!.body) as { text: { content: string } }).text.content, expected, 'the message says the kind, the deadline and the link')
  t.ok(byPath('/dingtalk')[0]?.valid, '钉钉: the token, a valid signature and the shape')
  t.ok(byPath('/sms')[0]?.valid, 'SMS: the API key header and { to, text }')
  t.same(JSON.parse(byPath('/sms')[0]!.body), { to: '13900000001', text: expected })
  t.equal(mail.mails.length, 1, 'one e-mail')
  t.same(mail.mails[0]!.to, ['psych@example.edu.cn'])
  t.equal(mail.mails[0]!.user, SMTP_USER, 'sent after SMTP AUTH with the stored password')
  t.match(mailText(mail.mails[0]!.raw), expected)
  let rows = await outboxRows(w)
  t.ok(rows.every((r) => r.status === 'sent' && r.attempts === 1 && r.text === expected), 'every row is sent with the text it carried')
  const attempts = await queryRows<{ result: string; http_status: number | null; smtp_code: number | null; duration_ms: number }>(w.database.db, sql`select * from outbox_attempts`)
  t.equal(attempts.length, 4, 'each send is an attempt row')
  t.ok(attempts.filter((a) => a.http_status === 200).length === 3 && attempts.some((a) => a.smtp_code === 250), 'with the HTTP status or the SMTP reply code')
  t.same(await w.deliver({ now: new Date(now.getTime() + 3_600_000) }), { claimed: 0, sent: 0, retrying: 0, dead: 0, deferred: 0 }, 'nothing is sent twice')

  // Retries: the robot answers 500 three times; base 30 s, jitter fixed at 0.5 → 22.5 s, 45 s, 90 s.
  await w.database.db.execute(sql`update school_channels set enabled = false where kind <> 'wecom'`)
  await w.database.db.execute(sql`delete from outbox_messages`)
  await notifyRaw(w, [{ userId: w.admin.id, kind: 'alert_escalated' }])
  robots.failNext(3, 500)
  let at = now
  const waits: number[] = []
  for (let i = 0; i < 3; i++) {
    const r = await w.deliver({ now: at })
    t.equal(r.retrying, 1, `attempt ${i + 1} fails and will be retried`)
    const row = (await outboxRows(w))[0]!
    t.equal(row.status, 'failed')
    t.equal(row.last_error, 'http_500', 'the error is a code')
    waits.push(new Date(row.next_attempt_at).getTime() - at.getTime())
    t.equal((await w.deliver({ now: new Date(new Date(row.next_attempt_at).getTime() - 1000) })).claimed, 0, 'not tried before its time')
    at = new Date(row.next_attempt_at)
  }
  t.same(waits, [22_500, 45_000, 90_000], 'exponential backoff with jitter')
  t.equal((await w.deliver({ now: at })).sent, 1, 'the fourth attempt goes through')
  rows = await outboxRows(w)
  t.equal(rows[0]!.status, 'sent')
  t.equal(rows[0]!.attempts, 4)

  // Dead: a robot that always fails is given up after OUTBOX_MAX_ATTEMPTS.
  await w.database.db.execute(sql`delete from outbox_messages`)
  await notifyRaw(w, [{ userId: w.admin.id, kind: 'alert_escalated' }])
  robots.failNext(100, 503)
  at = new Date(now.getTime() + 86_400_000)
  for (let i = 0; i < outboxConfig.OUTBOX_MAX_ATTEMPTS!; i++) {
    await w.deliver({ now: at })
    at = new Date(new Date((await outboxRows(w))[0]!.next_attempt_at).getTime() + 1)
  }
  rows = await outboxRows(w)
  t.equal(rows[0]!.status, 'dead', `dead after ${outboxConfig.OUTBOX_MAX_ATTEMPTS} attempts`)
  t.equal(rows[0]!.attempts, outboxConfig.OUTBOX_MAX_ATTEMPTS)
  t.equal(rows[0]!.last_error, 'http_503')
  t.equal((await w.deliver({ now: new Date(at.getTime() + 86_400_000) })).claimed, 0, 'a dead message is not tried again')
  robots.failNext(0)

  // Rate limit: 25 urgent events within a minute → 20 go, 5 wait for the window (not failed).
  await w.database.db.execute(sql`delete from outbox_messages`)
  await w.database.db.execute(sql`delete from outbox_attempts`)
  for (let i = 0; i < 25; i++) await notifyRaw(w, [{ userId: w.admin.id, kind: 'alert_escalated', refId: crypto.randomUUID() }])
  const hitsBefore = robots.hits.length
  at = new Date(now.getTime() + 2 * 86_400_000)
  const first = await w.deliver({ now: at })
  t.same({ sent: first.sent, deferred: first.deferred }, { sent: 20, deferred: 5 }, '20 sent in the minute, 5 wait')
  t.equal(robots.hits.length - hitsBefore, 20, 'the robot received exactly 20')
  rows = await outboxRows(w)
  const waiting = rows.filter((r) => r.status === 'pending')
  t.equal(waiting.length, 5)
  t.ok(waiting.every((r) => r.attempts === 0 && r.last_error === null), 'waiting rows used no attempt and carry no error')
  t.ok(waiting.every((r) => new Date(r.next_attempt_at).getTime() >= at.getTime() + 60_000), 'they wait for the window to move')
  t.equal((await w.deliver({ now: new Date(at.getTime() + 30_000) })).sent, 0, 'still full half a minute later')
  t.equal((await w.deliver({ now: new Date(at.getTime() + 61_000) })).sent, 5, 'sent once the minute has passed')

  // A wrong 钉钉 secret is refused by the robot (errcode), recorded as a failure with the code.
  await w.database.db.execute(sql`update school_channels set enabled = (kind = 'dingtalk')`)
  const wrong = await w.app.inject({ method: 'PUT', url: '/api/v1/notification-channels/dingtalk', headers: { authorization: `Bearer ${w.admin.token}` }, payload: { signingSecret: 'SECwrong' } })
  t.equal(wrong.statusCode, 200)
  await w.database.db.execute(sql`delete from outbox_messages`)
  await notifyRaw(w, [{ userId: w.admin.id, kind: 'crisis_escalated' }])
  await w.deliver({ now: new Date(at.getTime() + 3_600_000) })
  t.equal((await outboxRows(w))[0]!.last_error, 'errcode_310000', '钉钉 refused the signature')
})
