import t from '../helpers/tap.js'
import { apiAs, browserAvailable, demoClassStudents, launchBrowser, loginAs, screenshot, settledCount, startServer, switchToEnglish } from './harness.js'

/** 心理教师: dashboard, student search, the archive with the six steps, who accessed the student. */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  // Every top-level await comes before the first subtest: tap ends the root test when idle between them.
  const classStudents = await demoClassStudents(server)
  const first = classStudents[0]!
  const demoStudent = { id: first.id, name: first.name, student_no: first.studentNo }
  // Fixtures through the public API as the psychology teacher: a case with plan and session, a campaign.
  const psych = await apiAs(server, 'psych.demo')
  const kase = await psych<{ id: string }>('POST', `/students/${demoStudent.id}/cases`, { source: 'other', riskLevel: 'orange', summary: '学业压力大，情绪波动。' })
  if (kase.status !== 201) throw new Error(`fixture case: ${kase.status}`)
  const plan = await psych('POST', `/cases/${kase.body.id}/plan`, { goals: '改善睡眠，恢复学习节奏', measures: '每周一次个体辅导；与家长沟通作息', reviewDate: '2026-12-15' })
  if (plan.status !== 201) throw new Error(`fixture plan: ${plan.status}`)
  const session = await psych('POST', `/cases/${kase.body.id}/sessions`, { kind: 'individual', sessionDate: '2026-11-20', durationMin: 45, notes: '来访者情绪平稳（咨询记录）' })
  if (session.status !== 201) throw new Error(`fixture session: ${session.status}`)
  const instruments = await psych<{ items: Array<{ id: string; code: string }> }>('GET', '/screening/instruments')
  const campaign = await psych<{ id: string }>('POST', '/screening/campaigns', {
    name: '2026 秋季七年级心理测评', schoolYear: '2026-2027', instrumentIds: [instruments.body.items.find((i) => /PHQ/i.test(i.code))!.id], gradeLevels: [7],
    startDate: '2026-11-01', endDate: '2026-12-31', status: 'open',
    // The import and entry screens are tested here; consent-entry.test.ts records consent for a campaign that requires it.
    consentRequired: false,
  })
  if (campaign.status !== 201) throw new Error(`fixture campaign: ${campaign.status}`)

  const page = await browser.newPage()
  await loginAs(page, base, 'psych.demo')

  await t.test('the dashboard is the psychology teacher’s home', async (t) => {
    await page.waitForURL(/\/psych$/)
    await page.getByRole('heading', { name: '心理教师工作台' }).waitFor()
    for (const id of ['crisis-inbox', 'alert-inbox', 'cases-by-risk', 'reviews-due', 'referrals-due']) {
      t.ok(await page.getByTestId(id).isVisible(), `${id} is shown`)
    }
    const menu = await page.getByRole('navigation', { name: '主菜单' }).innerText()
    t.match(menu, /工作台[\s\S]*学生查询[\s\S]*心理测评/)
    t.notMatch(menu, /我的班级|区域统计/, 'only the psychology teacher’s menu')
    await screenshot(page, 'psych-dashboard')
  })


  await t.test('student search by 学号 and by name', async (t) => {
    await page.getByRole('navigation', { name: '主菜单' }).getByText('学生查询').click()
    await page.getByLabel('姓名或学号').fill(demoStudent.student_no)
    await page.getByLabel('姓名或学号').press('Enter')
    const rows = page.getByTestId('student-results').locator('tbody tr.ant-table-row')
    t.equal(await settledCount(rows, 1), 1, 'one student of the school has this 学号')
    await page.getByLabel('姓名或学号').fill(demoStudent.name)
    await page.getByLabel('姓名或学号').press('Enter')
    await page.waitForURL((u) => u.searchParams.get('q') === demoStudent.name)
    await rows.first().waitFor()
    t.match(await rows.first().innerText(), demoStudent.name)
    t.match(await rows.first().innerText(), '七年级(1)班', 'the class by name')
    await screenshot(page, 'psych-student-search')
  })

  await t.test('the archive: timeline and the six steps as a progress line', async (t) => {
    await page.getByTestId('student-results').getByRole('link', { name: demoStudent.name }).click()
    await page.waitForURL(new RegExp(`/students/${demoStudent.id}$`))
    const title = page.getByTestId('archive-title')
    await title.waitFor()
    t.match(await title.innerText(), demoStudent.name)
    const steps = page.getByTestId('six-steps')
    const text = await steps.innerText()
    for (const s of ['测评建档', '师生结对', '积极干预', '同伴跟防', '家校协同', '及时转介']) t.match(text, s)
    t.equal(await steps.locator('[data-step]').count(), 6)
    await screenshot(page, 'psych-archive')
  })

  await t.test('who accessed this student: the teacher’s own reads are listed', async (t) => {
    await page.getByRole('tab', { name: '谁查看了该学生' }).click()
    const log = page.getByTestId('access-log')
    await log.locator('tbody tr.ant-table-row').first().waitFor()
    t.match(await log.innerText(), '示范心理教师', 'the reader is named')
    await screenshot(page, 'psych-access-log')
  })

  await t.test('switching to English relabels the archive', async (t) => {
    await switchToEnglish(page)
    await page.getByRole('tab', { name: 'Who accessed this student' }).waitFor()
    t.match(await page.getByTestId('six-steps').innerText(), /Screening & records[\s\S]*Referral/)
    await screenshot(page, 'psych-archive-en')
    await page.getByTestId('lang-switch').getByText('中文').click()
  })

  await t.test('the case page: risk as colour and text, plan, sessions', async (t) => {
    await page.goto(`${base}/cases/${kase.body.id}`)
    await page.getByTestId('case-title').getByText(demoStudent.name).waitFor()
    const risk = page.locator('[data-risk="orange"]').first()
    t.match(await risk.innerText(), '较高', 'orange is written out as 较高')
    await t.resolves(page.getByText('改善睡眠，恢复学习节奏').waitFor(), 'the plan is shown to the psychology teacher')
    await t.resolves(page.getByText('来访者情绪平稳（咨询记录）').waitFor(), 'and the session notes')
    await screenshot(page, 'psych-case')
  })

  await t.test('the archive timeline shows the case in its step', async (t) => {
    await page.goto(`${base}/students/${demoStudent.id}`)
    const step = page.getByTestId('six-steps').locator('[data-step="intervention"]')
    await step.waitFor()
    t.not(await step.getAttribute('data-count'), '0', '积极干预 has records')
    await page.getByTestId('archive-timeline').first().waitFor()
    await screenshot(page, 'psych-archive-with-case')
  })

  await t.test('the screening campaign page: coverage and the import box', async (t) => {
    await page.getByRole('navigation', { name: '主菜单' }).getByText('心理测评').click()
    await page.getByTestId('campaign-list').getByRole('link', { name: '2026 秋季七年级心理测评' }).click()
    const coverage = page.getByTestId('campaign-coverage')
    await coverage.locator('tbody tr.ant-table-row').first().waitFor()
    t.match(await coverage.innerText(), '七年级(1)班')
    t.ok(await page.getByLabel('选择文件').isVisible(), 'a labelled file input for the import')
    await screenshot(page, 'psych-campaign')
  })

  await t.test('file import: row errors listed, then a good file imported with progress', async (t) => {
    const header = '学号,PHQ1,PHQ2,PHQ3,PHQ4,PHQ5,PHQ6,PHQ7,PHQ8,PHQ9'
    const bad = [header, `${classStudents[4]!.studentNo},1,1,1,1,1,1,1,1,0`, '99999999,0,0,0,0,0,0,0,0,0', `${classStudents[5]!.studentNo},7,0,0,0,0,0,0,0,0`].join('\n')
    await page.getByLabel('选择文件').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) })
    await page.getByTestId('import-box').getByRole('button', { name: /提\s*交/ }).click()
    const errors = page.getByTestId('import-errors')
    await errors.locator('tbody tr.ant-table-row').first().waitFor()
    const text = await errors.innerText()
    t.match(text, /\b3\b/, 'the unknown student’s row number')
    t.match(text, /\b4\b/, 'the out-of-range answer’s row number')
    await screenshot(page, 'psych-import-errors')

    const good = [header, ...classStudents.slice(4, 10).map((s, i) => `${s.studentNo},${[i % 4, 1, 2, 1, 0, 1, 2, 1, 0].join(',')}`)].join('\n')
    await page.getByLabel('选择文件').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) })
    await page.getByTestId('import-box').getByRole('button', { name: /提\s*交/ }).click()
    await page.getByTestId('import-done').waitFor()
    t.ok(await page.getByTestId('import-progress').locator('.ant-progress').isVisible(), 'a progress bar')
    const results = page.getByTestId('campaign-results')
    await results.locator('tbody tr.ant-table-row').first().waitFor()
    t.equal(await results.locator('tbody tr.ant-table-row').count(), 6, 'six results, scored by the server')
    await screenshot(page, 'psych-import-done')
  })

  await t.test('screening results: confirm a risk with a reason, add to the care list, open a case; confirm a selection as suggested', async (t) => {
    type Resp = { id: string; studentId: string; suggestedRisk: string; confirmedRisk: string | null; confirmReason: string | null }
    const results = page.getByTestId('campaign-results')
    const all = (await psych<{ items: Resp[] }>('GET', `/screening/campaigns/${campaign.body.id}/responses?limit=50`)).body.items
    const onCare = new Set((await psych<{ items: Array<{ studentId: string }> }>('GET', '/care-list?limit=500')).body.items.map((c) => c.studentId))
    const target = all.find((r) => r.suggestedRisk !== 'red' && !onCare.has(r.studentId))!
    const student = classStudents.find((s) => s.id === target.studentId)!
    const row = results.locator('tr').filter({ hasText: student.studentNo })

    await row.getByTestId('confirm-risk').click()
    let dialog = page.getByRole('dialog')
    await dialog.getByLabel('风险等级').click()
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: '高危' }).first().click()
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await t.resolves(dialog.getByText('风险等级与系统建议不同，请填写调整理由').waitFor(), 'a changed level asks for the reason, naming it')
    await dialog.getByLabel('调整理由').fill('面谈中自述近两周夜里常哭，需要优先跟进。')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.waitFor({ state: 'detached' })
    const confirmed = (await psych<Resp>('GET', `/screening/responses/${target.id}`)).body
    t.same([confirmed.confirmedRisk, confirmed.confirmReason], ['red', '面谈中自述近两周夜里常哭，需要优先跟进。'], 'confirmed on the server with the reason')

    await row.getByTestId('add-care').click()
    dialog = page.getByRole('dialog')
    await dialog.getByLabel('给班主任和结对教师的建议').fill('每天留意情绪，课间多关心。')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await Promise.race([dialog.waitFor({ state: 'detached' }), dialog.getByTestId('write-error').waitFor().then(async () => t.fail(await dialog.innerText()))])
    const care = (await psych<{ items: Array<{ studentId: string; riskLevel: string; guidance: string }> }>('GET', `/care-list?studentId=${student.id}`)).body.items
    t.same(care.map((c) => [c.riskLevel, c.guidance]), [['red', '每天留意情绪，课间多关心。']], 'on the care list at the confirmed risk')

    await row.getByTestId('open-case').click()
    dialog = page.getByRole('dialog')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await page.waitForURL(/\/cases\/[0-9a-f-]{36}$/)
    const caseId = page.url().split('/').pop()!
    const opened = (await psych<{ source: string; sourceRef: string; riskLevel: string; studentId: string }>('GET', `/cases/${caseId}`)).body
    t.same([opened.source, opened.sourceRef, opened.riskLevel, opened.studentId], ['screening', target.id, 'red', student.id], 'the case names the screening it came from')
    await page.goBack()

    const rest = all.filter((r) => r.id !== target.id).slice(0, 2)
    for (const r of rest) {
      const no = classStudents.find((s) => s.id === r.studentId)!.studentNo
      await results.locator('tr').filter({ hasText: no }).getByRole('checkbox').check()
    }
    await page.getByTestId('bulk-confirm').click()
    await page.getByText('已处理 2 名学生').waitFor()
    for (const r of rest) {
      const got = (await psych<Resp>('GET', `/screening/responses/${r.id}`)).body
      t.equal(got.confirmedRisk, r.suggestedRisk, 'confirmed as suggested in bulk')
    }
    await screenshot(page, 'psych-screening-confirmed')
    t.notMatch(await page.locator('main').innerText(), /moderately_severe|suggestedRisk|confirmedRisk|instrumentCode/, 'no code words on screen')
  })

  t.same(browser.cspViolations, [], 'no CSP violation')
  t.same(browser.pageErrors, [], 'no uncaught page error')
}
