import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { configureChannels, crisisEvent, notifyRaw, outboxRows, outboxWorld, personal } from './setup.js'
import { startMailServer, startRobotServer } from './servers.js'

/**
 * The trigger on notifications: every notification, from any writer, puts its outgoing
 * messages in the outbox in its own transaction.
 */
t.test('fan-out from notifications to the outbox, in the same transaction', async (t) => {
  const robots = await startRobotServer()
  const mail = await startMailServer()
  t.teardown(async () => { await robots.close(); await mail.close() })
  const w = await outboxWorld(t)
  await configureChannels(w, robots, mail)
  await personal(w, w.psych, { email: 'psych@example.edu.cn', mobile: '13900000001', emailEnabled: true, smsEnabled: true })
  await personal(w, w.psych2, { email: 'psych2@example.edu.cn', emailEnabled: false })

  await t.rejects(w.database.db.transaction(async (tx) => {
    await tx.execute(sql`insert into notifications (school_id, user_id, kind) values (${w.school.schoolId}, ${w.psych.id}, 'crisis_escalated')`)
    throw new Error('roll back')
  }), /roll back/)
  t.same(await outboxRows(w), [], 'a rolled-back notification leaves no outgoing message')

  const deadline = new Date('2026-12-06T13:30:00Z')
  const crisis = await crisisEvent(w, deadline)
  // One escalation statement: two psychology teachers with the record, the admin without it.
  await notifyRaw(w, [
    { userId: w.psych.id, kind: 'crisis_escalated', refId: crisis, params: { level: 1 } },
    { userId: w.psych2.id, kind: 'crisis_escalated', refId: crisis, params: { level: 1 } },
    { userId: w.admin.id, kind: 'crisis_escalated', params: { level: 1 } },
  ])
  let rows = await outboxRows(w)
  const robotRows = rows.filter((r) => r.recipient_user_id === null)
  t.same(robotRows.map((r) => r.channel).sort(), ['dingtalk', 'wecom'], 'one message per group robot for the event, not one per recipient')
  t.ok(robotRows.every((r) => r.ref_id === crisis), 'the robots link to the crisis')
  const personalRows = rows.filter((r) => r.recipient_user_id !== null)
  t.same(personalRows.map((r) => `${r.recipient_user_id === w.psych.id ? 'psych' : 'other'}:${r.channel}`).sort(), ['psych:email', 'psych:sms'],
    'the teacher who switched e-mail and SMS on gets both; one who switched e-mail off and the admin with nothing set get none')
  t.ok(rows.every((r) => r.status === 'pending' && r.attempts === 0), 'all pending')
  t.ok(rows.every((r) => r.deadline && new Date(r.deadline).getTime() === deadline.getTime()), "the deadline is the crisis' acknowledgement deadline")

  // A routine notice: personal channels only, never the group robots.
  await w.database.db.execute(sql`delete from outbox_messages`)
  await notifyRaw(w, [{ userId: w.psych.id, kind: 'talk_concerned' }])
  rows = await outboxRows(w)
  t.same(rows.map((r) => r.channel).sort(), ['email', 'sms'], 'a non-urgent kind reaches the teacher, not the groups')

  // A kind added later under the urgent names is covered without touching the trigger.
  await w.database.db.execute(sql`delete from outbox_messages`)
  await notifyRaw(w, [{ userId: w.admin.id, kind: 'alert_level_two', params: { deadline: '2026-12-06T14:00:00+08:00' } }])
  rows = await outboxRows(w)
  t.same(rows.map((r) => r.channel).sort(), ['dingtalk', 'wecom'], 'alert_* of a new kind goes to the robots')
  t.equal(new Date(rows[0]!.deadline!).toISOString(), '2026-12-06T06:00:00.000Z', "params.deadline is the message's deadline")

  // A channel switched off takes nothing.
  await w.database.db.execute(sql`delete from outbox_messages`)
  const off = await w.app.inject({ method: 'PUT', url: '/api/v1/notification-channels/dingtalk', headers: { authorization: `Bearer ${w.admin.token}` }, payload: { enabled: false } })
  t.equal(off.statusCode, 200)
  await notifyRaw(w, [{ userId: w.admin.id, kind: 'crisis_escalated' }])
  t.same((await outboxRows(w)).map((r) => r.channel), ['wecom'], 'a disabled robot gets no message')

  // notify() writes through the gateway in a request's transaction: the trigger covers it too.
  const { notify } = await import('../../src/modules/notifications/notify.js')
  const { actorOf } = await import('../access/expect.js')
  await w.database.db.execute(sql`delete from outbox_messages`)
  const actor = await actorOf(w.app, { id: w.admin.id, username: '', token: w.admin.token, role: 'school_admin' })
  const ctx = { actor, decision: w.app.policies.decide(actor, 'notifications', 'list')!, requestId: 'test', purpose: null }
  const gw = w.app.services.gateway
  await gw.tx(ctx, (tx) => notify(gw, tx, ctx, { to: { roles: ['psych_teacher'] }, kind: 'alert_received', refId: null }))
  rows = await outboxRows(w)
  t.same(rows.map((r) => r.channel).sort(), ['email', 'sms', 'wecom'], "notify() in a school's transaction fans out the same way (robot, and the teacher's own channels)")
})
