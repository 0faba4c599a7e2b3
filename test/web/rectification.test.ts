import t from '../helpers/tap.js'
import { stat } from 'node:fs/promises'
import type { Locator, Page } from 'playwright-core'
import { addDays, schoolDay } from '../../src/lib/school-day.js'
import { apiAs, browserAvailable, launchBrowser, loginAs, openedDialog, screenshot, startServer } from './harness.js'

/**
 * 督导整改 in the browser: the admin exports the 学校自查 workbook, records an inspection with
 * two problems due in 2 and 4 days, the server's clock moves a week on, the problems show in red
 * as 已逾期 N 天, and a 回头看 closes one.
 */
if (browserAvailable(t)) {
  // The server judges deadlines by this clock; the test moves it forward.
  const DAY_MS = 86_400_000
  let daysAhead = 0
  const server = await startServer(t, { clock: () => new Date(Date.now() + daysAhead * DAY_MS) })
  const browser = await launchBrowser(t)
  const base = server.url
  const page = await browser.newPage()
  const admin = await apiAs(server, 'admin.demo')
  const today = schoolDay(new Date(), 'Asia/Shanghai')
  const tag = String(Date.now()).slice(-6)
  const problems = [
    { item: '课程开设', text: `七年级心理健康教育课不足${tag}`, name: '教务处王主任', deadline: addDays(today, 2) },
    { item: '危机干预', text: `应急预案未演练${tag}`, name: '德育处李主任', deadline: addDays(today, 4) },
  ]

  async function choose(field: Locator, option: string) {
    const box = field.locator('xpath=ancestor::*[contains(concat(" ", normalize-space(@class), " "), " ant-select ")][1]')
    for (let attempt = 0; attempt < 3; attempt++) {
      await field.click()
      await field.fill(option)
      await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: option }).first()
        .click({ timeout: 5_000 }).catch(() => undefined)
      if ((await box.innerText()).includes(option)) return
    }
    throw new Error(`could not choose ${option}`)
  }
  async function date(dialog: Locator, id: string, day: string) {
    const input = dialog.locator(`#${id}`)
    await input.click()
    await input.fill(day)
    await dialog.locator('.ant-modal-title').click()
  }
  const row = (p: Page, text: string) => p.getByTestId('rect-items').locator('tr.ant-table-row').filter({ hasText: text })

  await t.test('self-check export, an inspection with two problems whose deadlines pass, a 回头看 closes one', async (t) => {
    await loginAs(page, base, 'admin.demo')
    await page.goto(`${base}/self-check`)
    const exportButton = page.getByTestId('export-xlsx')
    await exportButton.waitFor()
    const [download] = await Promise.all([page.waitForEvent('download'), exportButton.click()])
    t.match(download.suggestedFilename(), /\.xlsx$/, 'the self-check workbook is downloaded')
    t.ok((await stat((await download.path())!)).size > 0, 'and it is not empty')

    await page.getByRole('menuitem', { name: '督导整改' }).click()
    await page.waitForURL(/\/rectification$/)
    await page.getByTestId('new-visit').click()
    const dialog = await openedDialog(page, '登记督导检查')
    await date(dialog, 'visit-date', today)
    await dialog.locator('#visit-inspector').fill('王督学')
    await dialog.locator('#visit-role').fill('区责任督学')
    await dialog.getByTestId('add-problem').click()
    for (const [i, p] of problems.entries()) {
      await choose(dialog.locator(`#problem-${i}-item`), p.item)
      await dialog.locator(`#problem-${i}-text`).fill(p.text)
      await dialog.locator(`#problem-${i}-name`).fill(p.name)
      await date(dialog, `problem-${i}-deadline`, p.deadline)
    }
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.waitFor({ state: 'hidden' })

    for (const p of problems) {
      await row(page, p.text).waitFor()
      t.equal(await row(page, p.text).getByTestId('overdue-tag').count(), 0, 'not in red before its deadline')
    }

    // A week later by the server's clock: both deadlines have passed.
    daysAhead = 7
    await page.reload()
    for (const [i, p] of problems.entries()) {
      const r = row(page, p.text)
      await r.waitFor()
      const days = i === 0 ? 5 : 3
      t.match(await r.getByTestId('overdue-tag').innerText(), `已逾期 ${days} 天`, `problem ${i + 1} shows 已逾期 ${days} 天`)
      t.match(await r.innerText(), p.item, 'the checklist item by its name')
    }
    const stored = (await admin<{ items: Array<{ problem: string; deadline: string; status: string }> }>('GET', '/rectification-items?limit=500')).body.items
      .filter((i) => i.problem.endsWith(tag))
    t.same(stored.map((i) => i.deadline).sort(), problems.map((p) => p.deadline).sort(), 'both problems stored with their deadlines')
    t.notMatch(await page.locator('body').innerText(), /overdue/i, 'no code word on screen')
    await screenshot(page, 'rectification-overdue')

    // 回头看: the first problem is found rectified and closes; the second stays in red.
    await row(page, problems[0]!.text).getByTestId('open-item').click()
    const drawer = page.getByTestId('item-drawer')
    await drawer.locator('#note-body').fill('已按课表补齐七年级课时')
    await drawer.getByTestId('add-note').click()
    await drawer.getByTestId('notes').getByText('已按课表补齐七年级课时').waitFor()
    await drawer.getByTestId('add-check').click()
    await drawer.getByTestId('checks').getByText('已整改').waitFor()
    await screenshot(page, 'rectification-check')
    await page.keyboard.press('Escape')
    await row(page, problems[0]!.text).getByText('已整改').first().waitFor()
    t.equal(await row(page, problems[0]!.text).getByTestId('overdue-tag').count(), 0, 'the closed problem is no longer in red')
    t.match(await row(page, problems[1]!.text).getByTestId('overdue-tag').innerText(), '已逾期 3 天', 'the other stays open and in red')
    t.same(browser.pageErrors, [], 'no script errors')
  })
}
