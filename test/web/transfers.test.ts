import t from '../helpers/tap.js'
import { eq, sql } from 'drizzle-orm'
import { students } from '../../db/schema/index.js'
import { queryRows } from '../../src/db/database.js'
import { createSchool, createUser, TEST_PASSWORD } from '../helpers/app.js'
import { browserAvailable, demoClassStudents, launchBrowser, loginAs, openedDialog, screenshot, startServer } from './harness.js'

/**
 * 转学 in the browser: the demo school's psychology teacher prepares a transfer package on the
 * pupil's page (parts, summary, the guardian's consent) and sends it to another XinAn school of
 * the district; that school's psychology teacher sees only 学籍号, school and parts, opens the
 * package and accepts it, and then reads it; the sending school's list shows 已接收 and no
 * longer opens it. The second school is made here (the shared demo has one school).
 */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  const { db } = server.database
  const nationalId = `G11010120130501${String(Date.now()).slice(-4)}`
  const summary = '近期情绪平稳，每周一次个体辅导，建议转入后继续跟进'

  const [demo] = await queryRows<{ id: string; district_id: string }>(db, sql`select id, district_id from schools where code = 'DEMO-001'`)
  const other = await createSchool(server.database, demo!.district_id)
  const otherName = (await queryRows<{ name: string }>(db, sql`select name from schools where id = ${other.schoolId}::uuid`))[0]!.name
  const psychB = await createUser(server.database, other, [{ role: 'psych_teacher' }])
  const pupil = (await demoClassStudents(server))[0]!
  await db.update(students).set({ nationalId }).where(eq(students.id, pupil.id))

  await t.test('the sending psychology teacher prepares and sends a package from the pupil\'s page', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'psych.demo')
    await page.goto(`${base}/students/${pupil.id}`)
    await page.getByTestId('transfer-start').click()
    const dialog = await openedDialog(page)
    await dialog.getByTestId('transfer-school').click()
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: otherName }).click()
    for (const part of ['当前风险', '安全计划', '未结束的转介', '情况摘要']) t.equal(await dialog.getByTestId('transfer-parts').getByText(part).count(), 1, `the part ${part} in words`)
    await dialog.getByTestId('transfer-summary').fill(summary)
    await dialog.getByTestId('transfer-consent-guardian').fill('母亲 王女士')
    const date = dialog.locator('#transfer-consent-date')
    await date.click()
    await date.fill('2026-11-02')
    await dialog.locator('.ant-modal-title').click()
    await screenshot(page, 'transfer-prepare')
    await dialog.getByRole('button', { name: '保存并发送' }).click()
    await dialog.waitFor({ state: 'hidden' })

    await page.goto(`${base}/transfers`)
    const row = page.getByTestId('sent-transfers').locator('tr.ant-table-row').filter({ hasText: nationalId })
    await row.waitFor()
    t.match(await row.innerText(), /已发送/, 'the state in Chinese')
    t.match(await row.innerText(), new RegExp(otherName))
    t.notMatch(await page.locator('main').innerText(), /\bsent\b|open_risk|safety_plan/, 'no code words on the screen')
    await screenshot(page, 'transfer-sent-list')
    await page.close()
  })

  await t.test('the receiving psychology teacher sees only that it exists, opens it and accepts it', async (t) => {
    // The pupil arrives on the receiving school's roster with the same 学籍号.
    await db.insert(students).values({ schoolId: other.schoolId, classId: other.classIds[0], studentNo: 'IN001', name: pupil.name, gender: 'F', nationalId })
    const page = await browser.newPage()
    await page.goto(`${base}/login`)
    await page.getByLabel('用户名').fill(psychB.username)
    await page.getByLabel('密码').fill(TEST_PASSWORD)
    await page.getByRole('button', { name: /登\s*录/ }).click()
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    await page.goto(`${base}/transfers?tab=received`)
    const row = page.getByTestId('received-transfers').locator('tr.ant-table-row').filter({ hasText: nationalId })
    await row.waitFor()
    t.match(await row.innerText(), /已发送/)
    t.notMatch(await page.locator('main').innerText(), new RegExp(`${pupil.name}|${summary}|王女士`), 'no name, content or consent before acceptance')
    await row.getByTestId('received-open').click()
    const dialog = page.getByTestId('received-dialog')
    await dialog.getByTestId('received-status').filter({ hasText: '对方已查看' }).waitFor()
    t.notMatch(await dialog.innerText(), new RegExp(`${summary}|王女士`), 'opening shows no content yet')
    await dialog.getByTestId('transfer-accept').click()
    await dialog.getByTestId('transfer-content').waitFor()
    t.match(await dialog.innerText(), new RegExp(summary), 'the content once accepted')
    t.match(await dialog.getByTestId('received-status').innerText(), /已接收/)
    t.equal(await dialog.getByTestId('transfer-open-case').count(), 1, 'it offers to open a case')
    await screenshot(page, 'transfer-accepted')
    await page.close()
  })

  await t.test('the sending school sees it was accepted and can no longer open it', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'psych.demo')
    await page.goto(`${base}/transfers`)
    const row = page.getByTestId('sent-transfers').locator('tr.ant-table-row').filter({ hasText: nationalId })
    await row.waitFor()
    t.match(await row.innerText(), /已接收/)
    t.equal(await row.getByRole('button').count(), 0, 'nothing to open')
    t.notMatch(await page.locator('main').innerText(), new RegExp(summary))
    await page.close()
  })

  t.same(browser.pageErrors, [], 'no script errors')
  t.same(browser.cspViolations, [], 'no Content-Security-Policy violations')
}
