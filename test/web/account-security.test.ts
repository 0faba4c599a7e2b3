import t from '../helpers/tap.js'
import type { Page } from 'playwright-core'
import { browserAvailable, DEMO_PASSWORD, launchBrowser, loginAs, overflowsHorizontally, screenshot, startServer, switchToEnglish } from './harness.js'

/** A dialog's opening animation ends before the picture is taken. */
const settled = (page: Page) => page.waitForTimeout(400)

/**
 * Account security in the browser: the school admin resets a demo teacher's password, the
 * teacher signs in with the one-time password, is made to set their own first, then sees
 * where they are signed in and ends another sign-in.
 */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  const signIn = (username: string, password: string) => fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
  })
  const me = (token: string) => fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } })

  await t.test('reset, forced change, my sessions', async (t) => {
    // The mentor is signed in somewhere already: the reset must end that too.
    const before = await signIn('mentor.demo', DEMO_PASSWORD)
    t.equal(before.status, 200, 'fixture: the mentor is signed in elsewhere')
    const beforeToken = ((await before.json()) as { accessToken: string }).accessToken

    // 1. The admin resets the mentor's password from 账号与角色.
    const admin = await browser.newPage()
    await loginAs(admin, base, 'admin.demo')
    await admin.getByRole('navigation', { name: '主菜单' }).getByText('账号与角色').click()
    await admin.waitForURL(/\/accounts$/)
    await admin.getByTestId('account-search').locator('input').fill('mentor.demo')
    await admin.getByTestId('account-search').locator('input').press('Enter')
    const row = admin.getByTestId('accounts').locator('tbody tr.ant-table-row').filter({ hasText: 'mentor.demo' })
    await row.waitFor()
    const self = admin.getByTestId('accounts').locator('tbody tr.ant-table-row').filter({ hasText: 'admin.demo' })
    t.equal(await self.getByRole('button', { name: /重置密码/ }).count(), 0, 'no reset button on the admin’s own row')
    await row.getByRole('button', { name: /重置密码/ }).click()
    await admin.locator('.ant-popconfirm').getByText(/生成一次性密码/).waitFor()
    await screenshot(admin, 'account-reset-confirm')
    await admin.locator('.ant-popconfirm').getByRole('button', { name: /重置密码/ }).click()
    const shown = admin.getByTestId('reset-password')
    await shown.waitFor()
    const otp = /一次性密码：([A-Za-z2-9]{16})/.exec(await shown.innerText())?.[1]
    t.ok(otp, 'the one-time password is shown once')
    await settled(admin)
    await screenshot(admin, 'account-reset-done')
    await admin.getByRole('button', { name: /知道了|OK|确\s*定/ }).click()
    await t.resolves(row.getByText('待本人改密').waitFor(), 'the row says the owner has yet to set their own password')
    t.notMatch(await admin.locator('main').innerText(), /mustChangePassword|password_reset|true\b/, 'no code words on screen')

    t.equal((await me(beforeToken)).status, 401, 'the mentor’s other sign-in ended with the reset')
    t.equal((await signIn('mentor.demo', DEMO_PASSWORD)).status, 401, 'the old password no longer works')

    // 2. The mentor signs in with it and must set a new password before anything else.
    const page = await browser.newPage()
    await page.goto(`${base}/login`)
    await page.getByLabel('用户名').fill('mentor.demo')
    await page.getByLabel('密码').fill(otp!)
    await page.getByRole('button', { name: /登\s*录/ }).click()
    await page.waitForURL(/\/change-password/)
    const forced = page.getByTestId('forced-password')
    await forced.getByText('请先设置您自己的密码').waitFor()
    t.equal(await page.getByRole('navigation', { name: '主菜单' }).count(), 0, 'no menu: nothing else is open yet')
    await screenshot(page, 'account-forced-change')
    await switchToEnglish(page)
    await forced.getByText('Set your own password first').waitFor()
    await screenshot(page, 'account-forced-change-en')
    await page.getByTestId('lang-switch').getByText('中文').click()
    await page.goto(`${base}/mentor`)
    await t.resolves(page.waitForURL(/\/change-password/), 'another address leads back to the change')

    await forced.getByLabel('一次性密码').fill(otp!)
    await forced.getByLabel('新密码', { exact: true }).fill(otp!)
    await forced.getByLabel('再次输入新密码').fill(otp!)
    await forced.getByRole('button', { name: /设置新密码/ }).click()
    const refusal = forced.getByTestId('write-error')
    await refusal.waitFor()
    t.match(await refusal.innerText(), /新密码不能与当前密码相同/, 'keeping the one-time password is refused in words')
    t.notMatch(await refusal.innerText(), /password_unchanged/)

    const mine = 'Mentor-own-2026'
    await forced.getByLabel('新密码', { exact: true }).fill(mine)
    await forced.getByLabel('再次输入新密码').fill(mine)
    await forced.getByRole('button', { name: /设置新密码/ }).click()
    await page.waitForURL(/\/mentor/)
    await t.resolves(page.getByTestId('current-user').waitFor(), 'the mentor’s own screen opens after the change')
    t.equal((await signIn('mentor.demo', otp!)).status, 401, 'the one-time password is spent')

    // 3. Signed in on another device too; the mentor ends that sign-in from 登录设备.
    const other = await signIn('mentor.demo', mine)
    t.equal(other.status, 200)
    const otherToken = ((await other.json()) as { accessToken: string }).accessToken
    t.equal((await me(otherToken)).status, 200, 'the other device works before')
    await page.getByTestId('my-sessions').click()
    const dialog = page.getByTestId('sessions-dialog')
    const rows = dialog.getByTestId('session-list').locator('tbody tr.ant-table-row')
    await rows.nth(1).waitFor()
    t.equal(await rows.count(), 2, 'this tab and the other device')
    t.equal(await rows.filter({ hasText: '当前设备' }).count(), 1)
    t.notMatch(await dialog.innerText(), /\b(current|createdAt|lastActiveAt|true|false)\b/, 'no code words in the dialog')
    await settled(page)
    await screenshot(page, 'account-sessions')
    await rows.filter({ hasText: '其他设备' }).getByRole('button', { name: /结\s*束/ }).click()
    await page.locator('.ant-popconfirm').getByRole('button', { name: /结\s*束/ }).click()
    await dialog.getByText('没有其他地方在登录。').waitFor()
    t.equal(await rows.count(), 1, 'only this tab is left')
    t.equal((await me(otherToken)).status, 401, 'the other device is refused at its very next request')
    await settled(page)
    await screenshot(page, 'account-sessions-ended')

    await dialog.getByRole('button', { name: /Close|关\s*闭/ }).click()
    await dialog.waitFor({ state: 'detached' })
    await switchToEnglish(page)
    await page.getByTestId('my-sessions').click()
    await dialog.getByText('You are not signed in anywhere else.').waitFor()
    t.match(await dialog.innerText(), /This device/)
    await settled(page)
    await screenshot(page, 'account-sessions-en')
    await dialog.getByRole('button', { name: /Close|关\s*闭/ }).click()
    await dialog.waitFor({ state: 'detached' })
    await page.getByTestId('lang-switch').getByText('中文').click()

    // At phone width the header wraps: 登录设备 is reachable without sideways scrolling.
    await page.setViewportSize({ width: 390, height: 844 })
    await page.getByTestId('my-sessions').waitFor()
    t.notOk(await overflowsHorizontally(page), 'no sideways scrolling at 390 px')
    await screenshot(page, 'account-header-390')
    await page.setViewportSize({ width: 1280, height: 900 })

    // This tab goes on working, and a reload keeps it signed in.
    await page.reload()
    await page.getByTestId('current-user').waitFor()
    t.notOk(page.url().includes('/login') || page.url().includes('/change-password'), 'this tab stays signed in')
    t.same(browser.pageErrors, [], 'no script errors')
    t.same(browser.cspViolations, [], 'no Content-Security-Policy violations')
    await admin.close()
    await page.close()
  })
}
