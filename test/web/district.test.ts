import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { browserAvailable, launchBrowser, loginAs, screenshot, startServer, switchToEnglish } from './harness.js'

/** 区教育局: the aggregate tables with a chart, withheld cells shown as such, the Excel export, and no person anywhere. */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  const GRADES = new Set(['四年级', '五年级', '六年级', '七年级', '八年级', '九年级', '高一', '高二', '高三'])
  const names = (await queryRows<{ name: string }>(server.database.db, sql`select name from students union select name from guardians`))
    .map((r) => r.name).filter((n) => !GRADES.has(n))
  const page = await browser.newPage()
  await loginAs(page, base, 'district.demo')

  await t.test('the dashboard: chart, tables, withheld cells', async (t) => {
    await page.waitForURL(/\/district$/)
    const chart = page.getByTestId('risk-chart')
    await chart.locator('canvas').first().waitFor()
    t.ok(await chart.locator('canvas').first().isVisible(), 'the risk chart is drawn')
    const table = page.getByTestId('risk-table')
    await table.locator('tbody tr.ant-table-row').first().waitFor()
    const withheld = page.locator('[data-suppressed="true"]')
    await withheld.first().waitFor()
    t.ok(await withheld.count() > 0, 'withheld cells are shown')
    t.equal((await withheld.first().innerText()).trim(), '已隐去', 'as “已隐去”, not as a number or a bound')
    t.notMatch(await page.getByTestId('risk-table').innerText(), '<11', 'no “<11” anywhere in the table')
    t.match(await page.getByTestId('chart-withheld').innerText(), /已隐去/, 'the chart says which cells it does not draw')
    t.match(await page.getByTestId('suppressed-legend').innerText(), /已隐去.*1–10/, 'a legend explains the mark')
    await withheld.first().hover()
    await page.getByRole('tooltip').filter({ hasText: '为保护学生隐私' }).waitFor()
    t.pass('hovering a withheld cell explains it')
    t.match(await page.getByTestId('district-release').innerText(), /数据发布于 \d{4}年\d{1,2}月\d{1,2}日/, 'the release date, in Chinese')
    t.ok(await page.getByTestId('district-release-now').isVisible(), 'a button for an on-demand release')
    await screenshot(page, 'district-dashboard')
    const titles = ['当前风险分布', '测评风险分布', '测评覆盖率', '三个必谈', '家校协同活动', '转介回执', '危机事件按时确认']
    const names = ['risk-current', 'risk-by-year', 'screening-coverage', 'talk-compliance', 'home-school-activities', 'referrals', 'crisis-response']
    for (const [i, name] of names.entries()) {
      await page.getByRole('tab', { name: new RegExp(titles[i]!) }).click()
      await page.getByTestId(`district-${name}`).locator('tbody tr.ant-table-row').first().waitFor()
    }
    t.pass('each of the seven tables is shown in its tab')
    await page.getByTestId('district-staffing').scrollIntoViewIfNeeded()
    const staffing = page.getByTestId('staffing-table')
    await staffing.locator('tbody tr.ant-table-row').first().waitFor()
    const demoRow = await staffing.locator('tbody tr.ant-table-row').first().innerText()
    t.match(demoRow, /心安示范学校/, 'the staffing table lists the demo school')
    t.match(demoRow, /达标/, 'with the staffing rule in words')
    t.notMatch(await page.getByTestId('district-staffing').innerText(), /外聘|咨询师（示范）|国家二级/, 'counts only: no staff name or qualification')
    await screenshot(page, 'district-staffing')
  })

  await t.test('no student or guardian name anywhere in the page', async (t) => {
    const text = await page.locator('body').innerText()
    const html = await page.content()
    const leaked = names.filter((n) => text.includes(n) || html.includes(n))
    t.same(leaked, [], `none of ${names.length} names appears`)
  })

  await t.test('export to Excel', async (t) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('district-export').click()])
    t.match(download.suggestedFilename(), /\.xlsx$/)
    const path = await download.path()
    t.ok(path, 'the file was downloaded')
  })

  await t.test('English', async (t) => {
    await switchToEnglish(page)
    await page.getByRole('heading', { name: 'District figures' }).waitFor()
    t.equal((await page.locator('[data-suppressed="true"]').first().innerText()).trim(), 'withheld')
    await screenshot(page, 'district-dashboard-en')
  })

  t.same(browser.cspViolations, [], 'no CSP violation')
  t.same(browser.pageErrors, [], 'no uncaught page error')
}
