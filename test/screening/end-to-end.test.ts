import t from '../helpers/tap.js'
import { recordSafetySteps } from '../cases/safety-steps.js'
import { GAD7_ID, openCampaign, PHQA_ID, screeningWorld, shanghaiDay, type Pupil } from './fixtures.js'

/**
 * 测评建档 and 积极干预 end to end: import a class's campaign file → scores and bands correct → an item-9
 * answer opens a crisis event → acknowledge and complete the checklist → a case with plan
 * and sessions → the archive shows it in order; the class's homeroom teacher sees the
 * care-list entry and none of the scores, answers or notes; a teacher of another school
 * gets 404.
 */
t.test('测评建档 → 危机 → 积极干预 → 心理成长档案, through the API', async (t) => {
  const w = await screeningWorld()
  const { psych, homeroom, homeroomB, psychB, call } = w
  const klass = w.A.classIds[0]
  const pupils: Pupil[] = []
  for (let i = 0; i < 6; i++) pupils.push(await w.pupil(w.A, klass, `七一班学生${i}`))
  const [p0, p1, p2, p3, p4, p5] = pupils as [Pupil, Pupil, Pupil, Pupil, Pupil, Pupil]
  const campaign = await openCampaign(w, psych, [PHQA_ID, GAD7_ID])
  const day = shanghaiDay(-3)

  // 1. The class's file: PHQ-A and GAD-7, one row per pupil, Chinese headers.
  const header = ['学号', '姓名', ...Array.from({ length: 9 }, (_, i) => `PHQ${i + 1}`), ...Array.from({ length: 7 }, (_, i) => `GAD${i + 1}`), '测评日期']
  const answers: Array<[Pupil, number[], number[]]> = [
    [p0, [0, 0, 1, 0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0, 0]], // PHQ 1 minimal · GAD 1 minimal
    [p1, [1, 1, 1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 0]], // PHQ 6 mild · GAD 6 mild
    [p2, [2, 2, 2, 1, 1, 1, 1, 1, 0], [2, 2, 2, 2, 1, 1, 1]], // PHQ 11 moderate · GAD 11 moderate
    [p3, [3, 3, 2, 2, 2, 2, 2, 1, 0], [3, 3, 3, 2, 2, 2, 1]], // PHQ 17 moderately severe · GAD 16 severe
    [p4, [1, 1, 0, 1, 0, 1, 0, 0, 1], [1, 1, 1, 0, 0, 0, 0]], // PHQ 5 mild, item 9 = 1 → crisis · GAD 3
    [p5, [3, 3, 3, 3, 3, 2, 2, 2, 0], [0, 0, 0, 0, 0, 0, 0]], // PHQ 21 severe · GAD 0
  ]
  const file = [header, ...answers.map(([p, phq, gad]) => [p.studentNo, p.name, ...phq, ...gad, day])].map((r) => r.join(',')).join('\r\n')
  const imported = await call(psych, 'POST', `/api/v1/screening/campaigns/${campaign.id}/import?wait=true`, file, { 'content-type': 'text/csv; charset=utf-8' })
  t.equal(imported.statusCode, 200, imported.body)
  t.match(imported.json().result, { rows: 6, responses: 12, inserted: 12, alreadyOnFile: 0, crisisEventsOpened: 1 })

  // 2. Scores and bands, computed on the server.
  const results = (await call(psych, 'GET', `/api/v1/screening/campaigns/${campaign.id}/responses?limit=100`)).json().items as Array<Record<string, unknown>>
  const of = (p: Pupil, inst: string) => results.find((r) => r.studentId === p.id && r.instrumentId === inst)!
  const expected: Array<[Pupil, number, string, string, number, string]> = [
    [p0, 1, 'minimal', 'green', 1, 'minimal'],
    [p1, 6, 'mild', 'yellow', 6, 'mild'],
    [p2, 11, 'moderate', 'orange', 11, 'moderate'],
    [p3, 17, 'moderately_severe', 'orange', 16, 'severe'],
    [p4, 5, 'mild', 'red', 3, 'minimal'],
    [p5, 21, 'severe', 'red', 0, 'minimal'],
  ]
  for (const [p, phqTotal, phqBand, risk, gadTotal, gadBand] of expected) {
    t.match(of(p, PHQA_ID), { totalScore: phqTotal, band: phqBand, suggestedRisk: risk, screenedOn: day, source: 'import' }, `${p.name} PHQ-A`)
    t.match(of(p, GAD7_ID), { totalScore: gadTotal, band: gadBand }, `${p.name} GAD-7`)
  }
  t.equal(of(p4, PHQA_ID).safetyFlag, true)
  t.equal(results.filter((r) => r.safetyFlag).length, 1)

  // 3. The item-9 answer opened a crisis event, waiting for acknowledgement.
  const inbox = (await call(psych, 'GET', '/api/v1/worklist')).json()
  t.equal(inbox.unacknowledgedCrises.items.length, 1)
  const crisis = inbox.unacknowledgedCrises.items[0]
  t.match(crisis, { studentId: p4.id, source: 'safety_rule', sourceRef: of(p4, PHQA_ID).id, status: 'open', escalationLevel: 0, overdue: false })

  // 4. Acknowledge, then every first step.
  t.equal((await call(psych, 'POST', `/api/v1/crisis-events/${crisis.id}/acknowledge`, {})).json().status, 'acknowledged')
  for (const item of ['parent_notified', 'escort', 'safety_assessment', 'leader_informed', 'referral_considered']) {
    t.equal((await call(psych, 'POST', `/api/v1/crisis-events/${crisis.id}/checklist`, { item })).statusCode, 201, item)
  }
  const worked = (await call(psych, 'GET', `/api/v1/crisis-events/${crisis.id}`)).json()
  t.ok(worked.checklist.every((c: { done: boolean; doneBy: string }) => c.done && c.doneBy === psych.id), 'checklist complete, each with who and when')

  // The psychology teacher confirms the risk and puts the pupil on the care list for the class teacher.
  t.equal((await call(psych, 'PATCH', `/api/v1/screening/responses/${of(p4, PHQA_ID).id}`, { confirmedRisk: 'red' })).statusCode, 200)
  const care = await call(psych, 'POST', `/api/v1/students/${p4.id}/care-list`, {
    riskLevel: 'red', reason: 'PHQ-A 第9题阳性，访谈确认有自伤念头', guidance: '请每天关注出勤与情绪，避免独处，有异常立即联系心理老师', sourceResponseId: of(p4, PHQA_ID).id,
  })
  t.equal(care.statusCode, 201)

  // 5. A case with its plan and two sessions; the crisis belongs to it.
  const kase = (await call(psych, 'POST', `/api/v1/students/${p4.id}/cases`, { source: 'screening', sourceRef: of(p4, PHQA_ID).id, riskLevel: 'red', summary: '测评安全条目阳性开案' })).json()
  t.match(kase, { riskLevel: 'red', riskLevelText: '高危', state: 'open' })
  t.equal((await call(psych, 'PATCH', `/api/v1/crisis-events/${crisis.id}`, { caseId: kase.id })).json().caseId, kase.id)
  t.equal((await call(psych, 'POST', `/api/v1/cases/${kase.id}/transition`, { to: 'intervening', reason: '完成安全评估，开始个体辅导' })).json().state, 'intervening')
  const plan = await call(psych, 'POST', `/api/v1/cases/${kase.id}/plan`, { goals: '消除自伤念头；恢复正常作息', measures: '每周两次个体辅导；家长每日陪伴；班主任日常关注', reviewDate: shanghaiDay(5) })
  t.equal(plan.statusCode, 201)
  const s1 = await call(psych, 'POST', `/api/v1/cases/${kase.id}/sessions`, { kind: 'individual', sessionDate: shanghaiDay(), durationMin: 50, notes: '首次辅导：倾诉与同伴冲突，签订安全约定', reassessmentScore: 5, reassessedRisk: 'red' })
  const s2 = await call(psych, 'POST', `/api/v1/cases/${kase.id}/sessions`, { kind: 'individual', sessionDate: shanghaiDay(), durationMin: 40, notes: '第二次辅导：情绪较前平稳' })
  t.equal(s1.statusCode, 201)
  t.equal(s2.statusCode, 201)
  // The brief suicide safety assessment ends in a safety plan; the homeroom teacher and a guardian are told.
  await recordSafetySteps((m, u, b) => call(psych, m, u, b), crisis.id, shanghaiDay(5))
  t.equal((await call(psych, 'POST', `/api/v1/crisis-events/${crisis.id}/resolve`, {})).json().status, 'resolved')
  t.same((await call(psych, 'GET', '/api/v1/worklist')).json().reviewsDue.items.map((p: { caseId: string }) => p.caseId), [kase.id])

  // 6. The archive: one timeline, in order.
  const archive = await call(psych, 'GET', `/api/v1/students/${p4.id}/archive`)
  t.equal(archive.statusCode, 200)
  const items = archive.json().items as Array<{ kind: string; id: string; at: string; schoolYear: string; data: Record<string, unknown> }>
  // Day-only items count from midnight in Asia/Shanghai; compare as instants, not as strings
  // (which put "2026-12-06" after "2026-12-05T17:00:00Z", the same Shanghai evening).
  const ats = items.map((i) => (/^\d{4}-\d{2}-\d{2}$/.test(i.at) ? Date.parse(`${i.at}T00:00:00+08:00`) : Date.parse(i.at)))
  t.same(ats, [...ats].sort((a, b) => a - b), 'sorted by time')
  const kinds = items.map((i) => i.kind)
  t.same(kinds.slice(0, 2).sort(), ['screening', 'screening'], 'the screening comes first (three days ago)')
  const pos = (kind: string, id?: string) => items.findIndex((i) => i.kind === kind && (!id || i.id === id))
  t.ok(pos('crisis', crisis.id) < pos('care_list') && pos('care_list') < pos('case', kase.id) && pos('case', kase.id) < pos('plan'), 'crisis → care list → case → plan')
  t.equal(items.filter((i) => i.kind === 'session').length, 2)
  t.equal(items.filter((i) => i.kind === 'case_event').length, 2, 'opened, then intervening')
  t.ok(items.every((i) => i.schoolYear === items[0]!.schoolYear))
  t.equal(items.find((i) => i.kind === 'session' && i.id === s1.json().id)!.data.notes, '首次辅导：倾诉与同伴冲突，签订安全约定', 'the psychology teacher reads the notes')

  // 7. The class's homeroom teacher: the care-list entry, and nothing clinical.
  const list = await call(homeroom, 'GET', '/api/v1/care-list')
  t.equal(list.statusCode, 200)
  t.same(list.json().items.map((i: { studentId: string }) => i.studentId), [p4.id])
  t.same(Object.keys(list.json().items[0]).sort(), ['addedAt', 'guidance', 'id', 'removedAt', 'schoolId', 'studentId'])
  const hrArchive = await call(homeroom, 'GET', `/api/v1/students/${p4.id}/archive`)
  t.equal(hrArchive.statusCode, 200)
  t.same(hrArchive.json().items.map((i: { kind: string }) => i.kind), ['care_list'], 'only the care-list entry')
  for (const body of [list.body, hrArchive.body]) {
    t.notOk(/totalScore|answers|"band"|suggestedRisk|confirmedRisk|riskLevel|safetyFlag|notes|reason|goals|measures/.test(body), 'no scores, answers, risk, notes or plans')
    t.notOk(body.includes('首次辅导') || body.includes('第9题') || body.includes('自伤'), 'no clinical text')
  }
  t.equal((await call(homeroom, 'GET', `/api/v1/screening/responses/${of(p4, PHQA_ID).id}`)).statusCode, 404)
  t.equal((await call(homeroom, 'GET', `/api/v1/screening/campaigns/${campaign.id}/responses`)).statusCode, 404)
  t.equal((await call(homeroom, 'GET', `/api/v1/sessions/${s1.json().id}`)).statusCode, 404)
  t.equal((await call(homeroom, 'GET', `/api/v1/cases/${kase.id}/plan`)).statusCode, 404)
  t.equal((await call(homeroom, 'GET', `/api/v1/crisis-events/${crisis.id}`)).statusCode, 404)
  t.equal((await call(homeroom, 'GET', `/api/v1/cases/${kase.id}`)).statusCode, 404)

  // 8. A teacher of another school: 404 on everything of this pupil.
  for (const other of [homeroomB, psychB]) {
    for (const url of [
      `/api/v1/students/${p4.id}/archive`, `/api/v1/care-list/${care.json().id}`, `/api/v1/cases/${kase.id}`,
      `/api/v1/crisis-events/${crisis.id}`, `/api/v1/screening/responses/${of(p4, PHQA_ID).id}`, `/api/v1/sessions/${s1.json().id}`,
    ]) {
      t.equal((await call(other, 'GET', url)).statusCode, 404, url)
    }
  }
})
