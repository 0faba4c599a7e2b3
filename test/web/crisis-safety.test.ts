import t from '../helpers/tap.js'
import type { Locator, Page } from 'playwright-core'
import { apiAs, browserAvailable, demoClassStudents, launchBrowser, loginAs, openedDialog, screenshot, startServer } from './harness.js'

/**
 * 危机事件 → 简要自杀安全评估: the psychology teacher fills the assessment rendered from the
 * form definition, chooses the emergency disposition (an urgent referral), records who was
 * told, and sees what still blocks resolution (the same-day parent contact).
 */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  const psych = await apiAs(server, 'psych.demo')
  const student = (await demoClassStudents(server))[3]!
  const summary = `课间自述不想活了（浏览器测试${Date.now() % 10_000}）`
  const crisis = await psych<{ id: string }>('POST', `/students/${student.id}/crisis-events`, { summary })
  if (crisis.status !== 201) throw new Error(`fixture crisis: ${crisis.status}`)
  const institution = await psych<{ id: string }>('POST', '/institutions', { name: '市精神卫生中心（急诊）', kind: 'mental_health_centre' })
  if (institution.status !== 201) throw new Error(`fixture institution: ${institution.status}`)

  await t.test('the assessment with an emergency disposition, and who was told', async (t) => {
    const page: Page = await browser.newPage()
    await loginAs(page, base, 'psych.demo')
    await page.goto(`${base}/crises`)
    const row = page.getByTestId('crisis-events').locator('tbody tr.ant-table-row').filter({ hasText: summary })
    await row.getByTestId('crisis-safety-open').click()
    const dialog = await openedDialog(page)
    const blockers = dialog.getByTestId('safety-blockers')
    await blockers.waitFor()
    t.same(await missingOf(blockers),
      ['assessment', 'homeroom_told', 'guardian_told_or_reason'], 'what blocks resolution, before anything is recorded')
    t.ok(await dialog.getByTestId('review-flag').count() > 5, 'unreviewed Chinese wording is flagged 待临床审核')
    t.match(await dialog.getByTestId('form-licence').innerText(), /public domain/)

    // The school replaces one item's Chinese wording; the form asks it so, flagged 本校措辞.
    await page.getByTestId('wording-open').click()
    const wording = await openedDialog(page, '修改评估表的中文措辞')
    const intent = wording.getByTestId('wording-hasIntent')
    t.equal(await intent.inputValue(), '你打算按这个想法（或计划）去做吗？', 'the input starts from the current Chinese wording')
    await intent.fill('你打算真的按这个想法去做吗？')
    await wording.getByRole('button', { name: '保存措辞' }).click()
    await wording.waitFor({ state: 'detached' })
    const label = page.getByTestId('assessment-form').locator('label').filter({ hasText: '你打算真的按这个想法去做吗？' })
    await t.resolves(label.waitFor(), 'the form shows the school wording')
    t.equal(await label.getByTestId('school-wording-flag').innerText(), '本校措辞')
    t.equal(await label.getByTestId('review-flag').count(), 0, 'not flagged 待临床审核')

    const form = dialog.getByTestId('assessment-form')
    const pick = (key: string, text: string) => form.getByTestId(`item-${key}`).getByText(text, { exact: true }).click()
    await pick('thoughtsFrequency', '每天或几乎每天')
    await pick('thoughtsLast', '今天（包括此刻）')
    await pick('hasPlan', '是')
    // The plan's details are asked only after a yes (the definition's condition).
    await form.getByTestId('item-planDetail').fill('想从教学楼顶楼跳下')
    await pick('hasIntent', '否')
    await pick('meansAccess', '是')
    await form.getByTestId('item-meansDetail').fill('教学楼天台门未上锁，已通知后勤锁门')
    await pick('pastAttempt', '否')
    await pick('riskFactors', '绝望感')
    await pick('protectiveFactors', '有可以倾诉的可信任成人')
    await form.getByTestId('disposition').getByText('紧急转介', { exact: true }).click()
    await choose(page, form.getByTestId('referral-institution'), '市精神卫生中心（急诊）')
    await form.getByTestId('referral-reason').fill('有具体计划且可获得手段，需当日急诊精神科评估')
    await screenshot(page, 'crisis-safety-form')
    await form.getByTestId('assessment-save').click()

    await t.resolves(dialog.getByTestId('assessment-summary').waitFor(), 'the recorded assessment replaces the form')
    t.equal(await dialog.getByTestId('assessment-disposition').innerText(), '紧急转介')
    await dialog.locator('li[data-missing="parent_contact"]').waitFor()

    const told = dialog.getByTestId('told-form')
    await choose(page, told.getByTestId('told-role'), '班主任')
    await choose(page, told.getByTestId('told-channel'), '当面')
    await told.getByTestId('told-add').click()
    await dialog.getByTestId('disclosures').getByText('班主任').waitFor()
    await choose(page, told.getByTestId('told-role'), '监护人')
    await choose(page, told.getByTestId('told-channel'), '电话')
    await told.getByTestId('told-add').click()
    await dialog.getByTestId('disclosures').getByText('监护人').waitFor()

    // Only the same-day parent contact is left.
    await dialog.locator('li[data-missing="homeroom_told"]').waitFor({ state: 'detached' })
    await dialog.locator('li[data-missing="guardian_told_or_reason"]').waitFor({ state: 'detached' })
    t.same(await missingOf(dialog.getByTestId('safety-blockers')), ['parent_contact'])
    t.notMatch(await dialog.innerText(), /\b[a-z]+_[a-z_]+\b|\bemergency\b|\bhomeroom\b/, 'no code words on the screen')
    await screenshot(page, 'crisis-safety-emergency')

    // What the screen did, through the API: the referral is urgent; the parent contact is due today.
    const assessment = await psych<{ referralId: string; disposition: string }>('GET', `/crisis-events/${crisis.body.id}/assessment`)
    t.equal(assessment.body.disposition, 'emergency')
    const referral = await psych<{ urgent: boolean; state: string }>('GET', `/referrals/${assessment.body.referralId}`)
    t.match(referral.body, { urgent: true, state: 'proposed' })
    const event = await psych<{ parentContactDueOn: string; safety: { missing: string[] } }>('GET', `/crisis-events/${crisis.body.id}`)
    t.ok(event.body.parentContactDueOn)
    t.same(event.body.safety.missing, ['parent_contact'])
    t.same(browser.pageErrors, [], 'no script errors')
  })
}

/** The codes of what the blocker list names, in its order. */
async function missingOf(blockers: Locator): Promise<Array<string | null>> {
  return Promise.all((await blockers.locator('li').all()).map((li) => li.getAttribute('data-missing')))
}

/** Opens an antd select and picks the option with this text. */
async function choose(page: Page, field: Locator, option: string) {
  await field.click()
  const open = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)')
  await open.locator('.ant-select-item-option').filter({ hasText: option }).first().click()
  await open.waitFor({ state: 'hidden' }).catch(() => undefined)
}
