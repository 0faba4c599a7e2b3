import t from '../helpers/tap.js'
import { browserAvailable, demoClassStudents, launchBrowser, loginAs, overflowsHorizontally, screenshot, startServer } from './harness.js'

/**
 * 心理委员 → 心理教师: a monitor's alert reaches the psychology teachers' inbox, is
 * acknowledged there, and the monitor sees only its status change (已收到 → 处理中).
 */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  const students = await demoClassStudents(server)
  const classmate = students[2]!

  const monitorPage = await browser.newPage({ width: 390, height: 844 })
  await loginAs(monitorPage, base, 'monitor.demo')

  await t.test('the phone-friendly alert form', async (t) => {
    await monitorPage.waitForURL(/\/monitor$/)
    await monitorPage.getByTestId('alert-form').waitFor()
    for (const label of ['同学', '你看到或听到了什么']) {
      t.ok(await monitorPage.getByLabel(label).first().isVisible(), `labelled field: ${label}`)
    }
    for (const u of ['不急', '比较急', '很急']) t.ok(await monitorPage.getByRole('radio', { name: u }).count(), `urgency choice: ${u}`)
    t.notOk(await overflowsHorizontally(monitorPage), 'no sideways scrolling at 390 px')
    await screenshot(monitorPage, 'monitor-alert-form')
  })

  await t.test('the monitor submits an alert about a classmate', async (t) => {
    const form = monitorPage.getByTestId('alert-form')
    await form.getByLabel('同学').fill(classmate.name)
    await form.getByLabel('你看到或听到了什么').fill('最近总是一个人坐着，说不想活了。')
    await form.getByText('很急', { exact: true }).click()
    await form.getByRole('button', { name: /提\s*交/ }).click()
    await monitorPage.getByTestId('alert-sent').waitFor()
    t.equal(await form.getByLabel('同学').inputValue(), '', 'the form is cleared for the next report')
    await monitorPage.reload()
    // Newest first: the monitor's latest submission heads the list.
    const latest = monitorPage.getByTestId('my-alerts').locator('li').first()
    await latest.getByText('已收到').waitFor()
    t.notMatch(await monitorPage.locator('body').innerText(), classmate.name, 'the monitor’s screen shows no student record')
    await screenshot(monitorPage, 'monitor-my-submissions')
  })

  await t.test('the psychology teacher sees it in the inbox and acknowledges it', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'psych.demo')
    const inbox = page.getByTestId('alert-inbox')
    const row = inbox.locator('tbody tr.ant-table-row').filter({ hasText: '说不想活了' })
    await row.waitFor()
    await t.resolves(row.getByText(classmate.name).waitFor(), 'the student is named for the psychology teacher')
    t.match(await row.innerText(), '很急', 'urgency in words')
    t.match(await row.innerText(), /剩余|已超时/, 'the deadline in words, not only colour')
    await screenshot(page, 'psych-alert-inbox')
    await row.getByRole('button', { name: /确认接收/ }).click()
    await page.getByText('已确认').first().waitFor()
    await row.waitFor({ state: 'detached' })
    t.pass('the alert left the unacknowledged inbox')
    await page.close()
  })

  await t.test('the monitor sees the new status only', async (t) => {
    await monitorPage.reload()
    await monitorPage.getByTestId('my-alerts').locator('li').first().getByText('处理中').waitFor()
    const text = await monitorPage.locator('body').innerText()
    t.notMatch(text, /高危|较高|个案|case/i, 'no case, risk level or outcome')
    await screenshot(monitorPage, 'monitor-status-in-progress')
  })

  t.same(browser.cspViolations, [], 'no CSP violation')
  t.same(browser.pageErrors, [], 'no uncaught page error')
}
