import t from '../helpers/tap.js'
import { readFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { apiAs, browserAvailable, launchBrowser, loginAs, openedDialog, screenshot, startServer } from './harness.js'

/** 督导资料: the school admin records the leadership group, a meeting and the year's 工作方案 with its file. */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url

  await t.test('the admin adds a member and a meeting, uploads the 工作方案 and downloads it back; a homeroom teacher records their own training', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'admin.demo')
    await page.getByRole('navigation', { name: '主菜单' }).getByText('督导资料').click()
    await page.waitForURL(/\/inspection-records$/)
    await page.getByRole('heading', { name: '督导资料' }).waitFor()

    const member = `测试组长${randomBytes(2).toString('hex')}`
    await page.getByTestId('add-member').click()
    let dialog = await openedDialog(page, '添加成员')
    await dialog.getByLabel('姓名', { exact: true }).fill(member)
    await dialog.getByLabel('职务', { exact: true }).fill('校长')
    await dialog.getByText('组长', { exact: true }).click()
    const since = dialog.getByLabel('加入日期')
    await since.click()
    await since.fill('2026-09-01')
    // Enter in the last field submits the form.
    await since.press('Enter')
    const row = page.getByTestId('members').getByRole('row', { name: new RegExp(member) })
    await row.waitFor()
    t.match(await row.innerText(), /组长[\s\S]*校长[\s\S]*2026年9月1日[\s\S]*在任/, 'listed with the role in words, the post and the date')

    const topic = `部署心理健康工作${randomBytes(2).toString('hex')}`
    await page.getByTestId('add-meeting').click()
    dialog = await openedDialog(page, '登记会议')
    await dialog.getByLabel('会议议题').fill(topic)
    await dialog.getByLabel('出席人数').fill('7')
    const date = dialog.getByLabel('会议日期')
    await date.click()
    await date.fill('2026-09-10')
    await date.press('Enter')
    await page.getByTestId('meetings').getByRole('row', { name: new RegExp(topic) }).waitFor()

    await page.getByRole('tab', { name: '工作方案与经费' }).click()
    const bytes = randomBytes(20_000)
    const fileName = `心理健康教育工作方案${randomBytes(2).toString('hex')}.pdf`
    await page.getByTestId('edit-plan').click()
    dialog = await openedDialog(page, '填写学年工作方案与经费')
    await dialog.getByLabel('学年').fill('2026-2027')
    await dialog.getByLabel('名称').fill('2026-2027学年心理健康教育工作方案')
    await dialog.getByTestId('plan-file').setInputFiles({ name: fileName, mimeType: 'application/pdf', buffer: bytes })
    await dialog.getByTestId('plan-file-name').getByText(fileName).waitFor()
    await dialog.getByLabel('专项经费（元）').fill('20000')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    const plans = page.getByTestId('plans')
    const link = plans.getByRole('button', { name: fileName })
    await link.waitFor()
    t.match(await plans.getByRole('row', { name: /2026-2027/ }).innerText(), /20,000\.00/, 'the budget in yuan')
    await screenshot(page, 'inspection-records-plan')

    const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
    t.equal(download.suggestedFilename(), fileName, 'downloaded under its Chinese name')
    t.ok(readFileSync((await download.path())!).equals(bytes), 'the bytes are those uploaded')

    const admin = await apiAs(server, 'admin.demo')
    const saved = await admin<{ items: Array<{ schoolYear: string; budgetYuan: number; title: string }> }>('GET', '/inspection/yearly-plans')
    t.match(saved.body.items.find((p) => p.schoolYear === '2026-2027'), { budgetYuan: 20000, title: '2026-2027学年心理健康教育工作方案' }, 'saved on the server')
    await page.close()

    // A homeroom teacher records their own training, and sees only their own.
    const mine = await browser.newPage()
    await loginAs(mine, base, 'homeroom.demo')
    await mine.getByRole('navigation', { name: '主菜单' }).getByText('我的培训').click()
    await mine.getByRole('heading', { name: '我的培训记录' }).waitFor()
    t.equal(await mine.getByText('从 Excel 导入').count(), 0, 'no import for a homeroom teacher')
    const course = `班主任心理辅导能力提升${randomBytes(2).toString('hex')}`
    await mine.getByTestId('add-training').click()
    dialog = await openedDialog(mine, '登记我的培训')
    await dialog.getByLabel('培训名称').fill(course)
    await dialog.getByLabel('学时').fill('6')
    const done = dialog.getByLabel('完成日期')
    await done.click()
    await done.fill('2026-10-20')
    await done.press('Enter')
    await mine.getByTestId('trainings').getByRole('row', { name: new RegExp(course) }).waitFor()
    const homeroom = await apiAs(server, 'homeroom.demo')
    const listed = await homeroom<{ items: Array<{ course: string; userId: string }> }>('GET', '/inspection/trainings?limit=500')
    const me = await homeroom<{ id: string }>('GET', '/auth/me')
    t.ok(listed.body.items.some((i) => i.course === course), 'saved')
    t.same([...new Set(listed.body.items.map((i) => i.userId))], [me.body.id], 'every training listed is their own')
    t.same(browser.pageErrors, [], 'no script errors')
    await mine.close()
  })

  await t.test('the admin downloads the training template and imports it back as Excel: the example row is listed', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'admin.demo')
    await page.getByRole('navigation', { name: '主菜单' }).getByText('督导资料').click()
    await page.getByRole('heading', { name: '督导资料' }).waitFor()
    await page.getByRole('tab', { name: '教师培训' }).click()
    const [template] = await Promise.all([page.waitForEvent('download'), page.getByTestId('training-template').click()])
    t.equal(template.suggestedFilename(), '教师培训导入模板.xlsx')
    const bytes = readFileSync((await template.path())!)
    // Written by exceljs: the worksheets come before the shared strings and the workbook, the
    // order in which the reader used to park them in temporary files.
    await page.getByTestId('training-import-file').setInputFiles({ name: '教师培训.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: bytes })
    await page.getByText('导入完成：新增 1 条', { exact: true }).waitFor()
    await page.getByTestId('trainings').getByRole('row', { name: /中小学心理危机识别与干预/ }).first().waitFor()
    await screenshot(page, 'inspection-records-training-import')
    // The same file again: nothing new, and the message says why.
    await page.getByTestId('training-import-file').setInputFiles({ name: '教师培训.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: bytes })
    await page.getByText('导入完成：新增 0 条；另有 1 条已有记录，未重复导入').waitFor()
    t.same(browser.pageErrors, [], 'no script errors')
    await page.close()
  })
}
