import t from '../helpers/tap.js'
import ExcelJS from 'exceljs'
import { apiAs, browserAvailable, demoClassStudents, launchBrowser, loginAs, screenshot, startServer, switchToEnglish } from './harness.js'
import { codeWordsIn, isoDaysIn } from './text-scan.js'

/**
 * 合规审计 in the browser: the school admin opens it from the menu, sees the five sections with
 * the year's counts in words (a psychology teacher's reads, a homeroom teacher's refused
 * attempt), downloads the .xlsx (it parses, the counts sheet has rows), opens the A4 page, and
 * reads the same screen in English. No pupil's name appears anywhere.
 */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  const year = new Date().getFullYear()
  const pupils = await demoClassStudents(server)
  const psych = await apiAs(server, 'psych.demo')
  const homeroom = await apiAs(server, 'homeroom.demo')

  t.test('the school admin reads the report, exports it and prints it', async (t) => {
    t.equal((await psych('GET', `/students/${pupils[0]!.id}`)).status, 200, 'a psychology teacher reads a pupil')
    t.equal((await homeroom('GET', `/compliance/report?year=${year}`)).status, 403, 'a homeroom teacher may not open the report')
    const page = await browser.newPage()
    await loginAs(page, base, 'admin.demo')
    await page.getByRole('menuitem', { name: '合规审计' }).click()
    await page.waitForURL(/\/compliance$/)
    await t.resolves(page.getByTestId('compliance-s5').getByRole('alert').waitFor(), 'the chain check is shown')
    for (const s of ['一、数据清单', '二、访问权限', '三、访问统计', '四、双因素认证覆盖', '五、审计链校验']) {
      t.equal(await page.getByText(s, { exact: true }).count(), 1, `section ${s}`)
    }
    t.match(await page.getByTestId('compliance-s5').innerText(), '审计链完整')
    t.match(await page.getByTestId('inventory').innerText(), '学生档案', 'the data in words')
    t.match(await page.getByTestId('rights').innerText(), /班主任（本班学生）/, 'who reads what, and where')
    t.match(await page.getByTestId('by-purpose').innerText(), /心理教师/, 'the psychology teacher\'s reads are counted')
    t.match(await page.getByTestId('denied').innerText(), /班主任/, 'the refused attempt is counted')
    const text = await page.evaluate<string>('document.body.innerText')
    t.same(codeWordsIn(text, 'zh-CN'), [], 'no code words')
    t.same(isoDaysIn(text), [], 'dates in the screens\' format')
    t.same(pupils.filter((p) => text.includes(p.name) || text.includes(p.studentNo)).map((p) => p.studentNo), [], 'no pupil named')

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-xlsx').click()])
    t.match(download.suggestedFilename(), /合规审计报告\.xlsx$/)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile((await download.path())!)
    const counts = wb.worksheets.find((ws) => ws.name.startsWith('按角色'))
    t.ok(counts, 'the workbook has the counts sheet')
    t.ok(counts!.rowCount > 2, `the counts sheet has rows under its header (${counts!.rowCount})`)

    const [popup] = await Promise.all([page.context().waitForEvent('page'), page.getByTestId('print').click()])
    await popup.waitForURL(/^blob:/)
    await t.resolves(popup.getByRole('heading', { name: '五、审计链校验' }).waitFor(), 'the A4 page has the five sections')
    t.match(await popup.locator('h1').innerText(), /未成年人个人信息保护合规审计/)
    await screenshot(popup, 'compliance-print')
    await popup.close()

    await screenshot(page, 'compliance-admin')
    await switchToEnglish(page)
    await page.getByText('1. Data inventory').first().waitFor()
    const en = await page.evaluate<string>('document.body.innerText')
    t.match(en, "Compliance audit of minors' personal information")
    t.same(codeWordsIn(en, 'en'), [], 'no code words in English either')
    t.same(browser.cspViolations, [], 'no content-security-policy violation')
    t.same(browser.pageErrors, [])
    await page.close()
  })
}
