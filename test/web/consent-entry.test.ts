import t from '../helpers/tap.js'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { apiAs, browserAvailable, demoClassStudents, launchBrowser, loginAs, openedDialog, screenshot, settledCount, startServer, switchToEnglish } from './harness.js'

/**
 * 知情同意 on the campaign page: the class list with each student's consent, a bulk change for
 * selected students, a single edit, the printable letters with their reply slips, and an import
 * whose rows without consent are refused with the reason in Chinese. Demo data, signed in as
 * the demo psychology teacher, a new campaign of grade 7 that requires consent (the default).
 */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  const pupils = await demoClassStudents(server)
  const classId = pupils[0]!.classId
  const psych = await apiAs(server, 'psych.demo')
  const day = (offset: number) => new Date(Date.now() + 8 * 3_600_000 + offset * 86_400_000).toISOString().slice(0, 10)
  const y = Number(day(0).slice(0, 4))
  const schoolYear = Number(day(0).slice(5, 7)) >= 9 ? `${y}-${y + 1}` : `${y - 1}-${y}`
  const instruments = await psych<{ items: Array<{ id: string; code: string }> }>('GET', '/screening/instruments')
  const gad = instruments.body.items.find((i) => i.code === 'GAD-7')!
  const asq = instruments.body.items.find((i) => i.code === 'ASQ')!
  const campaign = await psych<{ id: string; consentRequired: boolean }>('POST', '/screening/campaigns', {
    name: '七年级心理测评（知情同意）', schoolYear, instrumentIds: [gad.id, asq.id], gradeLevels: [7], startDate: day(-5), endDate: day(20), status: 'open',
  })
  if (campaign.status !== 201 || !campaign.body.consentRequired) throw new Error(`fixture campaign: ${campaign.status}`)
  const id = campaign.body.id
  const roster = async () => (await psych<{ items: Array<{ studentId: string; guardianConsent: string; studentAssent: string }> }>('GET', `/screening/campaigns/${id}/consents?classId=${classId}`)).body.items

  const page = await browser.newPage()
  await loginAs(page, base, 'psych.demo')

  await t.test('the 知情同意 tab: bulk set for selected students, then one student edited', async (t) => {
    await page.goto(`${base}/campaigns/${id}`)
    const pending = page.getByTestId('pending-review')
    await pending.first().waitFor()
    t.equal(await pending.count(), 1, 'one instrument of the campaign awaits review')
    t.match(await page.getByTestId('campaign-instruments').innerText(), /自杀风险筛查问题（ASQ）\s*中文措辞待临床审核/, 'the ASQ’s Chinese wording is shown as awaiting clinical review')
    await page.getByTestId('consent-tab-label').click()
    const tab = page.getByTestId('consent-tab')
    await tab.waitFor()
    const classBox = tab.getByTestId('consent-class')
    if (!(await classBox.innerText()).includes('七年级(1)班')) {
      await classBox.click()
      await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: '七年级(1)班' }).first().click()
    }
    const rows = tab.getByTestId('consent-list').locator('tbody tr.ant-table-row')
    t.equal(await settledCount(rows, pupils.length), pupils.length, 'every enrolled student of the class is listed')
    t.match(await rows.first().innerText(), /未交回/, 'no slip yet: 未交回')
    for (let i = 0; i < 3; i++) await rows.nth(i).locator('input[type="checkbox"]').check()
    t.match(await tab.getByTestId('consent-bulk').innerText(), /已选 3 名学生/)
    await tab.getByTestId('consent-apply').click()
    await page.getByText('已保存 3 名学生的知情同意').waitFor()
    const after = await roster()
    t.same(after.slice(0, 3).map((r) => r.guardianConsent), ['given', 'given', 'given'], 'three slips recorded in one request')
    t.equal(after[3]!.guardianConsent, 'not_returned')

    await rows.nth(3).getByTestId('consent-edit-open').click()
    const dialog = await openedDialog(page)
    await dialog.getByTestId('consent-edit-guardian').click()
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: /^不同意$/ }).click()
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await settledCount(page.getByRole('dialog'), 0)
    await rows.nth(3).getByText('不同意').waitFor()
    t.equal((await roster())[3]!.guardianConsent, 'refused', 'one student changed')
    t.match(await tab.getByTestId('consent-counts').innerText(), /已同意 3 人/)
    t.notMatch(await page.locator('main').innerText(), /\bnot_returned\b|\bnot_asked\b|\bguardianConsent\b|\brefused\b|\bgiven\b/, 'no code words on screen')
    await screenshot(page, 'consent-entry-zh')
    await switchToEnglish(page)
    await tab.getByText('Not returned').first().waitFor()
    t.notMatch(await page.locator('main').innerText(), /\bnot_returned\b|\bnot_asked\b|\bguardianConsent\b/, 'no code words in English either')
    await screenshot(page, 'consent-entry-en')
    await page.getByTestId('lang-switch').getByText('中文').click()
  })

  await t.test('the printable letters: one per student, with the campaign and a reply slip', async (t) => {
    await page.goto(`${base}/campaigns/${id}/consent-letters?classId=${classId}`)
    const letters = page.getByTestId('consent-letter')
    t.equal(await settledCount(letters, pupils.length), pupils.length, 'a letter per student')
    const first = await letters.first().innerText()
    t.match(first, /学生心理健康测评知情同意书/)
    t.match(first, /七年级心理测评（知情同意）/)
    t.match(first, /广泛性焦虑量表/)
    t.match(first, /待临床审核/, 'the ASQ’s wording is marked on the letter too')
    t.match(first, /谁能看到/)
    t.match(first, new RegExp(`学生：${pupils[0]!.name}.*学号：${pupils[0]!.studentNo}`))
    t.match(first, /家长签名/)
    await screenshot(page, 'consent-letters')
  })

  await t.test('an import with a student without consent: the row and the reason in Chinese', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'xinan-consent-'))
    const file = join(dir, 'consent.csv')
    const lines = ['学号,GAD1,GAD2,GAD3,GAD4,GAD5,GAD6,GAD7', ...pupils.slice(0, 4).map((p) => `${p.studentNo},0,1,0,0,0,0,0`)]
    writeFileSync(file, lines.join('\n') + '\n')
    await page.goto(`${base}/campaigns/${id}`)
    await page.getByLabel('选择文件').setInputFiles(file)
    await page.getByTestId('import-box').getByRole('button', { name: /提\s*交/ }).click()
    const errors = page.getByTestId('import-errors')
    await errors.waitFor({ timeout: 60_000 })
    const text = await errors.innerText()
    t.match(text, /5\s+知情同意\s+监护人不同意该学生参加本次测评/, 'row 5 (the refused slip) with its reason')
    t.equal(await settledCount(errors.locator('tbody tr'), 1), 1, 'only that row')
    await screenshot(page, 'consent-import-refused')
  })
}
