import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { deliverDue } from '../../src/modules/outbox/worker.js'
import { sharedTestApp, injectAs } from '../helpers/app.js'
import { canariesIn, plantCanaries } from '../access/canary.js'
import { buildWorld } from '../access/world.js'
import { mailText, startMailServer, startRobotServer, DINGTALK_SECRET, DINGTALK_TOKEN, SMS_KEY, SMTP_PASSWORD, SMTP_USER, WECOM_KEY } from './servers.js'
import { outboxConfig } from './setup.js'

/**
 * Every message that leaves the app is scanned for the leak scan's canaries: every free-text
 * and date field of every policy table (names, classes, notes, summaries, answers) holds a
 * marked value, and the notifications that cause the messages even carry some of them in
 * their params, as a careless writer might. Nothing of it may reach a robot, a mailbox or a phone.
 */
t.test('no personal data in any outgoing message', async (t) => {
  const robots = await startRobotServer()
  const mail = await startMailServer()
  t.teardown(async () => { await robots.close(); await mail.close() })
  const { app, database } = await sharedTestApp(outboxConfig)
  const world = await buildWorld(app, database)
  const schoolId = world.schoolA.schoolId
  const student = world.student.ownClass
  const crisis = (await queryRows<{ id: string }>(database.db, sql`
    insert into crisis_events (school_id, student_id, source, summary, ack_deadline)
    values (${schoolId}, ${student.id}, 'manual', '摘要', now() + interval '30 minutes') returning id`))[0]!.id
  const alert = (await queryRows<{ id: string }>(database.db, sql`
    insert into peer_alerts (school_id, student_id, class_id, submitted_by, urgency, what_seen, ack_deadline)
    values (${schoolId}, ${student.id}, ${student.classId}, ${world.users.peer_monitor.id}, 'high', '看到的情况', now() + interval '1 hour') returning id`))[0]!.id
  const planted = await plantCanaries(world, app.policies.all())
  t.ok(planted.size > 50, 'canaries planted in every text and date field')
  const pick = (resource: string, field: string) => [...planted].find(([, i]) => i.resource === resource && i.field === field)?.[0]
  const name = pick('students', 'name')
  const summary = pick('crisis_events', 'summary')
  const teacher = pick('users', 'displayName')
  t.ok(name && summary && teacher, "the pupil's name, the crisis summary and the teacher's name are canaries")
  t.equal(canariesIn(`x ${name!} y`, planted).length, 1, 'the scan finds a canary where there is one')

  const admin = world.users.school_admin
  const put = async (kind: string, payload: object) => {
    const res = await injectAs(app, admin.token, { method: 'PUT', url: `/api/v1/notification-channels/${kind}`, payload })
    t.equal(res.statusCode, 200, `${kind} set up`)
  }
  await put('wecom', { enabled: true, url: `${robots.base}/wecom?key=${WECOM_KEY}` })
  await put('dingtalk', { enabled: true, url: `${robots.base}/dingtalk?access_token=${DINGTALK_TOKEN}`, signingSecret: DINGTALK_SECRET })
  await put('email', { enabled: true, host: '127.0.0.1', port: mail.port, user: SMTP_USER, password: SMTP_PASSWORD, sender: 'xinan@example.edu.cn' })
  await put('sms', { enabled: true, url: `${robots.base}/sms`, apiKey: SMS_KEY })
  const psych = world.users.psych_teacher
  const me = await injectAs(app, psych.token, { method: 'PUT', url: '/api/v1/me/notification-channels', payload: { email: 'psych@example.edu.cn', mobile: '13900000001', emailEnabled: true, smsEnabled: true } })
  t.equal(me.statusCode, 200)

  const leaky = JSON.stringify({ student: name, note: summary, by: teacher, className: pick('classes', 'name') })
  for (const [kind, ref] of [['crisis_escalated', crisis], ['alert_received', alert], ['alert_escalated', alert], ['talk_concerned', student.id], ['screening_reminder', null]] as const) {
    await database.db.execute(sql`insert into notifications (school_id, user_id, kind, ref_id, params) values (${schoolId}, ${psych.id}, ${kind}, ${ref}, ${leaky}::jsonb)`)
  }
  // The rows are due at the database's now() in microseconds; a JavaScript Date of the same
  // millisecond is earlier than the last of them, so the run looks a second later.
  const r = await deliverDue({ database, config: app.config }, { now: new Date(Date.now() + 1000) })
  t.equal(r.sent, 16, 'three urgent events to two robots (6), five notices by e-mail and by SMS (10): all sent')

  const outgoing = [
    ...robots.hits.map((h) => ({ where: `${h.path} ${h.body}`, text: h.body })),
    ...mail.mails.map((m) => ({ where: 'e-mail', text: mailText(m.raw) })),
  ]
  t.equal(outgoing.length, 16, 'every message was captured by the test servers')
  const leaks = outgoing.flatMap((o) => canariesIn(o.text, planted).map((c) => `${o.where.slice(0, 40)}: ${c.resource}.${c.field}`))
  t.same(leaks, [], 'no canary in any robot payload, SMS or e-mail')
  t.ok(outgoing.every((o) => /心安：/.test(o.text) && /请登录查看 https:\/\/xinan\.example\.edu\.cn\//.test(o.text)), 'each says only that something waits, with a link')
  const stored = await queryRows<{ text: string; last_error: string | null }>(database.db, sql`select text, last_error from outbox_messages`)
  t.same(stored.flatMap((s) => canariesIn(`${s.text} ${s.last_error ?? ''}`, planted)), [], 'nor in the outbox rows')
})
