import type { Page } from 'playwright-core'
import type { Test } from 'tap'
import { apiAs, demoClassStudents, launchBrowser, loginAs, screenshot, startServer, switchToEnglish } from './harness.js'
import { codeWordsIn, isoDaysIn } from './text-scan.js'

/** Each demo role and the fewest screens its menu had when this was written (it may only grow). */
const ROLES: Array<[username: string, minScreens: number]> = [
  ['psych.demo', 7],
  ['homeroom.demo', 2],
  ['mentor.demo', 1],
  ['monitor.demo', 2],
  ['admin.demo', 6],
  ['district.demo', 1],
]

/**
 * No code words anywhere: every screen of every demo role in one language, read as the user
 * reads it (document.body.innerText), holds no identifier, raw enum value, ISO week or machine
 * timestamp. The screens come from the menu itself: the scan clicks every entry the role's menu
 * offers (and every tab on it), so a screen added tomorrow is scanned without touching the test.
 * One test file per language (text-scan.test.ts, text-scan-en.test.ts), so the two run side by side.
 */
export async function scanEveryScreen(t: Test, locale: 'zh-CN' | 'en'): Promise<void> {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  const students = await demoClassStudents(server)
  const student = students[0]!
  const psych = await apiAs(server, 'psych.demo')
  // Records of many kinds on one student, so the archive's timeline holds more than its empty state.
  const kase = await psych<{ id: string }>('POST', `/students/${student.id}/cases`, { source: 'other', riskLevel: 'orange', summary: '学业压力大' })
  if (kase.status !== 201) throw new Error(`fixture case: ${kase.status}`)
  await psych('POST', `/cases/${kase.body.id}/plan`, { goals: '改善睡眠', measures: '每周一次个体辅导', reviewDate: '2026-12-15' })
  await psych('POST', `/cases/${kase.body.id}/sessions`, { kind: 'individual', sessionDate: '2026-11-20', durationMin: 45, notes: '情绪平稳' })
  const campaigns = await psych<{ items: Array<{ id: string }> }>('GET', '/screening/campaigns')
  const campaignId = campaigns.body.items[0]?.id

  /** Signs in (the form is Chinese: the language is chosen once signed in, and kept per browser). */
  async function signIn(page: Page, username: string): Promise<void> {
    await page.goto(`${base}/login`)
    await page.evaluate<void>('localStorage.removeItem("xinan.locale")')
    await loginAs(page, base, username)
    if (locale === 'en') await switchToEnglish(page)
  }

  /** Waits for the screen to settle: no spinner, no pending skeleton. */
  async function settle(page: Page): Promise<void> {
    await page.waitForLoadState('networkidle').catch(() => undefined)
    await page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined)
    await page.waitForTimeout(150)
  }

  /** Days written in the API's form (2026-12-05) anywhere the scan looked. */
  const isoDays: string[] = []

  /** Scans the screen as it stands and every tab it offers; returns "where: word" findings. */
  async function scanScreen(page: Page, where: string): Promise<string[]> {
    await settle(page)
    const found: string[] = []
    const read = async (label: string) => {
      const text = await page.evaluate<string>('document.body.innerText')
      for (const w of codeWordsIn(text, locale)) found.push(`${label}: ${w}`)
      for (const d of isoDaysIn(text)) isoDays.push(`${label}: ${d}`)
    }
    await read(where)
    const tabs = page.locator('main [role="tab"]')
    const names = (await tabs.allTextContents()).map((s) => s.trim()).filter(Boolean)
    for (const name of names) {
      const tab = page.locator('main').getByRole('tab', { name, exact: true }).first()
      if (!(await tab.isVisible())) continue
      await tab.click()
      await settle(page)
      await read(`${where} › ${name}`)
    }
    return found
  }

  for (const [username, minScreens] of ROLES) {
    await t.test(`${username} (${locale}): every menu screen in words`, async (t) => {
      // Wide enough that the horizontal menu shows every entry (none folded into "…").
      const page = await browser.newPage({ width: 2400, height: 1000 })
      t.teardown(() => page.close())
      await signIn(page, username)
      const menu = page.getByRole('navigation', { name: locale === 'en' ? 'Main menu' : '主菜单' })
      const items = menu.getByRole('menuitem')
      await items.first().waitFor()
      const labels = (await items.allInnerTexts()).map((s) => s.trim()).filter(Boolean)
      t.ok(labels.length >= minScreens, `the menu offers the role's screens (${labels.join('、')})`)
      // None folded into the menu's "…": the scan reaches what the role can reach.
      t.equal(await menu.locator('.ant-menu-overflow-item-rest:not(.ant-menu-overflow-item-rest-hidden)').filter({ visible: true }).count(), 0, 'every entry is on the bar')
      const found: string[] = []
      for (const label of labels) {
        // A drawer or popover a tab left open would cover the menu.
        await page.keyboard.press('Escape')
        const item = menu.getByRole('menuitem', { name: label, exact: true })
        await item.click()
        // The menu marks the entry of the screen shown (from the address): reading the tabs
        // before that would read the previous screen's.
        await item.and(page.locator('.ant-menu-item-selected')).waitFor({ timeout: 10_000 })
        found.push(...await scanScreen(page, label))
        // One picture per screen, of the default language: the English pass is read, not pictured.
        if (locale === 'zh-CN') await screenshot(page, `text-scan-${username.split('.')[0]}-${label.replace(/[^\p{L}\p{N}]+/gu, '-')}`)
      }
      t.same(found, [], 'no code words on any screen')
    })
  }

  await t.test(`records of one student (${locale}): archive, case, campaign`, async (t) => {
    const page = await browser.newPage({ width: 1600, height: 1000 })
    t.teardown(() => page.close())
    await signIn(page, 'psych.demo')
    const found: string[] = []
    await page.goto(`${base}/students/${student.id}`)
    await page.getByTestId('archive-title').waitFor()
    found.push(...await scanScreen(page, 'archive'))
    // The scan ends on the last tab, 谁查看了该学生.
    await screenshot(page, `text-scan-archive-access-${locale}`)
    await page.getByRole('tab').first().click()
    await screenshot(page, `text-scan-archive-${locale}`)
    await page.goto(`${base}/cases/${kase.body.id}`)
    await page.getByTestId('case-title').waitFor()
    found.push(...await scanScreen(page, 'case'))
    if (campaignId) {
      await page.goto(`${base}/campaigns/${campaignId}`)
      found.push(...await scanScreen(page, 'campaign'))
    }
    t.same(found, [], 'no code words on the records of a student')
  })

  await t.test(`one date format on every screen (${locale})`, async (t) => {
    t.same(isoDays, [], 'no day written 2026-12-05')
  })
}
