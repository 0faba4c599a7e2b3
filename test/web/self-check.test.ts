import t from '../helpers/tap.js'
import { apiAs, browserAvailable, launchBrowser, loginAs, screenshot, startServer } from './harness.js'
import { codeWordsIn, isoDaysIn } from './text-scan.js'

/**
 * 学校自查 in the browser: the school admin opens it from the menu, sees the checklist's 13 rows
 * with their status, writes the school's parts and saves them (checked through the API), and
 * downloads the .xlsx; the psychology teacher reads it without a save button.
 */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  const admin = await apiAs(server, 'admin.demo')

  t.test('the school admin fills in the self-check and exports it', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'admin.demo')
    await page.getByRole('menuitem', { name: '学校自查' }).click()
    await page.waitForURL(/\/self-check$/)
    const table = page.getByTestId('self-check-table')
    await t.resolves(table.getByTestId('item-13').waitFor(), 'the last row is shown')
    t.equal(await table.locator('tbody tr.ant-table-row').count(), 13, 'one row per checklist item')
    t.match(await page.getByTestId('item-12').innerText(), '不在本系统范围')
    const text = await page.evaluate<string>('document.body.innerText')
    t.same(codeWordsIn(text, 'zh-CN'), [], 'no code words')
    t.same(isoDaysIn(text), [], 'dates in the screens\' format')

    const highlights = `心理健康日活动覆盖全校 ${Date.now()}`
    await page.getByLabel('亮点').fill(highlights)
    await page.getByLabel('责任督学').fill('王督学')
    await page.getByLabel('备注：组织保障').fill('领导小组名单见附件')
    await page.getByTestId('save-self-check').click()
    await page.getByText('已保存').first().waitFor()
    const termId = new URL(page.url()).searchParams.get('termId')
    const terms = await admin<{ items: Array<{ id: string; startDate: string; endDate: string }> }>('GET', '/calendar/terms?limit=200')
    const today = new Date().toISOString().slice(0, 10)
    const current = termId ?? [...terms.body.items].sort((a, b) => b.startDate.localeCompare(a.startDate))
      .find((x) => x.startDate <= today && x.endDate >= today)?.id ?? [...terms.body.items].sort((a, b) => b.startDate.localeCompare(a.startDate))[0]!.id
    const saved = await admin<{ record: { highlights: string; inspector: string }; items: Array<{ code: string; remark: string }> }>('GET', `/self-check?termId=${current}`)
    t.equal(saved.body.record.highlights, highlights, 'saved through the API')
    t.equal(saved.body.record.inspector, '王督学')
    t.equal(saved.body.items.find((i) => i.code === '1')!.remark, '领导小组名单见附件')

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-xlsx').click()])
    t.match(download.suggestedFilename(), /督导自查表\.xlsx$/)
    // 打印: the print page opens in a new window, the checklist's 13 rows on A4 landscape.
    const [popup] = await Promise.all([page.context().waitForEvent('page'), page.getByTestId('print').click()])
    await popup.waitForURL(/^blob:/)
    await t.resolves(popup.locator('tr[data-item="13"]').waitFor(), 'the print page shows the last row')
    t.equal(await popup.locator('tr[data-item]').count(), 13)
    t.match(await popup.locator('body').innerText(), highlights, 'with the school\'s highlights')
    await screenshot(popup, 'self-check-print')
    await popup.close()
    t.same(browser.cspViolations, [], 'no content-security-policy violation')
    await screenshot(page, 'self-check-admin')
    t.same(browser.pageErrors, [])
    await page.close()
  })

  t.test('the psychology teacher reads it without writing', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'psych.demo')
    await page.getByRole('menuitem', { name: '学校自查' }).click()
    await t.resolves(page.getByTestId('item-1').waitFor())
    t.equal(await page.getByTestId('save-self-check').count(), 0, 'no save button')
    t.match(await page.getByRole('alert').first().innerText(), '由学校管理员填写')
    await page.close()
  })
}
