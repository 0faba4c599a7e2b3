import t from '../helpers/tap.js'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type Page } from 'playwright-core'
import { buildTestApp } from '../helpers/app.js'
import { practiceWorld } from '../practices/helpers.js'

/**
 * 解忧树洞 in a real browser, as an anonymous visitor: write → reply code → the
 * psychology teacher replies → read with the code; a wrong code reads nothing. Debian's
 * chromium through playwright-core, headless, in a fresh profile; screenshots go to
 * test-artifacts/.
 */

const CHROMIUM = '/usr/bin/chromium'
const ARTIFACTS = resolve(import.meta.dirname, '..', '..', 'test-artifacts')

async function shot(page: Page, name: string) {
  mkdirSync(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })
}

if (!existsSync(CHROMIUM)) {
  const msg = `${CHROMIUM} is missing: apt-get install -y chromium`
  if (process.env.CI) t.fail(msg)
  else t.plan(0, msg)
} else {
  t.test('an anonymous visitor writes, gets a code, and reads the reply only with it', async (t) => {
    const { app, database } = await buildTestApp(t)
    const w = await practiceWorld(app, database)
    const base = await app.listen({ host: '127.0.0.1', port: 0 })
    const api = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${w.psych.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      return { status: r.status, body: await r.json() as Record<string, unknown> }
    }
    const box = await api('PATCH', '/letterbox-admin', { open: true, closedMessage: '寒假期间信箱暂停，开学后恢复。' })
    t.equal(box.status, 200)
    const slug = String(box.body.slug)

    const profile = mkdtempSync(join(tmpdir(), 'xinan-letterbox-'))
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 420, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    })
    t.teardown(async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    })
    context.setDefaultTimeout(15_000)
    const page = await context.newPage()
    const problems: string[] = []
    const urls: string[] = []
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()) })
    page.on('pageerror', (e) => problems.push(String(e)))
    page.on('request', (r) => urls.push(r.url()))

    // Write.
    await page.goto(`${base}/letterbox/${slug}`)
    await page.getByTestId('letter-body').waitFor()
    t.equal(await page.locator('html').getAttribute('lang'), 'zh-CN')
    t.match(await page.locator('h1').innerText(), '解忧树洞')
    t.match(await page.locator('#school').innerText(), /^测试学校/)
    const letter = '最近晚上总是睡不着，担心考试，不知道该和谁说。'
    await page.getByTestId('letter-body').fill(letter)
    await page.getByTestId('letter-class').fill('七年级')
    await page.getByTestId('send').click()
    const codeEl = page.getByTestId('reply-code')
    await codeEl.waitFor()
    const code = (await codeEl.innerText()).trim()
    t.match(code, /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/, 'a reply code in groups of four')
    await shot(page, 'letterbox-1-code')
    await page.getByRole('button', { name: '我记好了' }).click()
    t.equal(await page.getByTestId('code-box').isHidden(), true, 'the code is gone from the page once noted')

    // Read before the reply: waiting.
    await page.getByTestId('code-input').fill(code)
    await page.getByTestId('look').click()
    await page.getByText('老师还没有回信').waitFor()

    // The psychology teacher replies (the web client's job; here through its API).
    const list = await api('GET', '/letters')
    const items = list.body.items as Array<{ id: string; body: string; writerClass: string }>
    t.equal(items.length, 1)
    t.equal(items[0]!.body, letter)
    t.equal(items[0]!.writerClass, '七年级')
    const replyText = '谢谢你愿意写信。考前睡不着很常见，周三中午来心理辅导室聊聊吧。'
    t.equal((await api('PUT', `/letters/${items[0]!.id}/reply`, { replyText })).status, 200)

    // Read with the code: the reply.
    await page.getByTestId('look').click()
    const reply = page.getByTestId('reply-text')
    await reply.waitFor()
    t.equal(await reply.innerText(), replyText)
    t.match(await page.getByTestId('reply-date').innerText(), /^回信日期：\d{4}-\d{2}-\d{2}$/)
    await shot(page, 'letterbox-2-reply')

    // A wrong code reads nothing.
    const last = code.at(-1)
    const wrong = code.slice(0, -1) + (last === '2' ? '3' : '2')
    await page.getByTestId('code-input').fill(wrong)
    await page.getByTestId('look').click()
    await page.getByText('没有找到对应的信').waitFor()
    t.equal(await reply.isHidden(), true)
    t.notMatch(await page.locator('body').innerText(), replyText, 'the reply is not on the page')
    await shot(page, 'letterbox-3-wrong-code')

    // English.
    await page.getByTestId('lang-toggle').click()
    t.equal(await page.locator('html').getAttribute('lang'), 'en')
    t.match(await page.locator('h1').innerText(), 'Letter Box')
    await page.getByTestId('look').click()
    await page.getByText('No letter matches this code').waitFor()
    await page.getByTestId('code-input').fill(code.toLowerCase())
    await page.getByTestId('look').click()
    await page.getByText('The teacher\'s reply:').waitFor()
    t.equal(await reply.innerText(), replyText, 'lower case works too')
    await shot(page, 'letterbox-4-english')

    // Closed: a clear message, no form.
    t.equal((await api('PATCH', '/letterbox-admin', { open: false })).status, 200)
    await page.reload()
    await page.getByTestId('closed').waitFor()
    t.equal(await page.getByTestId('closed').innerText(), '寒假期间信箱暂停，开学后恢复。')
    t.equal(await page.getByTestId('letter-body').isHidden(), true)
    await shot(page, 'letterbox-5-closed')

    // The code never travelled in a URL; the page kept nothing; no CSP violation or script error.
    t.same(urls.filter((u) => u.includes(code) || u.toLowerCase().includes(code.toLowerCase().replace(/-/g, ''))), [])
    t.same(await context.cookies(), [], 'no cookie')
    t.equal(await page.evaluate('localStorage.length + sessionStorage.length'), 0, 'nothing in web storage')
    t.same(problems.filter((p) => !/status of (404|423|429)/.test(p)), [], 'no CSP violation or script error')
  })
}
