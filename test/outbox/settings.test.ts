import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { channelBox, channelAad } from '../../src/modules/outbox/secret-box.js'
import { injectAs } from '../helpers/app.js'
import { CHANNEL_KEY, configureChannels, outboxWorld, personal } from './setup.js'
import { mailText, startMailServer, startRobotServer, DINGTALK_SECRET, DINGTALK_TOKEN, SMS_KEY, SMTP_PASSWORD, WECOM_KEY } from './servers.js'

t.test('channel settings: secrets are write-only and sealed at rest; each teacher manages their own', async (t) => {
  const robots = await startRobotServer()
  const mail = await startMailServer()
  t.teardown(async () => { await robots.close(); await mail.close() })
  const w = await outboxWorld(t)
  await configureChannels(w, robots, mail)
  const secrets = [WECOM_KEY, DINGTALK_TOKEN, DINGTALK_SECRET, SMTP_PASSWORD, SMS_KEY, `${robots.base}/wecom`, `${robots.base}/dingtalk`, `${robots.base}/sms`]

  const list = await injectAs(w.app, w.admin.token, { method: 'GET', url: '/api/v1/notification-channels' })
  t.equal(list.statusCode, 200)
  for (const s of secrets) t.notOk(list.body.includes(s), `GET never carries ${s.startsWith('http') ? 'a webhook URL' : 'a secret'}`)
  const items = (list.json() as { items: Array<Record<string, unknown>> }).items
  const byKind = Object.fromEntries(items.map((i) => [i.kind, i]))
  t.same(Object.keys(byKind).sort(), ['dingtalk', 'email', 'sms', 'wecom'])
  t.match(byKind.wecom, { enabled: true, urlSet: true, hint: '.0.1' }, 'set or not set, and the last four characters of the host')
  t.match(byKind.dingtalk, { urlSet: true, signingSecretSet: true })
  t.match(byKind.email, { host: '127.0.0.1', passwordSet: true, sender: 'xinan@example.edu.cn', hint: null })
  t.match(byKind.sms, { urlSet: true, apiKeySet: true, apiKeyHeader: null })

  // At rest: the raw column holds ciphertext only, sealed for its school and channel.
  const raw = await queryRows<{ school_id: string; kind: string; secret_sealed: string; settings: unknown; hint: string | null }>(w.database.db, sql`select * from school_channels`)
  t.equal(raw.length, 4)
  const rawText = JSON.stringify(raw)
  for (const s of secrets) t.notOk(rawText.includes(s), `the table holds no plain ${s.startsWith('http') ? 'URL' : 'secret'}`)
  t.ok(raw.every((r) => /^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/.test(r.secret_sealed)), 'AES-GCM: v1.nonce.tag.ciphertext')
  const box = channelBox(CHANNEL_KEY)
  const wecom = raw.find((r) => r.kind === 'wecom')!
  t.same(box.open(wecom.secret_sealed, channelAad(w.school.schoolId, 'wecom')), { url: `${robots.base}/wecom?key=${WECOM_KEY}` }, 'the configured key opens it')
  t.equal(box.open(wecom.secret_sealed, channelAad(w.school.schoolId, 'dingtalk')), undefined, "another channel's row does not open it")
  t.equal(channelBox('another-key-another-key-another-key!').open(wecom.secret_sealed, channelAad(w.school.schoolId, 'wecom')), undefined, 'another key does not')
  const audit = JSON.stringify(await queryRows(w.database.db, sql`select * from audit_log`))
  t.ok(audit.includes('school_channels'), 'the changes are audited')
  for (const s of secrets) t.notOk(audit.includes(s), 'the audit rows hold no secret')
  for (const s of secrets) t.notOk(w.logs.join('\n').includes(s), 'nor do the logs')

  // Changes: an absent secret is kept, '' removes it; a channel switched on must be complete.
  const put = (kind: string, payload: object, token = w.admin.token) => injectAs(w.app, token, { method: 'PUT', url: `/api/v1/notification-channels/${kind}`, payload })
  let res = await put('dingtalk', { enabled: true })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { urlSet: true, signingSecretSet: true }, 'omitted secrets are kept')
  res = await put('dingtalk', { signingSecret: '' })
  t.equal(res.statusCode, 400, 'removing the signing secret of an enabled 钉钉 robot is refused')
  t.match(res.json(), { code: 'channel_incomplete', message: /加签密钥/ }, 'naming the field in words')
  res = await put('wecom', { enabled: false, url: '' })
  t.match(res.json(), { enabled: false, urlSet: false, hint: null }, "'' clears the URL")
  res = await put('wecom', { enabled: true })
  t.match(res.json(), { statusCode: 400, code: 'channel_incomplete' }, 'a robot cannot be switched on without its URL')
  res = await put('wecom', { host: 'smtp.example.com' })
  t.match(res.json(), { statusCode: 400, code: 'field_not_for_channel', message: /SMTP 服务器/ }, 'a field of another kind of channel is refused')
  res = await put('wecom', { url: 'ftp://example.com/x' })
  t.equal(res.statusCode, 400, 'only http(s) URLs')
  res = await put('wecom', { secretSealed: 'v1.x' })
  t.equal(res.statusCode, 400, 'the sealed column cannot be written')
  res = await put('wecom', { url: `${robots.base}/wecom?key=${WECOM_KEY}`, enabled: true })
  t.equal(res.statusCode, 200)

  // Only the school admin: a psychology teacher neither reads nor changes the school's channels.
  t.equal((await injectAs(w.app, w.psych.token, { method: 'GET', url: '/api/v1/notification-channels' })).statusCode, 403)
  t.equal((await put('wecom', { enabled: false }, w.psych.token)).statusCode, 403)
  t.equal((await injectAs(w.app, w.psych.token, { method: 'POST', url: '/api/v1/notification-channels/wecom/test' })).statusCode, 403)

  // Test messages: sent now, the outcome answered.
  const before = robots.hits.length
  for (const kind of ['wecom', 'dingtalk']) {
    const r = await injectAs(w.app, w.admin.token, { method: 'POST', url: `/api/v1/notification-channels/${kind}/test` })
    t.same(r.json(), { ok: true, error: null, httpStatus: 200, smtpCode: null }, `${kind} test message sent`)
  }
  t.equal(robots.hits.length - before, 2)
  t.ok(robots.hits.slice(before).every((h) => h.valid && h.body.includes('测试消息')), 'well formed and signed')
  let r = await injectAs(w.app, w.admin.token, { method: 'POST', url: '/api/v1/notification-channels/email/test' })
  t.same(r.json(), { ok: false, error: 'no_address', httpStatus: null, smtpCode: null }, "the e-mail test goes to the admin's own address, which is not set")
  await personal(w, w.admin, { email: 'admin@example.edu.cn' })
  r = await injectAs(w.app, w.admin.token, { method: 'POST', url: '/api/v1/notification-channels/email/test' })
  t.match(r.json(), { ok: true, smtpCode: 250 })
  t.same(mail.mails.at(-1)?.to, ['admin@example.edu.cn'])
  t.match(mailText(mail.mails.at(-1)!.raw), /测试消息/)
  robots.failNext(1, 502)
  r = await injectAs(w.app, w.admin.token, { method: 'POST', url: '/api/v1/notification-channels/wecom/test' })
  t.same(r.json(), { ok: false, error: 'http_502', httpStatus: 502, smtpCode: null }, "a failing robot's answer is shown")

  // A teacher's own settings: theirs only.
  const me = (token: string) => injectAs(w.app, token, { method: 'GET', url: '/api/v1/me/notification-channels' })
  t.match((await me(w.psych.token)).json(), { email: null, mobile: null, emailEnabled: false, smsEnabled: false, schoolEmail: true, schoolSms: true })
  let p = await injectAs(w.app, w.psych.token, { method: 'PUT', url: '/api/v1/me/notification-channels', payload: { smsEnabled: true } })
  t.match(p.json(), { statusCode: 400, code: 'channel_incomplete', message: /手机号/ }, 'SMS cannot be on without a number')
  p = await injectAs(w.app, w.psych.token, { method: 'PUT', url: '/api/v1/me/notification-channels', payload: { mobile: '12345' } })
  t.equal(p.statusCode, 400, 'a malformed number is refused')
  p = await injectAs(w.app, w.psych.token, { method: 'PUT', url: '/api/v1/me/notification-channels', payload: { mobile: '13900000002', smsEnabled: true } })
  t.match(p.json(), { mobile: '13900000002', smsEnabled: true })
  t.notOk((await me(w.admin.token)).body.includes('13900000002'), "the admin reads their own settings, never a teacher's")
  t.notOk((await me(w.psych2.token)).body.includes('13900000002'), "nor does a colleague")
  p = await injectAs(w.app, w.psych.token, { method: 'PUT', url: '/api/v1/me/notification-channels', payload: { userId: w.psych2.id, email: 'x@example.edu.cn' } })
  t.equal(p.statusCode, 400, "nobody writes another's row by naming it")
  r = await injectAs(w.app, w.psych.token, { method: 'POST', url: '/api/v1/me/notification-channels/test', payload: { channel: 'sms' } })
  t.match(r.json(), { ok: true, httpStatus: 200 })
  t.same(JSON.parse(robots.hits.at(-1)!.body).to, '13900000002', 'the SMS test goes to the caller')
})
