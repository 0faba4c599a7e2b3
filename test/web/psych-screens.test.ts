import type { Test } from 'tap'
import t from '../helpers/tap.js'
import ExcelJS from 'exceljs'
import { readFileSync } from 'node:fs'
import type { Locator } from 'playwright-core'
import { apiAs, browserAvailable, demoClassStudents, launchBrowser, loginAs, openedDialog, screenshot, settledCount, startServer, switchToEnglish } from './harness.js'

/**
 * 心理教师 screens: the 关注名单 page, a batch action on screening results, a
 * 同伴跟防 request to the class's monitor, a 家校协同 activity, an import whose headers are
 * wrong (the message names them), the instrument's template, and a notification that opens
 * the record it is about. Demo data, signed in as the demo psychology teacher.
 */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  const classStudents = await demoClassStudents(server)
  const psych = await apiAs(server, 'psych.demo')
  const day = (offset: number) => new Date(Date.now() + 8 * 3_600_000 + offset * 86_400_000).toISOString().slice(0, 10)
  const today = day(0)
  const y = Number(today.slice(0, 4))
  const schoolYear = Number(today.slice(5, 7)) >= 9 ? `${y}-${y + 1}` : `${y - 1}-${y}`
  const instruments = await psych<{ items: Array<{ id: string; code: string }> }>('GET', '/screening/instruments')
  const phq9 = instruments.body.items.find((i) => i.code === 'PHQ-9')!
  const campaign = await psych<{ id: string }>('POST', '/screening/campaigns', {
    name: '七年级心理测评（批量处理）', schoolYear, instrumentIds: [phq9.id], gradeLevels: [7], startDate: day(-20), endDate: day(20), status: 'open',
    // Batch actions on results are tested here, not consent (consent-entry.test.ts).
    consentRequired: false,
  })
  if (campaign.status !== 201) throw new Error(`fixture campaign: ${campaign.status}`)
  // Six results of the demo class, scored by the server (item 9 stays 0: no crisis events), for
  // students the demo has put on no care list and given no case (so every batch step can succeed).
  const busy = new Set([
    ...(await psych<{ items: Array<{ studentId: string }> }>('GET', '/care-list?limit=500&state=all')).body.items.map((c) => c.studentId),
    ...(await psych<{ items: Array<{ studentId: string }> }>('GET', '/cases?limit=500')).body.items.map((c) => c.studentId),
  ])
  const pupils = classStudents.filter((s) => !busy.has(s.id)).slice(0, 6)
  if (pupils.length < 6) throw new Error(`the demo class has only ${pupils.length} students free of care-list entries and cases`)
  const csv = ['学号,PHQ1,PHQ2,PHQ3,PHQ4,PHQ5,PHQ6,PHQ7,PHQ8,PHQ9', ...pupils.map((s, i) => `${s.studentNo},${[i % 4, 2, 2, 1, 1, 2, i % 3, 1, 0].join(',')}`)].join('\n')
  const imported = await fetch(`${base}/api/v1/screening/campaigns/${campaign.body.id}/import?wait=true`, {
    method: 'POST', body: csv,
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${await (async () => {
      const r = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'psych.demo', password: 'XinAn-demo-2026' }) })
      return ((await r.json()) as { accessToken: string }).accessToken
    })()}` },
  })
  if (imported.status !== 200) throw new Error(`fixture import: ${imported.status} ${await imported.text()}`)

  const page = await browser.newPage()
  await loginAs(page, base, 'psych.demo')
  const menu = page.getByRole('navigation', { name: '主菜单' })
  const openDropdowns = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)')
  async function choose(field: Locator, option: string | RegExp) {
    for (let attempt = 0; attempt < 3; attempt++) {
      await field.click()
      // A searchable list (the classes) is narrowed by typing, as a person would with a long list.
      if (typeof option === 'string' && await field.locator('xpath=ancestor-or-self::*[contains(@class, "ant-select-show-search")][1]').count()) await page.keyboard.type(option)
      const item = openDropdowns.locator('.ant-select-item-option').filter({ hasText: option }).first()
      await item.waitFor({ timeout: 5000 }).catch(async (e: unknown) => { await screenshot(page, 'psych-screens-choose-failed'); throw e })
      await item.click()
      await settledCount(openDropdowns, 0)
      const box = field.locator('xpath=ancestor-or-self::*[contains(concat(" ", normalize-space(@class), " "), " ant-select ")][1]')
      const text = await box.innerText()
      if (typeof option === 'string' ? text.includes(option) : option.test(text)) return
    }
    throw new Error(`could not choose ${String(option)}`)
  }
  const noCodeWords = async (t: Test) => t.notMatch(await page.locator('main').innerText(),
    /\b[a-z]+[A-Z][A-Za-z]*\b|\b[a-z]+_[a-z_]+\b|\b(parent_school|home_visit|parent_meeting)\b/, 'no code words on screen')
  /** The same screen in English, then back to Chinese. */
  async function bothLanguages(name: string, t: Test) {
    await screenshot(page, `${name}-zh`)
    await switchToEnglish(page)
    await page.waitForTimeout(600)
    await noCodeWords(t)
    await screenshot(page, `${name}-en`)
    await page.getByTestId('lang-switch').getByText('中文').click()
    await page.waitForTimeout(300)
  }

  await t.test('screening results: a selection goes onto the care list, and a case is opened for another selection', async (t) => {
    await page.goto(`${base}/campaigns/${campaign.body.id}`)
    const results = page.getByTestId('campaign-results')
    await results.locator('tbody tr.ant-table-row').first().waitFor()
    t.equal(await results.locator('tbody tr.ant-table-row').count(), 6)
    for (const s of pupils.slice(0, 3)) await results.locator('tr').filter({ hasText: s.studentNo }).getByRole('checkbox').check()
    await page.getByTestId('bulk-care').click()
    await page.getByText('已处理 3 名学生').waitFor()
    const care = (await psych<{ items: Array<{ studentId: string; sourceResponseId: string | null }> }>('GET', '/care-list?limit=500')).body.items
    for (const s of pupils.slice(0, 3)) t.ok(care.some((c) => c.studentId === s.id && c.sourceResponseId), `${s.studentNo} is on the care list from the screening`)

    for (const s of pupils.slice(4, 6)) await results.locator('tr').filter({ hasText: s.studentNo }).getByRole('checkbox').check()
    await page.getByTestId('bulk-case').click()
    await page.getByRole('dialog').getByRole('button', { name: /提\s*交/ }).click()
    await page.getByText('已处理 2 名学生').waitFor()
    for (const s of pupils.slice(4, 6)) {
      const cases = (await psych<{ items: Array<{ source: string; state: string }> }>('GET', `/cases?studentId=${s.id}`)).body.items
      t.ok(cases.some((c) => c.source === 'screening'), `a case from the screening for ${s.studentNo}`)
    }

    // One level for a selection: a level that differs from a suggestion needs the reason, kept on each result.
    const two = pupils.slice(2, 4)
    for (const s of two) await results.locator('tr').filter({ hasText: s.studentNo }).getByRole('checkbox').check()
    await page.getByTestId('bulk-level').click()
    const dialog = await openedDialog(page)
    await choose(dialog.getByLabel('风险等级'), '高危')
    await dialog.getByRole('button', { name: /提\s*交/ }).click()
    await t.resolves(dialog.getByText('风险等级与系统建议不同，请填写调整理由').waitFor(), 'the reason is asked for')
    await dialog.getByLabel('调整理由').fill('班主任反映两人近期均有自伤言语，统一按高危跟进。')
    await dialog.getByRole('button', { name: /提\s*交/ }).click()
    // The dialog stays until every result is written, then closes.
    await dialog.waitFor({ state: 'detached' })
    const responses = (await psych<{ items: Array<{ studentId: string; confirmedRisk: string | null; confirmReason: string | null }> }>('GET', `/screening/campaigns/${campaign.body.id}/responses?limit=50`)).body.items
    for (const s of two) {
      t.same(responses.filter((r) => r.studentId === s.id).map((r) => [r.confirmedRisk, r.confirmReason]), [['red', '班主任反映两人近期均有自伤言语，统一按高危跟进。']], `${s.studentNo} confirmed with the reason`)
    }
    await bothLanguages('psych-screening-bulk', t)
  })

  await t.test('the 关注名单 page: filters, edit, and taking a student off with a reason', async (t) => {
    await menu.getByText('关注名单').click()
    await page.waitForURL(/\/care-list$/)
    const list = page.getByTestId('care-list')
    await list.locator('tbody tr.ant-table-row').first().waitFor()
    const target = pupils[0]!
    const row = list.locator('tr').filter({ hasText: target.studentNo })
    await row.waitFor()
    t.match(await row.innerText(), '七年级(1)班', 'the class by name')
    t.match(await row.innerText(), '心理测评', 'the source in words')
    // The class filter keeps the class's entries; the state filter shows taken-off entries apart.
    await choose(page.getByTestId('care-class-filter'), '七年级(2)班')
    t.equal(await settledCount(list.locator('tr').filter({ hasText: target.studentNo }), 0), 0, 'another class: not listed')
    await page.goto(`${base}/care-list`)
    await row.waitFor()

    await row.getByTestId('care-remove-button').click()
    const dialog = page.getByRole('dialog')
    await dialog.getByRole('button', { name: /移出名单/ }).click()
    await t.resolves(dialog.getByText(/请填写.*移出理由|移出理由/).first().waitFor(), 'the reason is asked for')
    await dialog.getByLabel('移出理由').fill('复评正常，班主任反馈情绪稳定。')
    await dialog.getByRole('button', { name: /移出名单/ }).click()
    await dialog.waitFor({ state: 'detached' })
    t.equal(await settledCount(list.locator('tr').filter({ hasText: target.studentNo }), 0), 0, 'gone from the active list')
    const removed = (await psych<{ items: Array<{ removedAt: string | null; removedReason: string | null }> }>('GET', `/care-list?studentId=${target.id}&state=all`)).body.items
    t.same(removed.map((r) => [Boolean(r.removedAt), r.removedReason]), [[true, '复评正常，班主任反馈情绪稳定。']], 'taken off on the server with the reason')
    await page.getByTestId('care-state').getByText('已移出').click()
    await list.locator('tr').filter({ hasText: target.studentNo }).waitFor()
    await page.getByTestId('care-state').getByText('在名单中').click()
    await list.locator('tbody tr.ant-table-row').first().waitFor()
    await bothLanguages('psych-care-list', t)
  })

  await t.test('a 同伴跟防 request to the class’s monitor, from the student’s archive, then ended', async (t) => {
    const s = pupils[1]!
    await page.goto(`${base}/students/${s.id}`)
    await page.getByTestId('archive-peer-watch').click()
    await page.waitForURL(/\/peer-watch\?/)
    const dialog = await openedDialog(page)
    await choose(dialog.getByLabel('心理委员'), /.+/)
    await dialog.getByLabel('请留意的情况').fill('留意午饭是否一个人吃，课间是否独处。')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await Promise.race([dialog.waitFor({ state: 'detached' }), dialog.getByTestId('write-error').waitFor().then(async () => t.fail(await dialog.innerText()))])
    const table = page.getByTestId('watch-requests')
    const row = table.locator('tbody tr.ant-table-row').filter({ hasText: '留意午饭是否一个人吃' })
    await row.waitFor()
    t.match(await row.innerText(), '进行中')
    const requests = (await psych<{ items: Array<{ id: string; ask: string; monitorId: string; endedAt: string | null }> }>('GET', `/peer-watch-requests?studentId=${s.id}`)).body.items
    t.equal(requests.length, 1, 'one request on the server')
    await bothLanguages('psych-peer-watch', t)

    await row.getByTestId('watch-end').click()
    await page.locator('.ant-popconfirm').getByRole('button', { name: /结束关注/ }).click()
    await page.getByTestId('watch-filter').getByText('已结束或到期').click()
    await table.locator('tbody tr.ant-table-row').filter({ hasText: '已结束' }).first().waitFor()
    const ended = (await psych<{ endedAt: string | null }>('GET', `/peer-watch-requests/${requests[0]!.id}`)).body
    t.ok(ended.endedAt, 'ended on the server')
  })

  await t.test('a 家校协同 activity: recorded, summarised, edited', async (t) => {
    // The header menu folds its last entries under “…” at this width: the address is the way in.
    await page.goto(`${base}/home-school`)
    await page.getByTestId('activity-new').click()
    const dialog = await openedDialog(page)
    await choose(dialog.getByLabel('活动类型'), '家访')
    await dialog.getByLabel('主题').fill('期中后家访')
    await dialog.getByLabel('参加人数').fill('6')
    await choose(dialog.getByLabel('班级'), '七年级(1)班')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await Promise.race([dialog.waitFor({ state: 'detached' }), dialog.getByTestId('write-error').waitFor().then(async () => t.fail(await dialog.innerText()))])
    const row = page.getByTestId('activities').locator('tbody tr.ant-table-row').filter({ hasText: '期中后家访' })
    await row.waitFor()
    t.match(await row.innerText(), /家访[\s\S]*七年级\(1\)班[\s\S]*6/)
    t.match(await page.getByTestId('activity-summary').innerText(), '家访')
    await row.getByTestId('activity-edit').click()
    await dialog.getByLabel('参加人数').fill('7')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.waitFor({ state: 'detached' })
    const list = (await psych<{ items: Array<{ title: string; attendance: number; kind: string }> }>('GET', '/home-school-activities?kind=home_visit')).body.items
    t.same(list.filter((a) => a.title === '期中后家访').map((a) => a.attendance), [7], 'edited on the server')
    await bothLanguages('psych-home-school', t)
  })

  await t.test('the import: a wrong header is named; the template downloads with the headers the import reads', async (t) => {
    await page.goto(`${base}/campaigns/${campaign.body.id}`)
    const box = page.getByTestId('import-box')
    await box.waitFor()
    // A roster file by mistake: no 学号, no item columns.
    await page.getByLabel('选择文件').setInputFiles({ name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(`姓名,班级\n张三,七年级(1)班\n`) })
    await box.getByRole('button', { name: /提\s*交/ }).click()
    const failed = page.getByTestId('import-failed')
    await failed.waitFor()
    const text = await failed.innerText()
    t.match(text, '文件的表头不符合要求')
    t.match(text, '缺少必需的表头：学号')
    t.match(await page.getByTestId('import-headers').innerText(), /应有的表头[\s\S]*学号[\s\S]*PHQ1[\s\S]*文件中的表头[\s\S]*姓名[\s\S]*班级/)
    t.notMatch(text, '以下行有误', 'not the row-error heading over an empty list')
    await bothLanguages('psych-import-bad-headers', t)

    const [download] = await Promise.all([page.waitForEvent('download'), box.getByTestId('import-template').click()])
    t.match(download.suggestedFilename(), /导入模板\.xlsx$/)
    const file = await download.path()
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(readFileSync(file) as unknown as ArrayBuffer)
    const header = (wb.worksheets[0]!.getRow(1).values as unknown[]).slice(1)
    t.same(header, ['学号', '姓名', ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `PHQ${n}`), '测评日期'], 'Chinese headers the import reads')
    t.equal(wb.worksheets[0]!.rowCount, 2, 'one example row')
  })

  await t.test('a notification opens the record it is about', async (t) => {
    await page.goto(`${base}/psych`)
    const notes = (await psych<{ items: Array<{ id: string; kind: string; refId: string | null }> }>('GET', '/notifications?limit=50')).body.items
    const alert = notes.find((n) => ['alert_received', 'talk_concerned', 'alert_escalated'].includes(n.kind) && n.refId)
    if (!alert) {
      t.comment(`the demo gave psych.demo no alert notification (${notes.map((n) => n.kind).join(', ') || 'none'})`)
      t.fail('an alert notification to open')
      return
    }
    await page.getByTestId('notification-bell').click()
    const list = page.getByTestId('notification-list')
    await list.waitFor()
    const titles: Record<string, string> = { alert_received: '收到心理委员的预警', talk_concerned: '班主任谈话后提出关注', alert_escalated: '预警超时未确认，已逐级提醒' }
    await list.locator('.ant-list-item').filter({ hasText: titles[alert.kind]! }).first().click()
    await page.waitForURL(/\/alerts\/[0-9a-f-]{36}$/)
    await page.getByTestId('alert-record').waitFor()
    t.match(await page.getByTestId('alert-record').innerText(), /学生[\s\S]*所见情况/)
    await bothLanguages('psych-notified-alert', t)
  })

  await t.test('every kind of notification opens its record (or the list that holds it)', async (t) => {
    const { queryRows } = await import('../../src/db/database.js')
    const { sql } = await import('drizzle-orm')
    const [me] = await queryRows<{ id: string; school_id: string }>(server.database.db, sql`select id, school_id from users where username = 'psych.demo'`)
    const crisis = (await psych<{ items: Array<{ id: string }> }>('GET', '/crisis-events?limit=1')).body.items[0]!
    const referral = (await psych<{ items: Array<{ id: string; caseId: string | null; studentId: string }> }>('GET', '/referrals?limit=1')).body.items[0]!
    const cases: Array<[kind: string, ref: string | null, params: string, title: string, url: RegExp]> = [
      ['crisis_escalated', crisis.id, '{"level":1}', '危机事件超时未确认，已逐级提醒', new RegExp(`/crises/${crisis.id}$`)],
      ['referral_overdue', referral.id, '{}', '转介随访已到期', referral.caseId ? new RegExp(`/cases/${referral.caseId}$`) : new RegExp(`/students/${referral.studentId}$`)],
      ['screening_reminder', campaign.body.id, '{"reason":"closing"}', '心理测评即将结束', new RegExp(`/campaigns/${campaign.body.id}$`)],
      ['screening_reminder', null, '{"reason":"missing"}', '本学年的心理测评尚未开展', /\/campaigns$/],
    ]
    for (const [kind, ref, params, title, url] of cases) {
      await server.database.db.execute(sql`delete from notifications where user_id = ${me!.id}`)
      await server.database.db.execute(sql`insert into notifications (school_id, user_id, kind, ref_id, params) values (${me!.school_id}, ${me!.id}, ${kind}, ${ref}, ${params}::jsonb)`)
      await page.goto(`${base}/psych`)
      await page.getByTestId('notification-bell').click()
      await page.getByTestId('notification-list').locator('.ant-list-item').filter({ hasText: title }).first().click()
      await t.resolves(page.waitForURL(url), `${kind} → ${String(url)}`)
    }
    await page.getByTestId('crisis-record').waitFor({ state: 'detached' }).catch(() => undefined)
    await page.goto(`${base}/crises/${crisis.id}`)
    await page.getByTestId('crisis-record').waitFor()
    t.match(await page.getByTestId('crisis-record').innerText(), /学生[\s\S]*状态[\s\S]*来源/)
    await bothLanguages('psych-notified-crisis', t)
  })

  await t.test('the monitor’s note shows under the request; the dialogs', async (t) => {
    const monitor = await apiAs(server, 'monitor.demo')
    const s = pupils[2]!
    const monitors = await psych<{ items: Array<{ id: string }> }>('GET', `/students/${s.id}/peer-monitors`)
    const req = await psych<{ id: string }>('POST', `/students/${s.id}/peer-watch-requests`, { monitorId: monitors.body.items[0]!.id, ask: '留意放学是否一个人走' })
    t.equal(req.status, 201)
    const note = await monitor('POST', `/peer-watch-requests/${req.body.id}/notes`, { note: '今天和同桌一起去食堂' })
    t.equal(note.status, 201)
    await page.goto(`${base}/peer-watch?student=${s.id}`)
    const row = page.getByTestId('watch-requests').locator('tbody tr.ant-table-row').filter({ hasText: '留意放学是否一个人走' })
    await row.locator('.ant-table-row-expand-icon').click()
    await t.resolves(page.getByTestId('watch-notes').getByText('今天和同桌一起去食堂').waitFor(), 'the note under its request')
    /** A dialog in both languages: the language is switched with the dialog closed (the modal covers the switch). */
    async function dialogBoth(name: string, open: () => Promise<void>) {
      for (const lang of ['zh', 'en'] as const) {
        if (lang === 'en') await switchToEnglish(page)
        await open()
        const dialog = page.getByRole('dialog')
        await dialog.waitFor()
        await page.waitForTimeout(400)
        t.notMatch(await dialog.innerText(), /\b[a-z]+[A-Z][A-Za-z]*\b|\b[a-z]+_[a-z_]+\b/, `${name} (${lang}): no code words`)
        await screenshot(page, `${name}-${lang}`)
        await page.keyboard.press('Escape')
        await dialog.waitFor({ state: 'detached' })
      }
      await page.getByTestId('lang-switch').getByText('中文').click()
    }
    await dialogBoth('psych-peer-watch-dialog', () => page.getByTestId('watch-new').click())
    await page.goto(`${base}/care-list`)
    await page.getByTestId('care-list').locator('tbody tr.ant-table-row').first().waitFor()
    await dialogBoth('psych-care-edit-dialog', () => page.getByTestId('care-edit-button').first().click())
    await page.goto(`${base}/home-school`)
    await dialogBoth('psych-activity-dialog', () => page.getByTestId('activity-new').click())
  })

  t.same(browser.cspViolations, [], 'no CSP violation')
  t.same(browser.pageErrors, [], 'no uncaught page error')
}
