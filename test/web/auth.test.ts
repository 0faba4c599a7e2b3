import t from '../helpers/tap.js'
import { browserAvailable, launchBrowser, loginAs, screenshot, startServer, switchToEnglish, DEMO_PASSWORD } from './harness.js'

/** Everyone: sign-in, refresh on expiry, back to sign-in when the refresh is refused, the language switch, CSP. */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url

  await t.test('the client is served at / under the API CSP; /api keeps its JSON 404', async (t) => {
    const res = await fetch(`${base}/students/some/client/route`)
    t.equal(res.status, 200)
    t.match(res.headers.get('content-type'), /text\/html/)
    t.match(res.headers.get('content-security-policy'), /script-src 'self'/)
    t.match(await res.text(), /<div id="root">/)
    const api = await fetch(`${base}/api/v1/no-such-route`)
    t.equal(api.status, 404)
    t.equal((await api.json() as { code: string }).code, 'route_not_found')
    const missingFile = await fetch(`${base}/assets/missing.js`)
    t.equal(missingFile.status, 404)
    const html = await (await fetch(`${base}/`)).text()
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1]
    t.ok(asset, 'index.html loads a built script')
    const js = await fetch(`${base}${asset}`)
    t.equal(js.status, 200)
    t.match(js.headers.get('cache-control'), /immutable/)
  })

  await t.test('wrong password: the API message in Chinese; keyboard-only sign-in works', async (t) => {
    const page = await browser.newPage()
    await page.goto(`${base}/`)
    await page.waitForURL(/\/login/)
    t.equal(await page.locator('html').getAttribute('lang'), 'zh-CN')
    await t.resolves(page.getByTestId('demo-hint').waitFor(), 'demo accounts are listed on a demo installation')
    await page.getByLabel('用户名').fill('psych.demo')
    await page.getByLabel('密码').fill('not-the-password')
    await page.getByLabel('密码').press('Enter')
    const err = page.getByTestId('login-error')
    await err.waitFor()
    t.match(await err.innerText(), '用户名或密码错误')
    await screenshot(page, 'login-error')

    // Keyboard only: focus starts in the username field; Tab moves to the password.
    await page.goto(`${base}/login`)
    await page.getByLabel('用户名').focus()
    await page.keyboard.type('psych.demo')
    await page.keyboard.press('Tab')
    await page.keyboard.type(DEMO_PASSWORD)
    await page.keyboard.press('Enter')
    await page.waitForURL(/\/psych$/)
    t.pass('signed in with the keyboard only')
    await page.close()
  })

  await t.test('an expired access token is refreshed; a refused refresh returns to sign-in', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'psych.demo')
    await page.goto(`${base}/students?q=202607`)
    await page.getByTestId('student-results').locator('tbody tr.ant-table-row').first().waitFor()
    const before = await page.evaluate<{ accessToken: string; refreshToken: string }>('JSON.parse(sessionStorage.getItem("xinan.session"))')

    // A dead access token: the next call gets 401, the client rotates the refresh token and retries.
    await page.evaluate(`(() => { const s = JSON.parse(sessionStorage.getItem('xinan.session')); s.accessToken = 'x.y.z'; sessionStorage.setItem('xinan.session', JSON.stringify(s)) })()`)
    await page.reload()
    await page.getByTestId('student-results').locator('tbody tr.ant-table-row').first().waitFor()
    const after = await page.evaluate<{ accessToken: string; refreshToken: string }>('JSON.parse(sessionStorage.getItem("xinan.session"))')
    t.not(after.accessToken, 'x.y.z', 'a new access token')
    t.not(after.refreshToken, before.refreshToken, 'the refresh token rotated')
    t.equal(new URL(page.url()).pathname, '/students', 'the user stayed on the page')

    // Both dead: back to the sign-in page, which says why and returns to the page afterwards.
    await page.evaluate(`(() => { const s = JSON.parse(sessionStorage.getItem('xinan.session')); s.accessToken = 'x.y.z'; s.refreshToken = 'dead-refresh-token-000'; sessionStorage.setItem('xinan.session', JSON.stringify(s)) })()`)
    await page.reload()
    await page.waitForURL(/\/login\?/)
    await t.resolves(page.getByText('登录已过期，请重新登录。').waitFor(), 'the sign-in page says why')
    await page.getByLabel('用户名').fill('psych.demo')
    await page.getByLabel('密码').fill(DEMO_PASSWORD)
    await page.getByLabel('密码').press('Enter')
    await page.waitForURL(/\/students\?q=202607/)
    t.pass('back where the user was')
    await page.close()
  })

  await t.test('the language switch: English labels and English API messages, remembered', async (t) => {
    const page = await browser.newPage()
    await page.goto(`${base}/login`)
    await switchToEnglish(page)
    await page.getByLabel('Username').fill('psych.demo')
    await page.getByLabel('Password').fill('wrong-password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    const err = page.getByTestId('login-error')
    await err.waitFor()
    t.match(await err.innerText(), 'Incorrect username or password', 'the API answered in English (Accept-Language)')
    t.equal(await page.locator('html').getAttribute('lang'), 'en')
    await page.reload()
    await page.getByLabel('Username').waitFor()
    t.pass('English is remembered across a reload')
    await page.getByTestId('lang-switch').getByText('中文').click()
    await page.getByLabel('用户名').waitFor()
    await page.close()
  })

  await t.test('sign out ends the session on the server', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'psych.demo')
    const token = await page.evaluate<string>('JSON.parse(sessionStorage.getItem("xinan.session")).accessToken')
    await page.getByRole('button', { name: '退出登录' }).click()
    await page.waitForURL(/\/login/)
    const res = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } })
    t.equal(res.status, 401, 'the old access token no longer works')
    t.equal(await page.evaluate<string | null>('sessionStorage.getItem("xinan.session")'), null)
    await page.close()
  })

  t.same(browser.cspViolations, [], 'no Content-Security-Policy violation on any page')
  t.same(browser.pageErrors, [], 'no uncaught error in any page')
}
