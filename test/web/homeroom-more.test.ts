import t from '../helpers/tap.js'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { generateTalkDuties, markOverdueDuties } from '../../src/jobs/talk-duties.js'
import { ARTIFACTS, apiAs, browserAvailable, demoClassStudents, launchBrowser, loginAs, overflowsHorizontally, screenshot, settledCount, startServer, switchToEnglish } from './harness.js'

/**
 * The smaller screens, read as a user reads them: the homeroom teacher's completion rate and talk history
 * (and the 记录谈话 action at phone width), the printed 转介单 with the school's name and
 * every page of it, and the district chart marking a withheld cell instead of drawing nothing.
 */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  const { db } = server.database
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
  await generateTalkDuties(db, { today, from: '2026-09-01' })
  await markOverdueDuties(db, { today })
  const students = await demoClassStudents(server)
  const classId = students[0]!.classId
  // Twelve talks (more than one page of the history), each fulfilling a semester duty.
  const homeroom = await apiAs(server, 'homeroom.demo')
  for (const s of students.slice(0, 12)) {
    const r = await homeroom('POST', '/talks/logs', { studentId: s.id, talkDate: today, kind: 'semester', place: '教室' })
    // Fixtures are checked by throwing: a top-level assertion would let tap end the root test early.
    if (r.status !== 201) throw new Error(`fixture: talk log: ${r.status} ${JSON.stringify(r.body)}`)
  }
  const logCount = (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from talk_logs where class_id = ${classId}`))[0]!.n
  // The class's rate as the screen should compute it: each kind's latest period begun by today.
  const [rate] = await queryRows<{ held: number; due: number }>(db, sql`
    with cur as (
      select kind, max(window_start) as ws from talk_duties where class_id = ${classId} and window_start <= ${today}::date group by kind
    )
    select (count(*) filter (where d.status in ('done', 'done_late')))::int as held, count(*)::int as due
    from talk_duties d join cur on cur.kind = d.kind and cur.ws = d.window_start where d.class_id = ${classId}`)
  const semester = (await queryRows<{ held: number; due: number }>(db, sql`
    select (count(*) filter (where status in ('done', 'done_late')))::int as held, count(*)::int as due
    from talk_duties where class_id = ${classId} and kind = 'semester' and window_key = '2026-2027-1'`))[0]!
  const [school] = await queryRows<{ name: string }>(db, sql`select name from schools where code = 'DEMO-001'`)
  const psych = await apiAs(server, 'psych.demo')
  const referrals = await psych<{ items: Array<{ id: string; state: string }> }>('GET', '/referrals?limit=50')
  const printable = referrals.body.items.find((r) => !['proposed', 'withdrawn'].includes(r.state))
  if (!printable || !school) throw new Error('fixture: the demo has a referral past consent and a school')

  await t.test('homeroom at 390 px: this period, the class rate, periods in words', async (t) => {
    const page = await browser.newPage({ width: 390, height: 844 })
    await loginAs(page, base, 'homeroom.demo')
    await page.waitForURL(/\/my-class$/)
    const progress = page.getByTestId('talk-progress')
    await progress.getByTestId('talk-windows').waitFor()
    const expected = rate!.due > 0 ? Math.round((1000 * rate!.held) / rate!.due) / 10 : 0
    t.ok(semester.held >= 12, `the twelve talks fulfilled semester duties (${semester.held} of ${semester.due})`)
    const classRate = await page.getByTestId('class-rate').innerText()
    t.match(classRate, `${expected}%`, `the class rate: ${rate!.held} of ${rate!.due}`)
    t.match(classRate, `已谈 ${rate!.held} / 应谈 ${rate!.due} 人次`)
    const semesterRow = progress.locator('li[data-kind="semester"]')
    t.match(await semesterRow.innerText(), '2026年秋季学期', 'the term in words')
    t.match(await semesterRow.innerText(), `已谈 ${semester.held} / 应谈 ${semester.due} 人`, 'talks held this term')
    const text = await progress.innerText()
    t.notMatch(text, /holiday:|\d{4}-\d{4}-[12]|windowKey|semester|monthly/, 'no period key or code word on screen')
    if (await progress.locator('li[data-kind="holiday_return"]').count()) {
      t.match(await progress.locator('li[data-kind="holiday_return"]').innerText(), /返校/, 'a return talk names its holiday')
    }
    t.notOk(await overflowsHorizontally(page), 'no sideways scrolling at 390 px')
    await screenshot(page, 'homeroom-more-progress')

    // The history: the server's pages, the kind in words.
    const history = page.getByTestId('talk-history')
    await history.locator('tbody tr.ant-table-row').first().waitFor()
    t.match(await history.innerText(), `共 ${logCount} 条`, 'the total from the server')
    t.equal(await history.locator('tbody tr.ant-table-row').count(), 10, 'ten to a page')
    const first = await history.locator('tbody tr.ant-table-row').first().innerText()
    // The demo's own talks may share today's date (in Asia/Shanghai): find one this test logged.
    const shown = await history.locator('tbody tr.ant-table-row').allInnerTexts()
    const mine = shown.find((r) => students.slice(0, 12).some((s) => r.includes(s.name)) && r.includes('每学期必谈'))
    t.ok(mine, 'a talk logged above: the student by name, the kind in words')
    const [y, m, d] = today.split('-').map(Number)
    t.match(mine ?? '', new RegExp(`${today}|${y}年${m}月${d}日`), 'the date of the talk')
    t.notMatch(shown.join('\n'), /\b(semester|monthly|holiday_return)\b/, 'no kind as a code')
    await history.locator('.ant-pagination-item-2').click()
    await history.locator('.ant-pagination-item-2.ant-pagination-item-active').waitFor()
    const rows = history.locator('tbody tr.ant-table-row')
    for (let i = 0; i < 50 && (await rows.first().innerText()) === first; i++) await page.waitForTimeout(100)
    t.not(await rows.first().innerText(), first, 'page 2 shows other talks')
    t.equal(await settledCount(rows, Math.min(10, logCount - 10)), Math.min(10, logCount - 10), 'as many as the server has for page 2')
    await history.scrollIntoViewIfNeeded()
    await screenshot(page, 'homeroom-more-history')

    // 记录谈话 on a due talk, reachable without scrolling sideways.
    const due = page.getByTestId('duties-open').or(page.getByTestId('duties-overdue')).first()
    const action = due.getByRole('button', { name: '记录谈话' }).first()
    await action.scrollIntoViewIfNeeded()
    const box = await action.boundingBox()
    t.ok(box && box.x >= 0 && box.x + box.width <= 390, `the action lies inside the 390 px screen (${box?.x}–${box ? box.x + box.width : '?'})`)
    t.equal(await page.evaluate('window.scrollX'), 0, 'the page did not scroll sideways to show it')
    const who = (await due.locator('tbody tr.ant-table-row').first().locator('[data-student-ref]').innerText()).split(' · ')[0]!
    await action.click()
    await t.resolves(page.getByTestId('talk-form').getByText(who).filter({ visible: true }).first().waitFor(), 'the action fills in the talk form')
    t.notOk(await overflowsHorizontally(page), 'still no sideways scrolling')
    await screenshot(page, 'homeroom-more-action')

    await switchToEnglish(page)
    await page.getByRole('heading', { name: 'Talks this period' }).waitFor()
    t.match(await semesterRow.innerText(), 'Autumn term 2026', 'the term in English words')
    if (await progress.locator('li[data-kind="holiday_return"]').count()) {
      t.match(await progress.locator('li[data-kind="holiday_return"]').innerText(), /Back from \S/, 'the return talk in English')
    }
    t.match(await page.getByTestId('class-rate').innerText(), `${rate!.held} of ${rate!.due} talks held`)
    t.notMatch(await progress.innerText(), /holiday:|\d{4}-\d{4}-[12]|windowKey|holiday_return/, 'no code word in English either')
    await screenshot(page, 'homeroom-more-progress-en')
    // The language is kept per browser profile: back to Chinese for the screens that follow.
    await page.getByTestId('lang-switch').getByText('中文').click()
    await page.close()
  })

  await t.test('psych: the printed 转介单 names the school and prints whole', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'psych.demo')
    await page.goto(`${base}/referrals/${printable.id}/print`)
    const form = page.getByTestId('referral-form')
    await form.getByText('学生心理健康转介单').waitFor()
    // innerText stops at the shadow root; locators reach into it.
    await t.resolves(form.getByText(`转出学校：${school.name}`).waitFor(), 'the sending school by name')
    await screenshot(page, 'referral-print-screen')

    await page.emulateMedia({ media: 'print' })
    t.notOk(await page.getByRole('button', { name: /打\s*印/ }).isVisible(), 'the buttons are not printed')
    const notice = form.getByText('本转介单含未成年人个人敏感信息')
    t.ok(await notice.isVisible(), 'the last line of the form is on the printed page')
    const clipped = await page.evaluate(`(() => {
      const host = document.querySelector('[data-testid="referral-form"]')
      const last = host.shadowRoot.querySelector('.notice').getBoundingClientRect()
      for (let el = host; el; el = el.parentElement) {
        const s = getComputedStyle(el)
        const r = el.getBoundingClientRect()
        if (s.overflowY !== 'visible' && r.bottom < last.bottom) return el.className || el.tagName
      }
      return null
    })()`)
    t.equal(clipped, null, 'no ancestor cuts the form off')
    await screenshot(page, 'referral-print-media-print')
    const pdf = await page.pdf({ path: join(ARTIFACTS, 'referral-print.pdf'), format: 'A4', preferCSSPageSize: true })
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page\b(?!s)/g) ?? []).length
    t.ok(pages >= 1 && pages <= 3, `printed on ${pages} A4 page(s)`)
    await page.emulateMedia({ media: 'screen' })
    await page.close()
  })

  await t.test('district: a withheld cell is drawn as withheld', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'district.demo')
    const chart = page.getByTestId('risk-chart')
    await chart.locator('canvas').first().waitFor()
    const marked = Number(await chart.getAttribute('data-withheld'))
    t.ok(marked > 0, `the demo district has withheld cells in the chart (${marked})`)
    // ECharts' aria description lists the series it drew: the withheld blocks are one of them.
    const described = await chart.locator('[aria-label]').first().getAttribute('aria-label')
    t.match(described, '已隐去（人数过少）', 'the chart draws a withheld series')
    t.match(await page.getByTestId('chart-withheld').innerText(), /斜线方块.*不代表人数/, 'the note explains the hatched blocks')
    await chart.scrollIntoViewIfNeeded()
    await chart.screenshot({ path: (await screenshot(page, 'district-withheld-page')).replace(/page\.png$/, 'chart.png') })
    await page.close()
  })

  t.same(browser.cspViolations, [], 'no CSP violation')
  t.same(browser.pageErrors, [], 'no uncaught page error')
}
