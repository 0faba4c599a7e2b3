import t from '../helpers/tap.js'
import { apiAs, browserAvailable, launchBrowser, loginAs, screenshot, startServer, switchToEnglish } from './harness.js'

/** 危机上报链与值班表: the school admin edits the chain and the roster; a psychology teacher reads them. */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  const admin = await apiAs(server, 'admin.demo')
  const psychId = (await (await apiAs(server, 'psych.demo'))<{ id: string }>('GET', '/auth/me')).body.id

  await t.test('the school admin adds a step to the crisis chain, a shift to the roster and removes one', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'admin.demo')
    await page.getByRole('navigation', { name: '主菜单' }).getByText('危机上报链与值班表').click()
    await page.waitForURL(/\/escalation$/)
    const chain = page.getByTestId('chain-crisis')
    await chain.getByText('正在使用系统默认上报链').waitFor()
    t.equal(await chain.getByTestId('chain-step').count(), 2, 'the built-in chain has two steps')

    await chain.getByTestId('add-step').click()
    const third = chain.getByTestId('chain-step').nth(2)
    await third.getByLabel('上一步之后（分钟）').fill('20')
    await third.getByText('全体学校管理员').click()
    await chain.getByTestId('save-chain-crisis').click()
    await chain.getByText('本校自定义上报链').waitFor()
    const saved = await admin<{ isDefault: boolean; steps: Array<{ afterMinutes: number; recipients: { roles: string[] } }> }>('GET', '/escalation-chains/crisis')
    t.same(saved.body.steps.map((s) => [s.afterMinutes, s.recipients.roles.sort()]), [[0, []], [15, ['psych_teacher', 'school_admin']], [20, ['psych_teacher', 'school_admin']]], 'the third step reached the server')
    t.equal(saved.body.isDefault, false)

    // A shift through the form: teacher and period.
    const form = page.getByTestId('roster-form')
    // The school has many staff (the list scrolls): search, then pick. Under load the list can
    // close under the click while it is still opening: pick again.
    const teacher = form.getByLabel('值班老师')
    const teacherBox = teacher.locator('xpath=ancestor::*[contains(concat(" ", normalize-space(@class), " "), " ant-select ")][1]')
    for (let attempt = 1; !(await teacherBox.innerText()).includes('示范心理教师'); attempt++) {
      if (attempt > 3) throw new Error('could not choose 示范心理教师 as 值班老师')
      await teacher.click()
      await teacher.fill('示范心理')
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: '示范心理教师' }).first().click({ timeout: 5_000 }).catch(() => undefined)
    }
    const range = form.locator('.ant-picker-range input')
    await range.nth(0).click()
    await range.nth(0).fill('2030-10-09 17:30')
    await range.nth(0).press('Enter')
    await range.nth(1).fill('2030-10-10 07:30')
    await range.nth(1).press('Enter')
    await form.getByTestId('add-shift').click()
    const shifts = page.getByTestId('shifts')
    await shifts.getByText('2030-10-09 17:30').waitFor()
    const listed = await admin<{ items: Array<{ id: string; userId: string; startsAt: string; endsAt: string }> }>('GET', '/on-call?limit=50')
    t.same(listed.body.items.map((s) => [s.startsAt, s.endsAt]), [['2030-10-09T09:30:00.000Z', '2030-10-09T23:30:00.000Z']], 'the shift as Beijing time')

    const other = await admin('POST', '/on-call', { userId: psychId, startsAt: '2030-10-11T00:00:00+08:00', endsAt: '2030-10-12T00:00:00+08:00' })
    t.equal(other.status, 201, 'fixture: a weekend shift')
    await page.reload()
    await shifts.getByText('2030-10-11 00:00').waitFor()
    await screenshot(page, 'escalation-settings')
    await shifts.locator('tr').filter({ hasText: '2030-10-11 00:00' }).getByRole('button', { name: /删\s*除/ }).click()
    await page.locator('.ant-popover:visible').getByRole('button', { name: /删\s*除/ }).click()
    await shifts.locator('tr').filter({ hasText: '2030-10-11 00:00' }).waitFor({ state: 'detached' })
    t.equal((await admin<{ total: number }>('GET', '/on-call?limit=50')).body.total, 1, 'removed on the server')

    await page.getByTestId('on-call-now').getByText(/危机/).first().waitFor()
    await page.getByTestId('school-hours').getByText('正在使用默认在校时间').waitFor()
    await switchToEnglish(page)
    await page.getByRole('heading', { name: 'Escalation chain and on-call roster' }).waitFor()
    await chain.getByText("This school's own chain").waitFor()
    await screenshot(page, 'escalation-settings-en')
    // Back to Chinese: the language is kept in the browser for the next sign-in.
    await page.getByTestId('lang-switch').getByText('中文').click()
    await page.getByRole('heading', { name: '危机上报链与值班表' }).waitFor()
    await page.close()
  })

  await t.test('a psychology teacher reads the chain and the roster without the controls', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'psych.demo')
    await page.getByRole('navigation', { name: '主菜单' }).getByText('危机上报链与值班表').click()
    await page.waitForURL(/\/escalation$/)
    await page.getByTestId('read-only').waitFor()
    await page.getByTestId('chain-crisis').getByTestId('chain-step').first().waitFor()
    t.equal(await page.getByTestId('save-chain-crisis').count(), 0, 'no save button')
    t.equal(await page.getByTestId('roster-form').count(), 0, 'no form to add a shift')
    t.ok(await page.getByTestId('chain-crisis').getByLabel('确认截止后（分钟）').isDisabled(), 'the chain is shown, not editable')
    await page.getByTestId('shifts').getByText('2030-10-09 17:30').waitFor()
    await screenshot(page, 'escalation-settings-psych')

    // An escalation's notice says its step, and when nobody was on call.
    const { sql } = await import('drizzle-orm')
    await server.database.db.execute(sql`insert into notifications (school_id, user_id, kind, ref_id, params)
      select school_id, id, 'crisis_escalated', null, ${JSON.stringify({ step: 2, level: 3, deadline: '2030-10-09T12:00:00.000Z', onCall: 'nobody_on_call' })}::jsonb
      from users where id = ${psychId}`)
    await page.reload()
    await page.getByTestId('notification-bell').click()
    const note = page.getByTestId('notification-list').locator('.ant-list-item').filter({ hasText: '上报链第 2 步' })
    await note.waitFor()
    t.match(await note.innerText(), /危机事件超时未确认[\s\S]*上报链第 2 步 · 无人值班，已通知心理教师/)
    await page.close()
  })
}
