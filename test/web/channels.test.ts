import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { startRobotServer, WECOM_KEY } from '../outbox/servers.js'
import { apiAs, browserAvailable, launchBrowser, loginAs, screenshot, startServer, switchToEnglish } from './harness.js'

/** 通知渠道 (the school admin sets up a robot and tests it) and 通知设置 (a teacher's own e-mail and mobile). */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const robots = await startRobotServer()
  t.teardown(() => robots.close())
  const base = server.url

  await t.test('the school admin sets up the 企业微信 robot, sends a test message, and never sees the URL again', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'admin.demo')
    await page.getByRole('navigation', { name: '主菜单' }).getByText('通知渠道').click()
    await page.waitForURL(/\/notification-channels$/)
    const card = page.getByTestId('channel-wecom')
    await card.getByText('企业微信群机器人').waitFor()
    await card.getByText('未设置').waitFor()
    const webhook = `${robots.base}/wecom?key=${WECOM_KEY}`
    await card.getByLabel('Webhook 地址').fill(webhook)
    await card.getByRole('switch').first().click()
    await card.getByTestId('save-wecom').click()
    await card.getByText('已设置（主机名末尾：.0.1）').waitFor()
    await card.getByText('已开启').waitFor()
    t.equal(await card.getByLabel('Webhook 地址').inputValue(), '', 'the secret field is empty after saving')
    t.notOk((await page.content()).includes(WECOM_KEY), 'the page never holds the webhook key')

    await card.getByTestId('test-wecom').click()
    await card.getByTestId('test-result').getByText('测试消息已发送').waitFor()
    t.equal(robots.hits.length, 1, 'the robot received one message')
    t.ok(robots.hits[0]!.valid && robots.hits[0]!.body.includes('测试消息'), 'the test message, well formed')

    const raw = await queryRows<{ secret_sealed: string }>(server.database.db, sql`select secret_sealed from school_channels where kind = 'wecom'`)
    t.notOk(raw[0]!.secret_sealed.includes(WECOM_KEY), 'stored sealed')

    // A refused send is explained in words, not codes.
    robots.failNext(1, 502)
    await card.getByTestId('test-wecom').click()
    await card.getByTestId('test-result').getByText('测试消息未能发送：对方服务器返回 HTTP 502').waitFor()
    // A 钉钉 robot switched on without its URL: the API's refusal names the field.
    const ding = page.getByTestId('channel-dingtalk')
    await ding.getByRole('switch').first().click()
    await ding.getByTestId('save-dingtalk').click()
    await ding.getByTestId('write-error').getByText(/Webhook 地址/).waitFor()
    await screenshot(page, 'notification-channels')
    await switchToEnglish(page)
    await page.getByRole('heading', { name: 'Alert channels' }).waitFor()
    await card.getByText('WeCom group robot').waitFor()
    await screenshot(page, 'notification-channels-en')
    await page.getByTestId('lang-switch').getByText('中文').click()
    await page.getByRole('heading', { name: '通知渠道' }).waitFor()
    await page.close()
  })

  await t.test('a psychology teacher sets their own e-mail and mobile under 通知设置', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'psych.demo')
    t.equal(await page.getByRole('navigation', { name: '主菜单' }).getByText('通知渠道').count(), 0, 'no school channel screen for a teacher')
    await page.getByTestId('my-channels').click()
    const dialog = page.getByTestId('my-channels-dialog')
    await dialog.getByText('我的通知设置').waitFor()
    // The school's channels arrive after the dialog opens: wait for the line (15 s) rather than look once.
    const notOn = dialog.getByText('学校尚未开通这个渠道，开通后才会发送。').first()
    await notOn.waitFor({ state: 'visible' }).catch(() => {})
    t.ok(await notOn.isVisible(), 'says the school has not switched e-mail or SMS on')
    await dialog.getByLabel('手机号').fill('13900000123')
    await dialog.getByLabel('接收短信提醒').click()
    await dialog.getByTestId('save-my-channels').click()
    await page.getByText('已保存').first().waitFor()
    const psych = await apiAs(server, 'psych.demo')
    const mine = await psych<{ mobile: string; smsEnabled: boolean }>('GET', '/me/notification-channels')
    t.match(mine.body, { mobile: '13900000123', smsEnabled: true }, 'saved on the server')
    const admin = await apiAs(server, 'admin.demo')
    t.notOk(JSON.stringify((await admin('GET', '/me/notification-channels')).body).includes('13900000123'), "the admin does not read the teacher's number")
    await dialog.getByTestId('my-test-sms').click()
    await dialog.getByTestId('my-test-result').getByText(/这个渠道还没有设置完整/).waitFor()
    await screenshot(page, 'my-notification-settings')
    await page.close()
  })
}
