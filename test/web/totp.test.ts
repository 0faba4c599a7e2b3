import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { Secret, TOTP } from 'otpauth'
import { queryRows } from '../../src/db/database.js'
import { browserAvailable, DEMO_PASSWORD, launchBrowser, loginAs, openedDialog, screenshot, startServer, switchToEnglish } from './harness.js'
import { codeWordsIn } from './text-scan.js'

/** What the phone's authenticator app shows `offsetS` seconds from now, from the key shown on screen. */
const codeOf = (secret: string, offsetS = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: Date.now() + offsetS * 1000 })

/**
 * The second factor in the browser: the school admin sets up an authenticator app on 账号安全
 * (QR code, the key as text, a first code, the recovery codes shown once), signs out, signs in
 * again with a code, and after the login's proof has aged, exporting the roster opens the
 * step-up dialog, which takes a code and lets the export go on.
 */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  const db = server.database.db

  await t.test('set up, sign in with a code, step up for an export', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'admin.demo')

    // 1. Set up on 账号安全.
    await page.getByTestId('account-security').click()
    await page.waitForURL(/\/account-security$/)
    await page.getByTestId('tfa-status').getByText('未开启').waitFor()
    await page.getByTestId('tfa-start').click()
    const enrol = page.getByTestId('tfa-enrol')
    await enrol.getByTestId('tfa-qr').waitFor()
    t.match(await enrol.getByTestId('tfa-qr').getAttribute('src'), /^data:image\/png;base64,/, 'the QR code is drawn in the browser')
    const secret = (await enrol.getByTestId('tfa-secret').innerText()).replace(/\s+/g, '')
    t.match(secret, /^[A-Z2-7]{32}$/, 'the key is shown for typing in by hand')
    t.same(codeWordsIn(await page.evaluate<string>('document.body.innerText'), 'zh-CN'), [], 'no code words')
    await screenshot(page, 'totp-enrol')
    const valid = [-30, 0, 30].map((o) => codeOf(secret, o))
    await enrol.getByLabel('验证码').fill(['000000', '111111', '222222', '333333'].find((c) => !valid.includes(c))!)
    await enrol.getByTestId('tfa-confirm').click()
    await t.resolves(enrol.getByTestId('write-error').getByText(/验证码不正确/).waitFor(), 'a wrong code is refused in words')
    await enrol.getByLabel('验证码').fill(codeOf(secret, -30))
    await enrol.getByTestId('tfa-confirm').click()
    const codes = page.getByTestId('recovery-codes')
    await codes.waitFor()
    const listed = await codes.locator('.ant-list-item').allInnerTexts()
    t.equal(listed.length, 10, 'ten recovery codes, shown once')
    t.match(listed[0], /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/)
    await screenshot(page, 'totp-recovery-codes')
    const dl = page.waitForEvent('download')
    await codes.getByRole('button', { name: /下载恢复码/ }).click()
    t.equal((await dl).suggestedFilename(), 'xinan-recovery-codes.txt', 'the codes download as a text file')
    await codes.getByTestId('codes-saved').click()
    await page.getByTestId('tfa-status').getByText('已开启').waitFor()
    t.match(await page.getByTestId('tfa-status').innerText(), /剩余可用恢复码：10 个/)
    const on = await queryRows<{ on: Date | null }>(db, sql`select totp_enabled_at as "on" from users where username = 'admin.demo'`)
    t.ok(on[0]?.on, 'in force on the server')

    // 2. Sign out and in again: the password, then a code.
    await page.getByRole('button', { name: /退出登录/ }).click()
    await page.waitForURL(/\/login/)
    await page.getByLabel('用户名').fill('admin.demo')
    await page.getByLabel('密码').fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: /登\s*录/ }).click()
    const second = page.getByTestId('login-second-step')
    await second.waitFor()
    t.equal(page.url().includes('/login'), true, 'the password alone does not sign in')
    await screenshot(page, 'totp-login-code')
    await second.getByLabel('验证码').fill(codeOf(secret))
    await second.getByRole('button', { name: /验证并登录/ }).click()
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    await page.getByTestId('current-user').waitFor()

    // 3. Fifteen minutes on (the login's proof aged in the database): an export asks again.
    await db.execute(sql`update auth_sessions set second_factor_at = now() - interval '16 minutes'
      where user_id = (select id from users where username = 'admin.demo') and revoked_at is null`)
    await page.goto(`${base}/students`)
    await page.getByTestId('roster-export').waitFor()
    const download = page.waitForEvent('download')
    await page.getByTestId('roster-export').click()
    const dialog = await openedDialog(page, '请再次验证身份')
    t.match(await dialog.innerText(), /15 分钟/, 'the dialog says why')
    t.same(codeWordsIn(await dialog.innerText(), 'zh-CN'), [], 'no code words in the dialog')
    await screenshot(page, 'totp-step-up')
    await dialog.getByLabel('验证码').fill(codeOf(secret, 30))
    await dialog.getByRole('button', { name: /验\s*证/ }).click()
    const file = await download
    t.equal(file.suggestedFilename(), '学生名册.xlsx', 'after the step-up the export goes on by itself')
    await dialog.waitFor({ state: 'hidden' })

    // 4. In English too.
    await page.getByTestId('account-security').click()
    await switchToEnglish(page)
    await page.getByTestId('tfa-status').getByText('On', { exact: true }).waitFor()
    t.match(await page.locator('main').innerText(), /Two-step verification/)
    await screenshot(page, 'totp-account-en')
    await page.getByTestId('lang-switch').getByText('中文').click()

    // 5. The admin requires it of the school: a psychology teacher without one is taken to the setup.
    await page.goto(`${base}/accounts`)
    const card = page.getByTestId('school-second-factor')
    await card.locator('.ant-select').click()
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: /^要求$/ }).click()
    await t.resolves(page.getByText('已保存本校二次验证要求').waitFor(), 'the school now requires it')
    const psych = await browser.newPage()
    await loginAs(psych, base, 'psych.demo')
    await psych.waitForURL(/\/second-factor-setup/)
    await psych.getByTestId('forced-second-factor').getByTestId('tfa-start').waitFor()
    t.equal(await psych.getByRole('navigation', { name: '主菜单' }).count(), 0, 'nothing else is open until it is set up')
    t.same(codeWordsIn(await psych.evaluate<string>('document.body.innerText'), 'zh-CN'), [], 'no code words')
    await screenshot(psych, 'totp-forced-setup')
    await psych.close()
    await page.close()
  })
}
