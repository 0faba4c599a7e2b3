import t from '../helpers/tap.js'
import type { LightMyRequestResponse } from 'fastify'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { jobsByName } from '../../src/jobs/jobs.js'
import { runJob } from '../../src/jobs/runner.js'
import { deliverDue } from '../../src/modules/outbox/worker.js'
import { CALM_ANSWERS } from '../cases/safety-steps.js'
import { outboxConfig, PUBLIC_URL } from '../outbox/setup.js'
import { mailText, startMailServer, startRobotServer, DINGTALK_SECRET, DINGTALK_TOKEN, SMTP_PASSWORD, SMTP_USER, WECOM_KEY } from '../outbox/servers.js'
import { openCampaign, PHQA_ID, screeningWorld, shanghaiDay } from '../screening/fixtures.js'

/**
 * The crisis pathway as one school runs it, through the HTTP API, with the escalation job and
 * the delivery worker driven by a fake clock and real local servers playing the 企业微信 and
 * 钉钉 robots and the SMTP relay:
 * consent → imported screening with a positive safety item → crisis → nobody acknowledges →
 * two steps of the school's chain, each delivered to the robots and by e-mail with no personal
 * data → acknowledged → brief safety assessment, emergency → urgent referral and same-day parent
 * contact → safety plan, printed → who was told → resolved → at 复学 the plan's review is shown.
 */
t.test('危机路径: screening → crisis → chain → assessment → referral → safety plan → resolved → 复学', async (t) => {
  const robots = await startRobotServer()
  const mail = await startMailServer()
  t.teardown(async () => { await robots.close(); await mail.close() })
  const w = await screeningWorld(outboxConfig)
  const { psych, psych2, admin, call } = w
  const ok = async (res: Promise<LightMyRequestResponse>, status: number, what: string) => {
    const r = await res
    t.equal(r.statusCode, status, `${what}: ${r.statusCode === status ? 'ok' : r.body}`)
    return r.json()
  }
  const klass = w.A.classIds[0]!
  // The pupil's name and number are the canaries no outgoing message may carry.
  const atRisk = await w.pupil(w.A, klass, '路径金丝雀甲')
  const classmate = await w.pupil(w.A, klass, '路径金丝雀乙')

  // The school's channels and chain, set up in the app by its admin; teachers give their e-mail.
  await ok(call(admin, 'PUT', '/api/v1/notification-channels/wecom', { enabled: true, url: `${robots.base}/wecom?key=${WECOM_KEY}` }), 200, '企业微信 robot')
  await ok(call(admin, 'PUT', '/api/v1/notification-channels/dingtalk', {
    enabled: true, url: `${robots.base}/dingtalk?access_token=${DINGTALK_TOKEN}`, signingSecret: DINGTALK_SECRET,
  }), 200, '钉钉 robot')
  await ok(call(admin, 'PUT', '/api/v1/notification-channels/email', { enabled: true, host: '127.0.0.1', port: mail.port, secure: false, user: SMTP_USER, password: SMTP_PASSWORD, sender: 'xinan@example.edu.cn' }), 200, 'SMTP')
  await ok(call(psych2, 'PUT', '/api/v1/me/notification-channels', { email: 'psych2@example.edu.cn', emailEnabled: true }), 200, 'psych2 e-mail')
  await ok(call(admin, 'PUT', '/api/v1/me/notification-channels', { email: 'admin@example.edu.cn', emailEnabled: true }), 200, 'admin e-mail')
  await ok(call(admin, 'PUT', '/api/v1/escalation-chains/crisis', {
    steps: [
      { afterMinutes: 0, recipients: { roles: ['psych_teacher'] } },
      { afterMinutes: 10, recipients: { roles: ['psych_teacher', 'school_admin'] } },
    ],
    repeatMinutes: 30,
  }), 200, 'the crisis chain')

  // 1. Consent: the import is refused while the classmate's reply slip is missing, then goes through.
  const campaign = await openCampaign(w, psych, [PHQA_ID], { consentRequired: true })
  await ok(call(psych, 'POST', `/api/v1/screening/campaigns/${campaign.id}/consents/bulk`, { studentIds: [atRisk.id], guardianConsent: 'given', studentAssent: 'given' }), 200, 'consent of one pupil')
  const day = shanghaiDay(-1)
  const file = [
    ['学号', '姓名', ...Array.from({ length: 9 }, (_, i) => `PHQ${i + 1}`), '测评日期'],
    [atRisk.studentNo, atRisk.name, 1, 1, 0, 1, 0, 1, 0, 0, 2, day], // item 9 = 2: the safety item
    [classmate.studentNo, classmate.name, 0, 0, 0, 0, 0, 0, 0, 0, 0, day],
  ].map((r) => r.join(',')).join('\r\n')
  const importFile = () => call(psych, 'POST', `/api/v1/screening/campaigns/${campaign.id}/import?wait=true`, file, { 'content-type': 'text/csv; charset=utf-8' })
  const refused = await importFile()
  t.equal(refused.statusCode, 422, 'a pupil without consent refuses the file')
  t.same(refused.json().details.errors.map((e: { row: number; field: string }) => [e.row, e.field]), [[3, '知情同意']], 'naming the line and the consent')
  await ok(call(psych, 'PUT', `/api/v1/screening/campaigns/${campaign.id}/consents/${classmate.id}`, { guardianConsent: 'given' }), 200, 'the slip comes back')
  const imported = await ok(importFile(), 200, 'import')
  t.match(imported.result, { inserted: 2, crisisEventsOpened: 1 })

  // 2. The crisis waits for acknowledgement; nobody acknowledges.
  const crises = await ok(call(psych, 'GET', `/api/v1/crisis-events?studentId=${atRisk.id}`), 200, 'crisis list')
  t.equal(crises.items.length, 1)
  const crisis = crises.items[0]
  t.match(crisis, { source: 'safety_rule', status: 'open' })
  // The answer gives milliseconds, the database keeps microseconds: the next millisecond is past it.
  const deadline = new Date(Date.parse(crisis.ackDeadline as string) + 1)

  const escalate = (now: Date) => runJob(w.database, jobsByName.get('escalate')!, { now, config: w.config })
  const deliver = (now: Date) => deliverDue({ database: w.database, config: w.config }, { now, random: () => 0.5 })
  const minutes = (n: number) => new Date(deadline.getTime() + n * 60_000)
  const deadlineText = new Intl.DateTimeFormat('zh-CN', { timeZone: w.config.TZ_SCHOOL, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(crisis.ackDeadline as string))
  const expected = `心安：有 1 条危机事件待确认，截止 ${deadlineText}。请登录查看 ${PUBLIC_URL}/crises/${crisis.id}`

  t.match(await escalate(minutes(-1)), { counts: { crisesEscalated: 0 } }, 'nothing before the deadline')
  t.match(await deliver(minutes(-1)), { sent: 0 }, 'nothing to send')

  // 3. Step 1 at the deadline: the psychology teachers, the school's robots, psych2's e-mail.
  t.match(await escalate(deadline), { counts: { crisesEscalated: 1 } }, 'step 1')
  const first = await deliver(deadline)
  t.match(first, { dead: 0, retrying: 0 })
  t.ok(first.sent >= 3, `step 1 sent to the robots and by e-mail (${first.sent})`)
  const robotTexts = () => robots.hits.map((h) => (JSON.parse(h.body) as { text: { content: string } }).text.content)
  t.ok(robots.hits.some((h) => h.path === '/wecom' && h.valid), '企业微信 got it')
  t.ok(robots.hits.some((h) => h.path === '/dingtalk' && h.valid), '钉钉 got it, signed')
  t.same(mail.mails.flatMap((m) => m.to), ['psych2@example.edu.cn'], 'step 1 e-mails the psychology teacher who gave an address, not the admin')
  t.ok(robotTexts().every((s) => s === expected), 'the robots carry the kind, the deadline and the link only')

  // 4. Step 2, ten minutes later: the admins too.
  t.match(await escalate(minutes(9)), { counts: { crisesEscalated: 0 } }, 'step 2 not yet due')
  t.match(await escalate(minutes(10)), { counts: { crisesEscalated: 1 } }, 'step 2')
  const second = await deliver(minutes(10))
  t.ok(second.sent >= 2, `step 2 delivered (${second.sent})`)
  t.same(mail.mails.flatMap((m) => m.to).sort(), ['admin@example.edu.cn', 'psych2@example.edu.cn', 'psych2@example.edu.cn'], 'step 2 reaches the admin by e-mail')
  const hitsAfterStep2 = robots.hits.length
  t.ok(hitsAfterStep2 >= 4, 'each step went to both robots')

  // No message that left the app names the pupil, the class or a score.
  const outgoing = [...robotTexts(), ...mail.mails.map((m) => mailText(m.raw)), ...mail.mails.map((m) => m.raw)]
  const canaries = [atRisk.name, atRisk.studentNo, classmate.name, atRisk.id, '七年级', '第9题', 'PHQ']
  for (const c of canaries) t.notOk(outgoing.some((s) => s.includes(c)), `no outgoing message carries ${c}`)

  // 5. Acknowledged: the chain stops.
  await ok(call(psych, 'POST', `/api/v1/crisis-events/${crisis.id}/acknowledge`, {}), 200, 'acknowledge')
  t.match(await escalate(minutes(60)), { counts: { crisesEscalated: 0 } }, 'no step after the acknowledgement')
  t.match(await deliver(minutes(60)), { sent: 0 })
  t.equal(robots.hits.length, hitsAfterStep2, 'nothing more reaches the robots')

  // 6. Brief safety assessment, emergency: an urgent referral and a parent contact due today.
  const kase = await ok(call(psych, 'POST', `/api/v1/students/${atRisk.id}/cases`, { source: 'screening', riskLevel: 'red', summary: '安全条目阳性开案' }), 201, 'case')
  await ok(call(psych, 'PATCH', `/api/v1/crisis-events/${crisis.id}`, { caseId: kase.id }), 200, 'the crisis joins the case')
  const institution = await ok(call(psych, 'POST', '/api/v1/institutions', { name: '市精神卫生中心', kind: 'mental_health_centre' }), 201, 'institution')
  const assessment = await ok(call(psych, 'POST', `/api/v1/crisis-events/${crisis.id}/assessment`, {
    answers: { ...CALM_ANSWERS, thoughtsFrequency: 'daily', thoughtsLast: 'today', hasPlan: true, planDetail: '计划细节', hasIntent: true },
    disposition: 'emergency', caseId: kase.id,
    referral: { institutionId: institution.id, reason: '有计划和意图，今日紧急评估' },
  }), 201, 'assessment')
  t.ok(assessment.referralId, 'the emergency opened a referral')
  const referral = await ok(call(psych, 'GET', `/api/v1/referrals/${assessment.referralId}`), 200, 'the referral')
  t.match(referral, { urgent: true, studentId: atRisk.id, institutionId: institution.id })
  const dueNow = await ok(call(psych, 'GET', `/api/v1/crisis-events/${crisis.id}`), 200, 'crisis')
  t.equal(dueNow.parentContactDueOn, w.app.services.gateway.today(), 'a parent contact is due the same school day')

  // Every first step ticked; still not resolvable: the parent contact and who was told are missing.
  for (const item of ['parent_notified', 'escort', 'safety_assessment', 'leader_informed', 'referral_considered']) {
    await ok(call(psych, 'POST', `/api/v1/crisis-events/${crisis.id}/checklist`, { item }), 201, item)
  }
  const early = await call(psych, 'POST', `/api/v1/crisis-events/${crisis.id}/resolve`, {})
  t.equal(early.statusCode, 409, 'not resolvable yet')

  // 7. The same-day parent contact, consenting to the referral.
  const contact = await ok(call(psych, 'POST', `/api/v1/students/${atRisk.id}/parent-contacts`, {
    caseId: kase.id, channel: 'phone', content: '已告知母亲，今日陪同就诊', referralConsent: 'given',
  }), 201, 'parent contact')

  // 8. The safety plan (Stanley–Brown), printed for the student.
  const plan = await ok(call(psych, 'POST', `/api/v1/cases/${kase.id}/safety-plan`, {
    crisisId: crisis.id,
    warningSigns: ['一个人待在房间不出来'], copingStrategies: ['听喜欢的歌'], socialDistractions: ['去操场打球'],
    helpContacts: [{ name: '妈妈', phone: '139 0000 1234' }], environmentSafety: ['家长把药品收起来'], reasonsForLiving: ['想养一只猫'],
  }), 201, 'safety plan')
  t.ok(plan.current.professionals.some((p: { phone?: string }) => p.phone === '12356'), 'step 5 names the 12356 hotline')
  const printed = await ok(call(psych, 'GET', `/api/v1/safety-plans/${plan.id}/print`), 200, 'print data')
  t.ok(JSON.stringify(printed).includes('想养一只猫') && JSON.stringify(printed).includes('12356'), 'the printout carries the steps and the hotline')

  // 9. Who was told: the homeroom teacher and the guardian.
  await ok(call(psych, 'POST', `/api/v1/crisis-events/${crisis.id}/disclosures`, { role: 'homeroom_teacher', channel: 'in_person' }), 201, 'homeroom teacher told')
  const stillOpen = await call(psych, 'POST', `/api/v1/crisis-events/${crisis.id}/resolve`, {})
  t.equal(stillOpen.statusCode, 409, 'a guardian (or why not) is still missing')
  await ok(call(psych, 'POST', `/api/v1/crisis-events/${crisis.id}/disclosures`, { role: 'guardian', channel: 'phone' }), 201, 'guardian told')

  // 10. Resolved.
  const resolved = await ok(call(psych, 'POST', `/api/v1/crisis-events/${crisis.id}/resolve`, {}), 200, 'resolve')
  t.equal(resolved.status, 'resolved')

  // 11. The referral runs to 复学; the plan is reviewed there, and the 复学 view shows the review.
  const step = (body: Record<string, unknown>, what: string) => ok(call(psych, 'POST', `/api/v1/referrals/${referral.id}/transitions`, body), 200, what)
  await step({ to: 'consented', consentContactId: contact.id }, 'consent recorded')
  await step({ to: 'sent' }, 'sent')
  await step({ to: 'received', receivedOn: w.app.services.gateway.today() }, 'received')
  await step({ to: 'feedback', feedback: '门诊治疗中，可逐步返校' }, 'feedback')
  await ok(call(psych, 'POST', `/api/v1/safety-plans/${plan.id}/reviews`, { reviewedOn: shanghaiDay(), context: 'return_to_school', note: '复学评估时逐条复查' }), 201, 'review at 复学')
  await step({ to: 'reassessed', reassessmentResult: '情绪平稳，可返校', reassessedRisk: 'yellow' }, '复学评估')
  const last = await ok(call(psych, 'GET', `/api/v1/cases/${kase.id}/safety-plan/last-review`), 200, 'last review')
  t.match(last, { planId: plan.id, lastReview: { reviewedOn: shanghaiDay(), context: 'return_to_school', contextText: '复学' } })

  // Every step of it is in the audit log.
  const audited = await queryRows<{ resource: string }>(w.database.db, sql`select distinct resource from audit_log where ${crisis.id} = any(record_ids) or ${atRisk.id} = any(student_ids::text[])`)
  const resources = audited.map((r) => r.resource)
  for (const r of ['crisis_events', 'safety_assessments', 'crisis_disclosures', 'referrals', 'parent_contacts', 'safety_plans']) t.ok(resources.includes(r), `audited: ${r}`)
})
