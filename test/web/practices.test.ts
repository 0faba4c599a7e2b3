import t from '../helpers/tap.js'
import type { Locator, Page } from 'playwright-core'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { DEMO_LETTERBOX_SLUG } from '../../src/demo/practices.js'
import { apiAs, browserAvailable, demoClassStudents, launchBrowser, loginAs, overflowsHorizontally, screenshot, startServer, switchToEnglish } from './harness.js'

/**
 * The practices from the inspection reports in the browser: the psychology teacher's 解忧树洞 inbox and box
 * settings, the 心理晴雨表 form (homeroom teacher, monitor) and trend, the 心理辅导室 records,
 * and the school admin's staff profiles and room summary. Every result is checked through
 * the API as well, so a screen that did nothing fails.
 */
type Row = Record<string, unknown>
type List = { items: Row[]; total: number }

if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  const students = await demoClassStudents(server)
  const psych = await apiAs(server, 'psych.demo')
  const admin = await apiAs(server, 'admin.demo')

  // A student writes through the public letter box (anonymous, no token) and keeps the code.
  const letterBody = `测试来信：最近和同桌闹别扭，不知道怎么和好。${Date.now()}`
  const written = await fetch(`${base}/api/v1/letterbox/${DEMO_LETTERBOX_SLUG}/letters`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ body: letterBody }),
  })
  if (written.status !== 201) throw new Error(`fixture letter: ${written.status}`)
  const { replyCode } = await written.json() as { replyCode: string }
  const readReply = async (slug = DEMO_LETTERBOX_SLUG) => {
    const r = await fetch(`${base}/api/v1/letterbox/${slug}/replies`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ replyCode }),
    })
    return { status: r.status, body: await r.json() as { status: string; reply?: string } }
  }
  const before = await readReply()
  if (before.body.status !== 'waiting') throw new Error(`fixture: the new letter already has a reply (${JSON.stringify(before.body)})`)
  const ourLetter = (await psych<List>('GET', '/letters?limit=100')).body.items.find((l) => l.body === letterBody)
  if (!ourLetter) throw new Error('fixture: the new letter is not in the inbox')
  const classId = students[0]!.classId

  /** Picks an option of an antd Select by its label, as a mouse user would. */
  async function choose(page: Page, field: Locator, option: string | RegExp, type?: string) {
    // On a loaded machine a click can land while the list is still animating in and pick
    // nothing: the select then does not show the choice, and the pick is tried once more.
    const box = field.locator('xpath=ancestor::*[contains(concat(" ", normalize-space(@class), " "), " ant-select ")][1]')
    const shows = async () => {
      const text = await box.innerText()
      return typeof option === 'string' ? text.includes(option) : option.test(text)
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      await field.click()
      if (type) await field.fill(type)
      const options = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option')
      // The list may also close under the click (it was still opening): the pick is then tried again.
      await options.filter({ hasText: option }).first().click({ timeout: 5_000 }).catch(() => undefined)
      if (await until(shows, Boolean, 2_000)) return
    }
    throw new Error(`could not choose ${String(option)}`)
  }
  /** Polls the API until `ok` holds (the UI answered before the assertion), returning the last answer. */
  async function until<T>(get: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
    const end = Date.now() + ms
    let v = await get()
    while (!ok(v) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 150))
      v = await get()
    }
    return v
  }

  /** A page-side check (a string: the tests compile without the DOM types) that the QR image has loaded, from another URL than `old`. */
  const posterShown = (old?: string | null) => `(() => {
    const el = document.querySelector('[data-testid="qr-poster"]')
    return !!el && el.getAttribute('src') !== ${JSON.stringify(old ?? null)} && el.complete && el.naturalWidth > 0
  })()`

  const page = await browser.newPage()
  await loginAs(page, base, 'psych.demo')

  await t.test('psych: the inbox, danger and urgent first; reply to a letter; the student reads it with the code', async (t) => {
    const menu = page.getByRole('navigation', { name: '主菜单' })
    await menu.getByText('解忧树洞').click()
    await page.waitForURL(/\/letters$/)
    const rows = page.getByTestId('letters').locator('tbody tr.ant-table-row')
    await rows.first().waitFor()
    t.match(await rows.first().innerText(), /紧急/, 'the urgent demo letter comes first')
    await screenshot(page, 'practices-letters-inbox')

    const row = rows.filter({ hasText: letterBody.slice(0, 12) })
    await row.getByRole('button', { name: /查\s*看/ }).click()
    const drawer = page.getByTestId('letter-drawer')
    await drawer.getByTestId('letter-body').getByText(letterBody).waitFor()

    // Classify: 人际, urgent.
    await choose(page, drawer.getByLabel('类别', { exact: true }), '人际')
    await drawer.getByRole('switch').click()
    await drawer.getByRole('button', { name: '保存分类' }).click()
    const classified = await until(() => psych<Row>('GET', `/letters/${String(ourLetter.id)}`), (r) => r.body.category === 'peers')
    t.equal(classified.body.category, 'peers', 'the category is saved')
    t.equal(classified.body.urgent, true, 'marked urgent')

    // Reply.
    const replyText = '谢谢你写信来。和好可以从一句简单的问候开始，周三中午欢迎来心理辅导室聊聊。'
    await drawer.getByLabel('回信', { exact: true }).fill(replyText)
    await drawer.getByTestId('send-reply').click()
    await drawer.getByText(/已于 \d{4}年\d{1,2}月\d{1,2}日 回信/).waitFor()
    await screenshot(page, 'practices-letter-replied')
    const read = await readReply()
    t.equal(read.status, 200)
    t.equal(read.body.status, 'replied', 'the writer sees a reply with their code')
    t.equal(read.body.reply, replyText, 'exactly the reply typed in the browser')
    await page.locator('.ant-drawer-close').click()
    await t.resolves(row.getByText('已回信').waitFor(), 'the list shows the letter as replied after the write')
  })

  await t.test('psych: a letter that names a student becomes an alert and a crisis (the letter stays anonymous)', async (t) => {
    const student = students[2]!
    const row = page.getByTestId('letters').locator('tbody tr.ant-table-row').filter({ hasText: letterBody.slice(0, 12) })
    await row.getByRole('button', { name: /查\s*看/ }).click()
    const drawer = page.getByTestId('letter-drawer')
    await drawer.getByTestId('letter-body').getByText(letterBody).waitFor()
    await choose(page, drawer.getByLabel('学生', { exact: true }), student.name, student.name)
    await drawer.getByTestId('to-alert').click()
    await drawer.getByTestId('letter-action-done').getByText('已发起同伴跟防预警').waitFor()
    const alerts = await queryRows<{ n: number }>(server.database.db, sql`
      select count(*)::int as n from peer_alerts where student_id = ${student.id} and source = 'letter'`)
    t.equal(alerts[0]?.n, 1, 'one peer alert from a letter for that student')
    const copied = await queryRows<{ n: number }>(server.database.db, sql`
      select count(*)::int as n from peer_alerts where what_seen like ${'%' + letterBody.slice(0, 10) + '%'}`)
    t.equal(copied[0]?.n, 0, 'the letter’s words are not copied into the alert')

    // The same letter signals danger: flagged, and a crisis opened for the chosen student.
    await drawer.getByTestId('to-danger').click()
    await page.locator('.ant-popconfirm').getByRole('button', { name: '标记危机' }).click()
    await drawer.getByTestId('letter-action-done').getByText('已标记危机').waitFor()
    t.equal((await psych<Row>('GET', `/letters/${String(ourLetter.id)}`)).body.danger, true, 'flagged on the server')
    const crises = await queryRows<{ n: number }>(server.database.db, sql`
      select count(*)::int as n from crisis_events where student_id = ${student.id} and source = 'letter'`)
    t.equal(crises[0]?.n, 1, 'a crisis event on the safety-rule path')
    await page.locator('.ant-drawer-close').click()
    const first = page.getByTestId('letters').locator('tbody tr.ant-table-row').first()
    await first.getByText('危机').waitFor()
    t.match(await first.innerText(), letterBody.slice(0, 12), 'the danger letter now leads the inbox')
  })

  await t.test('psych: box settings — QR poster from the API, download, close and reopen', async (t) => {
    await page.getByRole('tab', { name: '信箱设置' }).click()
    const settings = page.getByTestId('box-settings')
    await settings.getByTestId('box-link').getByText(`/letterbox/${DEMO_LETTERBOX_SLUG}`).waitFor()
    const img = settings.getByTestId('qr-poster')
    await img.waitFor()
    t.match(await img.getAttribute('src'), /^blob:/, 'the poster is a blob fetched with the token')
    await t.resolves(page.waitForFunction(posterShown()), 'and it renders as an image')
    const [download] = await Promise.all([page.waitForEvent('download'), settings.getByTestId('qr-download').click()])
    t.equal(download.suggestedFilename(), 'letterbox-qr.svg')
    await screenshot(page, 'practices-letterbox-settings')

    // Close with a message.
    await settings.getByRole('switch').click()
    await settings.getByLabel('关闭时显示的说明').fill('期末考试周暂停，考后恢复。')
    await settings.getByRole('button', { name: /保\s*存/ }).click()
    await settings.getByTestId('box-state').getByText('已关闭').waitFor()
    const closed = (await psych<Row>('GET', '/letterbox-admin')).body
    t.equal(closed.open, false, 'closed on the server')
    t.equal(closed.closedMessage, '期末考试周暂停，考后恢复。')
    const info = await fetch(`${base}/api/v1/letterbox/${DEMO_LETTERBOX_SLUG}`).then((r) => r.json()) as Row
    t.equal(info.open, false, 'the public page says closed')

    await settings.getByRole('switch').click()
    await settings.getByRole('button', { name: /保\s*存/ }).click()
    await settings.getByTestId('box-state').getByText('开放中').waitFor()
    t.equal((await psych<Row>('GET', '/letterbox-admin')).body.open, true, 'open again')
  })

  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
  let periodKey = ''
  let periodShown = ''

  await t.test('homeroom teacher at phone width: the barometer with a named classmate', async (t) => {
    const phone = await browser.newPage({ width: 390, height: 844 })
    await loginAs(phone, base, 'homeroom.demo')
    await phone.goto(`${base}/barometer`)
    const form = phone.getByTestId('barometer-form')
    await form.waitFor()
    await phone.getByRole('heading', { name: /心理晴雨表：七年级\(1\)班/ }).waitFor()
    const named = students[4]!
    await form.getByText('较低落').click()
    await form.getByLabel('影响班级的事件').fill('篮球赛失利，班里有点沮丧')
    await choose(phone, form.getByLabel('可能需要关注的同学'), named.name, named.name)
    await phone.keyboard.press('Escape')
    t.notOk(await overflowsHorizontally(phone), 'no sideways scrolling at 390 px')
    await screenshot(phone, 'practices-barometer-homeroom')
    await form.getByTestId('barometer-submit').click()
    const sent = phone.getByTestId('barometer-sent')
    await sent.waitFor()
    t.match(await sent.innerText(), /已为 1 位同学发出预警/)
    // The period in words (12月7日–12月13日 or 2026年12月), never its key (2026-W50).
    periodShown = /周期 (.+?)）/.exec(await sent.innerText())?.[1] ?? ''
    t.match(periodShown, /^(\d{4}年)?\d{1,2}月\d{1,2}日–(\d{4}年)?\d{1,2}月\d{1,2}日$|^\d{4}年\d{1,2}月$/, `the period of the entry as dates (${periodShown})`)
    const own = await (await apiAs(server, 'homeroom.demo'))<{ items: Array<{ periodKey: string; events: string | null }> }>('GET', '/barometer')
    periodKey = own.body.items.find((e) => e.events === '篮球赛失利，班里有点沮丧')?.periodKey ?? ''
    t.match(periodKey, /^\d{4}-(W\d{2}|\d{2})$/, 'the API keeps the period key')
    await phone.getByTestId('my-barometers').getByText('篮球赛失利，班里有点沮丧').waitFor()

    const entries = (await psych<List>('GET', `/barometer?classId=${classId}&limit=50`)).body.items
    const mine = entries.find((e) => e.events === '篮球赛失利，班里有点沮丧')
    t.ok(mine, 'the entry is on the server')
    t.equal(mine?.mood, 2)
    t.equal(mine?.namedCount, 1)
    t.equal(mine?.submitterRole, 'homeroom_teacher')
    const alerts = await queryRows<{ n: number }>(server.database.db, sql`
      select count(*)::int as n from peer_alerts where student_id = ${named.id} and source = 'barometer'`)
    t.equal(alerts[0]?.n, 1, 'the named classmate became an alert')
    await phone.close()
  })

  await t.test('monitor: the barometer names a classmate by 学号 (a monitor reads no student record)', async (t) => {
    const phone = await browser.newPage({ width: 390, height: 844 })
    await loginAs(phone, base, 'monitor.demo')
    const menu = await phone.getByRole('navigation', { name: '主菜单' }).innerText()
    t.match(menu, '心理晴雨表')
    await phone.goto(`${base}/barometer`)
    const form = phone.getByTestId('barometer-form')
    await form.waitFor()
    t.equal(await form.getByLabel('可能需要关注的同学', { exact: true }).count(), 0, 'no class list to pick from')
    await form.getByTestId('monitor-names-hint').waitFor()
    await form.getByText('较好').click()
    const byNo = students[5]!
    const nos = form.getByLabel('可能需要关注的同学（学号）')
    await nos.fill(byNo.studentNo)
    await nos.press('Enter')
    await form.locator('.ant-select').getByText(byNo.studentNo, { exact: true }).waitFor()
    await form.getByTestId('barometer-submit').click()
    await phone.getByTestId('barometer-sent').waitFor()
    t.match(await phone.getByTestId('barometer-sent').innerText(), /1/, 'the answer says one alert was made')
    const alerts = await queryRows<{ n: number }>(server.database.db, sql`
      select count(*)::int as n from peer_alerts where student_id = ${byNo.id} and source = 'barometer'`)
    t.equal(alerts[0]?.n, 1, 'the classmate named by 学号 became an alert')
    t.notOk(await overflowsHorizontally(phone), 'no sideways scrolling at 390 px')
    await screenshot(phone, 'practices-barometer-monitor')
    const entries = (await psych<List>('GET', `/barometer?classId=${classId}&limit=50`)).body.items
    t.ok(entries.some((e) => e.submitterRole === 'peer_monitor' && e.mood === 4 && e.periodKey === periodKey), 'the monitor’s entry is on the server')
    await phone.close()
  })

  await t.test('psych: the class trend shows this period (chart and table)', async (t) => {
    await page.getByRole('navigation', { name: '主菜单' }).getByText('心理晴雨表').click()
    await page.waitForURL(/\/barometer-trend$/)
    const trend = page.getByTestId('trend')
    await trend.getByText('七年级(1)班').waitFor()
    await trend.locator('canvas').first().waitFor()
    const api = (await psych<{ points: Array<{ periodKey: string; entries: number; avgMood: number; named: number }> }>('GET', `/barometer/classes/${classId}/trend`)).body
    const point = api.points.find((p) => p.periodKey === periodKey)
    t.ok(point, 'the API has the current period')
    t.equal(point?.entries, 2, 'two forms this period: homeroom teacher and monitor')
    t.equal(point?.avgMood, 3)
    t.equal(point?.named, 2, 'one named by the homeroom teacher, one by the monitor')
    const first = page.getByTestId('trend-table').locator('tbody tr.ant-table-row').first()
    await first.waitFor()
    const cells = await first.locator('td').allInnerTexts()
    t.equal(cells[0], periodShown, 'the latest period leads the table, as dates')
    t.equal(cells[1], '2')
    t.match(cells[2], /^3\.00（一般）$/, 'average mood as a number and in words')
    t.equal(cells[4], '2')
    await page.getByTestId('trend-entries').getByText('篮球赛失利，班里有点沮丧').waitFor()
    await screenshot(page, 'practices-barometer-trend')
  })

  await t.test('psych: record a room visit and a group session; the summary counts them', async (t) => {
    const student = students[5]!
    await page.getByRole('navigation', { name: '主菜单' }).getByText('心理辅导室').click()
    await page.waitForURL(/\/room$/)
    const visits = page.getByTestId('visits').locator('tbody tr.ant-table-row')
    await visits.first().waitFor()
    const totalBefore = (await psych<{ visits: { total: number } }>('GET', '/counselling-room/summary')).body.visits.total

    await page.getByTestId('new-visit').click()
    const d = page.getByRole('dialog', { name: '登记来访' })
    await d.waitFor()
    await choose(page, d.getByLabel('学生', { exact: true }), student.name, student.name)
    await d.getByLabel('时长（分钟）').fill('35')
    await choose(page, d.getByLabel('主题类别'), '家庭')
    await choose(page, d.getByLabel('后续跟进'), '再次约谈')
    await screenshot(page, 'practices-room-visit-form')
    await d.getByRole('button', { name: /保\s*存/ }).click()
    await d.waitFor({ state: 'hidden' })
    const row = visits.filter({ hasText: student.name })
    await row.first().waitFor()
    t.match(await row.first().innerText(), /家庭[\s\S]*再次约谈/, 'the new visit is listed with its topic and follow-up')
    const listed = (await psych<List>('GET', `/counselling-room/visits?studentId=${student.id}`)).body.items
    t.same(listed.map((v) => [v.visitDate, v.durationMin, v.topic, v.followUp]), [[today, 35, 'family', 'revisit']], 'and on the server')
    await screenshot(page, 'practices-room-visits')

    await page.getByRole('tab', { name: '团体辅导' }).click()
    await page.getByTestId('sessions').locator('tbody tr.ant-table-row').first().waitFor()
    await page.getByTestId('new-session').click()
    const s = page.getByRole('dialog', { name: '登记团体辅导' })
    await s.waitFor()
    await s.getByLabel('活动主题').fill('生命教育主题班会')
    await s.getByLabel('参加人数').fill('40')
    await s.getByRole('button', { name: /保\s*存/ }).click()
    await s.waitFor({ state: 'hidden' })
    await page.getByTestId('sessions').getByText('生命教育主题班会').waitFor()
    const sessions = (await psych<List>('GET', '/counselling-room/sessions?limit=100')).body.items
    t.ok(sessions.some((x) => x.topic === '生命教育主题班会' && x.attendance === 40), 'the session is on the server')

    await page.getByRole('tab', { name: '工作统计' }).click()
    const total = page.getByTestId('room-summary').getByTestId('summary-total')
    await total.waitFor()
    await t.resolves(page.getByTestId('summary-total').getByText(String(totalBefore + 1), { exact: true }).waitFor(), 'the summary counts the new visit')
    await screenshot(page, 'practices-room-summary')
  })

  await t.test('admin: staff profiles — add one', async (t) => {
    const adminPage = await browser.newPage()
    await loginAs(adminPage, base, 'admin.demo')
    await adminPage.waitForURL(/\/students$/)
    const menu = adminPage.getByRole('navigation', { name: '主菜单' })
    const text = await menu.innerText()
    t.match(text, /学生名册[\s\S]*心理教师情况[\s\S]*辅导室统计/, 'roster, staff profiles and the room summary')
    t.notMatch(text, /工作台|心理测评|解忧树洞|心理辅导室/, 'no case work, letters or visit records')
    await menu.getByText('心理教师情况').click()
    await adminPage.waitForURL(/\/staff$/)
    const rows = adminPage.getByTestId('staff').locator('tbody tr.ant-table-row')
    await rows.first().waitFor()
    const before = await rows.count()
    await adminPage.getByTestId('new-staff').click()
    const d = adminPage.getByRole('dialog', { name: '登记心理教师' })
    await d.waitFor()
    await d.getByRole('textbox', { name: '姓名' }).fill('测试兼职心理教师')
    await d.getByText('兼职', { exact: true }).click()
    const q = d.getByLabel('资质证书')
    await q.click()
    await q.pressSequentially('心理健康教育 C 证')
    await adminPage.keyboard.press('Enter')
    await d.getByLabel('本年度培训学时').fill('20')
    await d.getByRole('button', { name: /保\s*存/ }).click()
    await d.waitFor({ state: 'hidden' })
    await adminPage.getByTestId('staff').getByText('测试兼职心理教师').waitFor()
    t.equal(await rows.count(), before + 1, 'one more row')
    const listed = (await admin<List>('GET', '/staff-profiles')).body.items.find((s) => s.name === '测试兼职心理教师')
    t.ok(listed, 'on the server')
    t.equal(listed?.employment, 'part_time')
    t.same(listed?.qualifications, ['心理健康教育 C 证'])
    t.equal(listed?.trainingHoursYear, 20)
    await screenshot(adminPage, 'practices-admin-staff')

    // The room summary: counts only, and no walk-in figure for the admin.
    await menu.getByText('辅导室统计').click()
    await adminPage.waitForURL(/\/room-summary$/)
    const total = adminPage.getByTestId('summary-total')
    await total.waitFor()
    const api = (await admin<{ visits: { total: number; walkIns?: number } }>('GET', '/counselling-room/summary')).body
    t.match(await total.innerText(), String(api.visits.total), 'the admin sees the same total as the API')
    t.notOk('walkIns' in api.visits, 'the API gives the admin no walk-in count')
    t.notMatch(await adminPage.locator('body').innerText(), '匿名来访', 'and the page shows none')
    t.notOk(await adminPage.getByTestId('visits').count(), 'no visit rows')
    await screenshot(adminPage, 'practices-admin-room-summary')

    await switchToEnglish(adminPage)
    await adminPage.getByRole('heading', { name: 'Counselling room summary' }).waitFor()
    await screenshot(adminPage, 'practices-admin-room-summary-en')
    // The language is kept per browser (localStorage): back to Chinese for the other tabs.
    await adminPage.getByTestId('lang-switch').getByText('中文').click()
    await adminPage.getByRole('heading', { name: '心理辅导室工作统计' }).waitFor()
    await adminPage.close()
  })

  await t.test('psych: a new link with a confirm (last: the demo link stops working)', async (t) => {
    await page.goto(`${base}/letters`)
    await page.getByRole('tab', { name: '信箱设置' }).click()
    const settings = page.getByTestId('box-settings')
    const img = settings.getByTestId('qr-poster')
    await img.waitFor()
    const oldSrc = await img.getAttribute('src')
    await settings.getByTestId('rotate').click()
    const confirm = page.getByRole('dialog').filter({ hasText: '更换信箱链接' })
    await confirm.waitFor()
    await confirm.getByRole('button', { name: '更换链接' }).click()
    await settings.getByTestId('box-link').getByText(`/letterbox/${DEMO_LETTERBOX_SLUG}`).waitFor({ state: 'detached' })
    const box = (await psych<Row>('GET', '/letterbox-admin')).body
    t.not(box.slug, DEMO_LETTERBOX_SLUG, 'a new slug on the server')
    t.match(await settings.getByTestId('box-link').innerText(), String(box.slug), 'the page shows the new link')
    await t.resolves(page.waitForFunction(posterShown(oldSrc)), 'the poster is fetched again for the new link')
    t.equal((await fetch(`${base}/api/v1/letterbox/${DEMO_LETTERBOX_SLUG}`)).status, 404, 'the old link is dead')
    t.equal((await readReply(String(box.slug))).body.status, 'replied', 'a reply code still works under the new link')
  })

  t.same(browser.cspViolations, [], 'no CSP violation')
  t.same(browser.pageErrors, [], 'no uncaught page error')
}
