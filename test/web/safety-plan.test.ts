import t from '../helpers/tap.js'
import type { Locator } from 'playwright-core'
import { referrals } from '../../db/schema/index.js'
import { apiAs, browserAvailable, demoClassStudents, launchBrowser, loginAs, screenshot, settledCount, startServer } from './harness.js'
import { withNotesSchool } from '../../src/crypto/notes-keys.js'

type Row = Record<string, unknown>
type List = { items: Row[]; total: number }

const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)

/**
 * 安全计划 in the browser: the psychology teacher creates a case's plan (step 5 pre-filled),
 * saves a second version, records a 复学 review, sees that review at the referral's 复学 step,
 * and opens the student's printable card on A5 and A4; the paired mentor then sees only the
 * steps addressed to mentors. Every write is checked through the API afterwards.
 */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  const psych = await apiAs(server, 'psych.demo')
  const blank = async (id: string) => {
    for (const path of ['/cases', '/referrals', '/pairings']) {
      if ((await psych<List>('GET', `${path}?studentId=${id}`)).body.total !== 0) return false
    }
    return true
  }
  let student: Awaited<ReturnType<typeof demoClassStudents>>[number] | undefined
  for (const s of (await demoClassStudents(server)).slice(5)) if (await blank(s.id)) { student = s; break }
  if (!student) throw new Error('fixture: no pupil without records in the demo class')
  const kase = await psych<Row>('POST', `/students/${student.id}/cases`, { source: 'other', riskLevel: 'red', summary: '危机后开案（示例）' })
  if (kase.status !== 201) throw new Error(`fixture case: ${kase.status}`)
  const caseId = String(kase.body.id)
  const institution = await psych<Row>('POST', '/institutions', { name: '市精神卫生中心', kind: 'mental_health_centre', contactPhone: '027-8888 0000' })
  if (institution.status !== 201) throw new Error(`fixture institution: ${institution.status}`)
  // A referral back from the institution, waiting for its 复学 assessment.
  const schoolId = String(kase.body.schoolId)
  // The feedback is sealed at rest: written with the school's notes key.
  await withNotesSchool(server.database.db, schoolId, () => server.database.db.insert(referrals).values({
    schoolId, studentId: student.id, caseId, institutionId: String(institution.body.id), reason: '情绪低落，需专科评估', state: 'feedback',
    followUpDate: today(), feedback: '门诊随访中，可复学',
  }))
  const mentors = await psych<List>('GET', '/users?q=mentor.demo')
  const mentor = mentors.body.items.find((u) => u.username === 'mentor.demo')
  if (!mentor) throw new Error('fixture: mentor.demo not listed')
  const pairing = await psych<Row>('POST', `/students/${student.id}/pairings`, { mentorId: mentor.id, purpose: '情绪支持' })
  if (pairing.status !== 201) throw new Error(`fixture pairing: ${pairing.status}`)

  const page = await browser.newPage()
  await loginAs(page, base, 'psych.demo')
  const card = page.getByTestId('case-safety-plan')
  const dialog = (name: string) => page.getByRole('dialog', { name })
  let planId = ''

  async function save(d: Locator) {
    await d.getByRole('button', { name: /保\s*存/ }).click()
    try {
      await d.waitFor({ state: 'hidden' })
    } catch (e) {
      await screenshot(page, 'safety-plan-dialog-stuck')
      throw e
    }
  }

  await t.test('create the plan: six steps and reasons, step 5 pre-filled', async (t) => {
    await page.goto(`${base}/cases/${caseId}`)
    await card.getByTestId('sp-none').waitFor()
    await card.getByRole('button', { name: '制定安全计划' }).click()
    const d = dialog('制定安全计划')
    await d.waitFor()
    // Step 5 comes with the school's institution and the hotlines, editable.
    const step5 = d.getByTestId('sp-professionals')
    await step5.locator('input[value="12356"]').waitFor()
    t.ok(await step5.locator('input[value="市精神卫生中心"]').count() > 0, 'the referral institution is pre-filled')
    await d.getByLabel('1. 预警信号').fill('一个人待在房间不出来\n反复想考试失败')
    await d.getByLabel('2. 自我应对方法').fill('听喜欢的歌\n画画')
    await d.getByLabel('3. 能转移注意的人和场所').fill('去操场找同桌打球')
    await d.getByTestId('sp-helpContacts').getByRole('button', { name: '添加一行' }).click()
    await d.getByLabel('姓名或名称 1').first().fill('妈妈')
    await d.getByLabel('电话 1').first().fill('139 0000 1234')
    await d.getByLabel('6. 让环境更安全').fill('家长把药品收起来')
    await d.getByLabel('活下去的理由').fill('想养一只猫')
    await screenshot(page, 'safety-plan-create-dialog')
    await save(d)
    await card.getByTestId('sp-current-version').getByText('第 1 版').waitFor()
    const plan = await psych<Row>('GET', `/cases/${caseId}/safety-plan`)
    t.equal(plan.status, 200)
    planId = String(plan.body.id)
    const current = plan.body.current as Row
    t.same(current.warningSigns, ['一个人待在房间不出来', '反复想考试失败'])
    t.same(current.helpContacts, [{ name: '妈妈', phone: '139 0000 1234' }])
    t.ok((current.professionals as Row[]).some((p) => p.phone === '12356'), 'the hotline was saved')
    t.same(current.reasonsForLiving, ['想养一只猫'])
  })

  await t.test('edit: a second version, the first still listed', async (t) => {
    await card.getByRole('button', { name: '修改（保存为新版本）' }).click()
    const d = dialog('修改（保存为新版本）')
    await d.waitFor()
    t.equal(await d.getByLabel('活下去的理由').inputValue(), '想养一只猫', 'the dialog starts from the version in force')
    await d.getByLabel('活下去的理由').fill('想养一只猫\n和好朋友约好暑假去海边')
    await save(d)
    await card.getByTestId('sp-current-version').getByText('第 2 版').waitFor()
    await settledCount(card.getByTestId('sp-versions').locator('tbody tr.ant-table-row'), 2)
    const plan = await psych<Row>('GET', `/safety-plans/${planId}`)
    t.equal(plan.body.currentVersion, 2)
    t.same((plan.body.versions as Row[]).map((v) => v.version), [2, 1])
    t.same((plan.body.current as Row).reasonsForLiving, ['想养一只猫', '和好朋友约好暑假去海边'])
    await card.getByTestId('sp-versions').getByRole('button', { name: '查看' }).last().click()
    await page.getByTestId('sp-old-version').getByText('想养一只猫').waitFor()
    t.notOk(await page.getByTestId('sp-old-version').getByText('和好朋友约好暑假去海边').count(), 'version 1 as it was')
    await page.keyboard.press('Escape')
  })

  await t.test('record a 复学 review; the referral’s 复学 step shows it', async (t) => {
    await card.getByRole('button', { name: '记录复查' }).click()
    const d = dialog('记录复查')
    await d.waitFor()
    // On a loaded machine a click can land while the list is still animating in: tried again until the select shows it.
    const field = d.getByLabel('复查时机')
    const select = field.locator('xpath=ancestor::*[contains(concat(" ", normalize-space(@class), " "), " ant-select ")][1]')
    for (let attempt = 0; attempt < 3 && !(await select.innerText()).includes('复学'); attempt++) {
      await field.click()
      const option = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: '复学' })
      await option.waitFor()
      await option.click()
      await settledCount(page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)'), 0)
    }
    t.match(await select.innerText(), '复学', 'the occasion is chosen')
    await d.getByLabel('复查记录').fill('复学前与学生逐条复查，能说出求助电话')
    await save(d)
    await card.getByTestId('sp-last-review').filter({ hasText: '复学' }).waitFor()
    const last = await psych<Row>('GET', `/cases/${caseId}/safety-plan/last-review`)
    t.equal((last.body.lastReview as Row).context, 'return_to_school')
    t.equal((last.body.lastReview as Row).reviewedOn, today())

    await page.getByTestId('case-referrals').getByRole('button', { name: '推进转介' }).click()
    const step = dialog('推进转介')
    await step.waitFor()
    const shown = step.getByTestId('sp-return-review-date')
    await step.getByTestId('sp-return-review-date').filter({ hasText: '复学' }).waitFor()
    const text = await shown.innerText()
    const [y, m, dd] = today().split('-')
    t.ok(text.includes(`${y}`) && text.includes(String(Number(m))) && text.includes(String(Number(dd))), `the date of the last review is shown: ${text}`)
    await screenshot(page, 'safety-plan-return-to-school-step')
    await step.getByRole('button', { name: /取\s*消/ }).click()
  })

  await t.test('print: the student’s card on A5 and A4, with the hotlines', async (t) => {
    await card.getByTestId('sp-print').click()
    await page.waitForURL(/\/safety-plans\/[0-9a-f-]{36}\/print$/)
    const sheet = page.getByTestId('sp-sheet')
    await sheet.waitFor()
    t.equal(await sheet.getAttribute('data-paper'), 'A5', 'A5 by default')
    t.match(await sheet.innerText(), /我的安全计划/)
    t.match(await page.getByTestId('sp-print-reasons').innerText(), /和好朋友约好暑假去海边/)
    const hotlines = await page.getByTestId('sp-print-hotlines').innerText()
    for (const n of ['12356', '120', '110']) t.match(hotlines, n)
    t.match(await sheet.innerText(), student!.name)
    await screenshot(page, 'safety-plan-print-a5')
    await page.getByTestId('sp-paper').getByText('A4').click()
    t.equal(await sheet.getAttribute('data-paper'), 'A4')
    await page.emulateMedia({ media: 'print' })
    t.equal(await page.locator('.xa-no-print').first().isVisible(), false, 'the buttons are not printed')
    await screenshot(page, 'safety-plan-print-a4')
    await page.emulateMedia({ media: 'screen' })
  })

  await t.test('the paired mentor sees steps 2, 3 and the reasons only', async (t) => {
    const m = await browser.newPage()
    await loginAs(m, base, 'mentor.demo')
    await m.goto(`${base}/mentor`)
    const part = m.getByTestId('mentor-safety-plans')
    await part.getByText('和好朋友约好暑假去海边').waitFor()
    const text = await part.innerText()
    t.match(text, '听喜欢的歌')
    t.match(text, '去操场找同桌打球')
    t.notMatch(text, '房间', 'no warning signs')
    t.notMatch(text, '139 0000 1234', 'no phone numbers of step 4')
    t.notMatch(text, '药品', 'no means of step 6')
    await screenshot(m, 'safety-plan-mentor')
    await m.close()
  })

  t.same(browser.pageErrors, [], 'no script errors')
  t.same(browser.cspViolations, [], 'no CSP violations')
}
