import t from '../helpers/tap.js'
import type { Locator } from 'playwright-core'
import { CALM_ANSWERS } from '../cases/safety-steps.js'
import { shanghaiDay } from '../screening/fixtures.js'
import { apiAs, browserAvailable, demoClassStudents, launchBrowser, loginAs, screenshot, settledCount, startServer } from './harness.js'

type Row = Record<string, unknown>
type List = { items: Row[]; total: number }

/**
 * 心理教师 manages a case in the browser: opens it from the student's archive, writes the
 * plan, logs a session, a parent contact, a pairing and a referral (with its printable form),
 * acknowledges a crisis event, changes the risk and closes the case; and creates a screening
 * campaign. Every write is checked through the public API afterwards, so a form that did
 * nothing fails here.
 */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  // Every top-level await comes before the first subtest: tap ends the root test when idle between them.
  const psych = await apiAs(server, 'psych.demo')
  // A pupil with nothing on file yet (the demo data gives some a case, a crisis or a referral),
  // so every count below is exactly what the journey wrote.
  const blank = async (id: string) => {
    for (const path of ['/cases', '/pairings', '/parent-contacts', '/referrals', '/crisis-events']) {
      if ((await psych<List>('GET', `${path}?studentId=${id}`)).body.total !== 0) return false
    }
    return true
  }
  let student: Awaited<ReturnType<typeof demoClassStudents>>[number] | undefined
  for (const s of (await demoClassStudents(server)).slice(10)) if (await blank(s.id)) { student = s; break }
  if (!student) throw new Error('fixture: no pupil without records in the demo class')
  // The demo school's directory is empty: one institution to refer to (the dialog can add more).
  const institution = await psych<Row>('POST', '/institutions', { name: '市精神卫生中心', kind: 'mental_health_centre', department: '儿童青少年心理科' })
  if (institution.status !== 201) throw new Error(`fixture institution: ${institution.status}`)
  const mentors = await psych<List>('GET', '/users?q=mentor.demo')
  const mentor = mentors.body.items.find((u) => u.username === 'mentor.demo')
  if (!mentor) throw new Error('fixture: mentor.demo not listed')
  // A crisis event opened by hand, waiting for acknowledgement on the case page.
  const crisis = await psych<Row>('POST', `/students/${student.id}/crisis-events`, { summary: '课间表达轻生念头（示例）' })
  if (crisis.status !== 201) throw new Error(`fixture crisis: ${crisis.status}`)

  const page = await browser.newPage()
  await loginAs(page, base, 'psych.demo')
  let caseId = ''

  const dialog = (name: string) => page.getByRole('dialog', { name })
  const openDropdowns = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)')
  /**
   * Picks an option of an antd Select by its label, as a mouse user would, and closes the list.
   * On a loaded machine a click can land while the list is still animating in and select
   * nothing; the select then still does not show the label, and the pick is tried again.
   */
  /** Picks an option; `search` is typed first where the list is long enough to scroll (the school's staff). */
  async function choose(d: Locator, field: Locator, option: string | RegExp, search?: string) {
    const box = field.locator('xpath=ancestor::*[contains(concat(" ", normalize-space(@class), " "), " ant-select ")][1]')
    const shows = async () => {
      const text = await box.innerText()
      return typeof option === 'string' ? text.includes(option) : option.test(text)
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      await field.click()
      if (search) await field.fill(search)
      const item = openDropdowns.locator('.ant-select-item-option').filter({ hasText: option }).first()
      await item.waitFor()
      await item.click()
      // A multiple choice stays open: a click on the dialog's title closes it; wait until it is gone.
      await d.locator('.ant-modal-title').click()
      await settledCount(openDropdowns, 0)
      // The select shows the pick a moment after the list closes on a loaded machine.
      for (const end = Date.now() + 2_000; Date.now() < end; await page.waitForTimeout(150)) if (await shows()) return
    }
    await screenshot(page, 'psych-case-choose-failed')
    throw new Error(`could not choose ${String(option)}`)
  }
  async function save(d: Locator) {
    await d.getByRole('button', { name: /保\s*存/ }).click()
  }
  /** The dialog closes after a successful write (a refusal keeps it open: the screenshot shows why). */
  async function closed(d: Locator) {
    try {
      await d.waitFor({ state: 'hidden' })
    } catch (e) {
      await screenshot(page, 'psych-case-dialog-stuck')
      throw e
    }
  }

  await t.test('open a case from the student archive', async (t) => {
    await page.goto(`${base}/students/${student.id}`)
    await page.getByTestId('archive-title').getByText(student.name).waitFor()
    await page.getByRole('button', { name: '新建个案' }).click()
    const d = dialog('新建个案')
    await d.waitFor()
    await choose(d, d.getByLabel('风险等级', { exact: true }), '较高')
    await d.getByLabel('摘要', { exact: true }).fill('近期失眠，学习动力下降。')
    await screenshot(page, 'psych-case-open-dialog')
    await save(d)
    await page.waitForURL(/\/cases\/[0-9a-f-]{36}$/, { timeout: 30_000 })
    caseId = new URL(page.url()).pathname.split('/').pop()!
    await page.getByTestId('case-title').getByText(student.name).waitFor()
    const cases = await psych<List>('GET', `/cases?studentId=${student.id}`)
    t.equal(cases.body.total, 1, 'one case for the student')
    t.equal(cases.body.items[0]?.id, caseId, 'the page is the new case')
    t.equal(cases.body.items[0]?.riskLevel, 'orange')
    t.equal(cases.body.items[0]?.summary, '近期失眠，学习动力下降。')
    t.match(await page.locator('[data-risk="orange"]').first().innerText(), '较高')
  })

  await t.test('write the intervention plan, then edit it', async (t) => {
    const card = page.getByTestId('case-plan')
    await card.getByText('尚未制定干预计划').waitFor()
    await card.getByRole('button', { name: '制定干预计划' }).click()
    const d = dialog('制定干预计划')
    await d.getByLabel('目标', { exact: true }).fill('改善睡眠，恢复学习节奏')
    await d.getByLabel('措施', { exact: true }).fill('每周一次个体辅导；与家长沟通作息')
    await save(d)
    await closed(d)
    await card.getByText('改善睡眠，恢复学习节奏').waitFor()
    let plan = await psych<Row>('GET', `/cases/${caseId}/plan`)
    t.equal(plan.status, 200, 'the plan exists')
    t.equal(plan.body.goals, '改善睡眠，恢复学习节奏')
    t.equal(plan.body.measures, '每周一次个体辅导；与家长沟通作息')

    await card.getByRole('button', { name: '修改干预计划' }).click()
    const e = dialog('修改干预计划')
    t.equal(await e.getByLabel('目标', { exact: true }).inputValue(), '改善睡眠，恢复学习节奏', 'the dialog starts from the saved plan')
    await e.getByLabel('措施', { exact: true }).fill('每周两次个体辅导')
    await save(e)
    await closed(e)
    await card.getByText('每周两次个体辅导').waitFor()
    plan = await psych<Row>('GET', `/cases/${caseId}/plan`)
    t.equal(plan.body.measures, '每周两次个体辅导', 'updated, not a second plan')
  })

  await t.test('add a counselling session', async (t) => {
    const card = page.getByTestId('case-sessions')
    await card.getByRole('button', { name: '添加辅导记录' }).click()
    const d = dialog('添加辅导记录')
    await d.getByLabel('时长（分钟）', { exact: true }).fill('50')
    await d.getByLabel('记录', { exact: true }).fill('谈到考试焦虑，练习放松训练（咨询记录）')
    await save(d)
    await closed(d)
    const rows = card.locator('tbody tr.ant-table-row')
    t.equal(await settledCount(rows, 1), 1, 'the session is listed')
    t.match(await rows.first().innerText(), '练习放松训练')
    const sessions = await psych<List>('GET', `/cases/${caseId}/sessions`)
    t.equal(sessions.body.total, 1)
    t.equal(sessions.body.items[0]?.durationMin, 50)
    t.equal(sessions.body.items[0]?.kind, 'individual')
    await screenshot(page, 'psych-case-plan-session')
  })

  await t.test('log a parent contact', async (t) => {
    const card = page.getByTestId('case-contacts')
    await card.getByRole('button', { name: '记录家校沟通' }).click()
    const d = dialog('记录家校沟通')
    await d.getByLabel('内容', { exact: true }).fill('与母亲电话沟通孩子的睡眠情况')
    await d.getByLabel('结果', { exact: true }).fill('家长同意调整作息')
    await choose(d, d.getByLabel('转介同意', { exact: true }), '同意')
    await save(d)
    await closed(d)
    const rows = card.locator('tbody tr.ant-table-row')
    t.equal(await settledCount(rows, 1), 1, 'the contact is listed')
    t.match(await rows.first().innerText(), /电话[\s\S]*与母亲电话沟通/)
    const contacts = await psych<List>('GET', `/parent-contacts?studentId=${student.id}`)
    t.equal(contacts.body.total, 1)
    t.match(contacts.body.items[0], { channel: 'phone', content: '与母亲电话沟通孩子的睡眠情况', referralConsent: 'given', caseId })
  })

  await t.test('pair a mentor teacher: a refusal is shown in words, then a teacher is paired', async (t) => {
    const card = page.getByTestId('case-pairings')
    await card.getByRole('button', { name: '新建结对' }).click()
    const d = dialog('新建结对')
    // A student monitor's account is no teacher: the server refuses, and the dialog says why.
    await choose(d, d.getByLabel('结对教师', { exact: true }), 'monitor.demo', 'monitor.demo')
    await d.getByLabel('结对目的', { exact: true }).fill('每周陪伴，关注情绪变化')
    await save(d)
    const error = d.getByTestId('write-error')
    await error.waitFor()
    t.equal(await error.getAttribute('data-code'), 'mentor_not_teacher')
    const said = await error.innerText()
    t.notMatch(said, 'mentor_not_teacher', 'people read the message, not the code (kept in data-code for support)')
    t.match(said, '结对教师须为本校在职教师', 'the server\'s message says why')
    t.match(said, /请求编号|request/i, 'with the request id to quote')
    await screenshot(page, 'psych-case-pairing-refused')
    t.equal((await psych<List>('GET', `/pairings?studentId=${student.id}`)).body.total, 0, 'nothing was written')

    await choose(d, d.getByLabel('结对教师', { exact: true }), 'mentor.demo', 'mentor.demo')
    await save(d)
    await closed(d)
    const rows = card.locator('tbody tr.ant-table-row')
    t.equal(await settledCount(rows, 1), 1, 'the pairing is listed')
    t.match(await rows.first().innerText(), '示范结对教师', 'the mentor by name')
    const pairings = await psych<List>('GET', `/pairings?studentId=${student.id}`)
    t.equal(pairings.body.total, 1)
    t.match(pairings.body.items[0], { mentorId: mentor.id, purpose: '每周陪伴，关注情绪变化', frequency: 'weekly' })
  })

  await t.test('refer to an institution and open the printable form', async (t) => {
    const card = page.getByTestId('case-referrals')
    await card.getByRole('button', { name: '新建转介' }).click()
    const d = dialog('新建转介')
    await choose(d, d.locator('#referral-institution'), '市精神卫生中心')
    await d.getByLabel('原因', { exact: true }).fill('持续失眠两月，需专科评估')
    await save(d)
    await closed(d)
    const rows = card.locator('tbody tr.ant-table-row')
    t.equal(await settledCount(rows, 1), 1, 'the referral is listed')
    const text = await rows.first().innerText()
    t.match(text, '市精神卫生中心', 'the institution by name')
    t.match(text, '拟转介', 'its state')
    const referrals = await psych<List>('GET', `/referrals?studentId=${student.id}`)
    t.equal(referrals.body.total, 1)
    const referral = referrals.body.items[0]!
    t.match(referral, { institutionId: institution.body.id, caseId, reason: '持续失眠两月，需专科评估', state: 'proposed' })
    t.match(text, '家长同意后可打印', 'no print link before the parents consent (the server refuses the form)')
    await screenshot(page, 'psych-case-referral')

    // The parents' consent: the contact logged above, where they gave it.
    await rows.first().getByRole('button', { name: '推进转介' }).click()
    const step = dialog('推进转介')
    await choose(step, step.getByLabel('家长同意的沟通记录', { exact: true }), '与母亲电话沟通')
    await save(step)
    await closed(step)
    await rows.first().getByText('家长已同意').waitFor()
    const consented = await psych<Row>('GET', `/referrals/${String(referral.id)}`)
    const contacts = await psych<List>('GET', `/parent-contacts?studentId=${student.id}`)
    t.match(consented.body, { state: 'consented', consentContactId: contacts.body.items[0]?.id }, 'consent recorded with its contact')

    const print = rows.first().getByRole('link', { name: /打印转介单/ })
    t.equal(await print.getAttribute('href'), `/referrals/${String(referral.id)}/print`, 'the print link of this referral')
    await print.click()
    await page.waitForURL(new RegExp(`/referrals/${String(referral.id)}/print$`))
    // The form sits in a shadow root (printable with Ctrl+P); locators reach into it.
    const form = page.getByTestId('referral-form')
    await t.resolves(form.getByText('市精神卫生中心').first().waitFor(), 'the printable form names the institution')
    await screenshot(page, 'psych-case-referral-form')
    await page.goBack()
    await page.getByTestId('case-title').getByText(student.name).waitFor()
  })

  await t.test('acknowledge the crisis event from the case page', async (t) => {
    const card = page.getByTestId('case-crises')
    const ack = card.getByRole('button', { name: /确认接收/ })
    await ack.waitFor()
    await ack.click()
    await card.getByText('已确认').waitFor()
    t.equal(await settledCount(card.getByRole('button', { name: /确认接收/ }), 0), 0, 'no acknowledge button left')
    const after = await psych<Row>('GET', `/crisis-events/${String(crisis.body.id)}`)
    t.equal(after.body.status, 'acknowledged')
  })

  await t.test('tick the first steps of the crisis one by one, then resolve it', async (t) => {
    // Resolution also needs the safety assessment and who was told (their screens have their own
    // browser test, crisis-safety): recorded here through the API, the checklist is what this walks.
    const id = String(crisis.body.id)
    const safety: Array<[string, unknown]> = [
      [`/crisis-events/${id}/assessment`, { answers: CALM_ANSWERS, disposition: 'safety_plan', followUpOn: shanghaiDay(7) }],
      [`/crisis-events/${id}/disclosures`, { role: 'homeroom_teacher', channel: 'in_person' }],
      [`/crisis-events/${id}/disclosures`, { role: 'guardian', channel: 'phone' }],
    ]
    for (const [path, body] of safety) t.equal((await psych('POST', path, body)).status, 201, path)
    const card = page.getByTestId('case-crises')
    await card.getByRole('button', { name: '处置清单' }).click()
    const d = dialog('处置清单')
    await d.waitFor()
    const resolve = d.getByTestId('crisis-resolve')
    const steps = ['家长已通知', '专人陪护', '安全评估完成', '已报告学校领导', '已考虑转介']
    for (const [i, step] of steps.entries()) {
      t.ok(await resolve.isDisabled(), `not resolvable with ${i} of 5 steps ticked`)
      const box = d.getByRole('checkbox', { name: step })
      await box.click()
      // Ticked on the server, the step comes back checked (the box is disabled while the write
      // is in flight, so only the checked state says the server has it).
      await d.getByRole('checkbox', { name: step, checked: true }).waitFor()
    }
    const ticked = await psych<Row & { checklist: Array<{ item: string; done: boolean }> }>('GET', `/crisis-events/${String(crisis.body.id)}`)
    t.same(ticked.body.checklist.map((c) => c.done), [true, true, true, true, true], 'all five steps done on the server')
    await screenshot(page, 'psych-case-crisis-checklist')
    await resolve.click()
    await closed(d)
    await card.getByText('已解决').waitFor()
    const resolved = await psych<Row>('GET', `/crisis-events/${String(crisis.body.id)}`)
    t.equal(resolved.body.status, 'resolved')
  })

  await t.test('change the risk level, then close the case with a reason', async (t) => {
    await page.getByRole('button', { name: '调整风险等级' }).click()
    const r = dialog('调整风险等级')
    await choose(r, r.getByLabel('风险等级', { exact: true }), '高危')
    await r.getByLabel('原因', { exact: true }).fill('复评分数上升')
    await save(r)
    await closed(r)
    await page.locator('[data-risk="red"]').first().waitFor()

    await page.getByRole('button', { name: '变更个案状态' }).click()
    const d = dialog('变更个案状态')
    await choose(d, d.getByLabel('变更为', { exact: true }), '已结案')
    await d.getByLabel('原因', { exact: true }).fill('已转介专科机构，校内跟进结束')
    await save(d)
    await closed(d)
    await page.locator('[data-testid="case-state"][data-state="closed"]').waitFor()
    t.ok(await page.getByTestId('case-sessions').getByRole('button', { name: '添加辅导记录' }).isDisabled(), 'a closed case takes no more sessions')
    const kase = await psych<Row>('GET', `/cases/${caseId}`)
    t.match(kase.body, { state: 'closed', riskLevel: 'red' })
    const events = await psych<List>('GET', `/cases/${caseId}/events`)
    const reasons = events.body.items.map((e) => e.reason)
    t.ok(reasons.includes('复评分数上升'), 'the risk change and its reason are in the history')
    t.ok(reasons.includes('已转介专科机构，校内跟进结束'), 'the closing reason is in the history')
    await page.getByTestId('case-events').getByText('已转介专科机构，校内跟进结束').waitFor()
    await screenshot(page, 'psych-case-closed')
  })

  await t.test('create a screening campaign', async (t) => {
    await page.getByRole('navigation', { name: '主菜单' }).getByText('心理测评').click()
    await page.getByRole('button', { name: '新建测评活动' }).click()
    const d = dialog('新建测评活动')
    await d.getByLabel('活动名称', { exact: true }).fill('2026 冬季八年级心理测评')
    await d.getByLabel('学年', { exact: true }).fill('2026-2027')
    await choose(d, d.getByLabel('测评量表', { exact: true }), /PHQ/)
    await choose(d, d.getByLabel('年级', { exact: true }), /^八年级$/)
    await d.getByLabel('活动名称', { exact: true }).click()
    await screenshot(page, 'psych-campaign-new')
    await save(d)
    await closed(d)
    await page.getByTestId('campaign-list').getByRole('link', { name: '2026 冬季八年级心理测评' }).waitFor()
    const list = await psych<List>('GET', '/screening/campaigns?limit=100')
    const made = list.body.items.find((c) => c.name === '2026 冬季八年级心理测评')
    t.ok(made, 'the campaign exists')
    t.match(made, { schoolYear: '2026-2027', gradeLevels: [8], status: 'planned' })
    t.equal((made?.instrumentIds as unknown[] | undefined)?.length, 1, 'one instrument')
  })

  t.same(browser.cspViolations, [], 'no CSP violation')
  t.same(browser.pageErrors, [], 'no uncaught page error')
}
