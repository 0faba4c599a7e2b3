import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { generateTalkDuties, markOverdueDuties } from '../../src/jobs/talk-duties.js'
import { apiAs, browserAvailable, demoClassStudents, launchBrowser, loginAs, overflowsHorizontally, screenshot, startServer, switchToEnglish } from './harness.js'

/** 班主任 at phone width: my class, talks due and overdue, a quick talk log that fulfils the duty, care-list guidance. */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
  // The nightly jobs, as the scheduler would have run them this morning.
  await generateTalkDuties(server.database.db, { today, from: '2026-09-01' })
  await markOverdueDuties(server.database.db, { today })
  const students = await demoClassStudents(server)
  const cared = students[1]!
  const psych = await apiAs(server, 'psych.demo')
  const care = await psych('POST', `/students/${cared.id}/care-list`, {
    riskLevel: 'yellow', reason: '测评提示中度焦虑（临床内容）', guidance: '请多鼓励，留意课间独处，每周简单聊一次。',
  })
  // Fixtures are checked by throwing: a top-level assertion would let tap end the root test early.
  if (care.status !== 201) throw new Error(`fixture: care-list entry: ${care.status}`)

  const page = await browser.newPage({ width: 390, height: 844 })
  await loginAs(page, base, 'homeroom.demo')

  await t.test('my class, at phone width', async (t) => {
    await page.waitForURL(/\/my-class$/)
    const title = page.getByTestId('class-title')
    await title.waitFor()
    await t.resolves(page.getByText('七年级(1)班').first().waitFor())
    const roster = page.getByTestId('class-roster')
    await roster.locator('tbody tr.ant-table-row').first().waitFor()
    t.equal(await roster.locator('tbody tr.ant-table-row').count(), Math.min(students.length, 20), 'the class roster')
    t.match(await roster.innerText(), students[0]!.name)
    t.notOk(await overflowsHorizontally(page), 'no sideways scrolling at 390 px')
    const menu = await page.getByRole('navigation', { name: '主菜单' }).innerText()
    t.notMatch(menu, /工作台|学生查询|心理测评|区域统计/, 'nothing beyond the homeroom teacher’s screen')
    await screenshot(page, 'homeroom-my-class')
  })

  await t.test('care-list guidance, without the clinical reason', async (t) => {
    const list = page.getByTestId('care-list')
    await list.getByText('请多鼓励').waitFor()
    const text = await list.innerText()
    t.match(text, cared.name)
    t.notMatch(text, '临床内容', 'the reason is for psychology teachers only')
  })

  await t.test('log a talk from a due duty: the duty turns done', async (t) => {
    const open = page.getByTestId('duties-open').locator('tbody tr.ant-table-row')
    await open.first().waitFor()
    const before = await open.count()
    const row = open.first()
    const who = (await row.locator('[data-student-ref]').innerText()).split(' · ')[0]!
    const student = students.find((s) => s.name === who)!
    t.ok(student, 'the duty names a student of the class')
    await row.getByRole('button', { name: '记录谈话' }).click()
    const form = page.getByTestId('talk-form')
    await t.resolves(form.getByText(who).filter({ visible: true }).first().waitFor(), 'the form is filled in for that student')
    await form.getByLabel('地点').fill('班主任办公室')
    await form.getByLabel('谈话要点').fill('开学以来适应良好。')
    await form.getByRole('button', { name: /保\s*存/ }).click()
    await page.getByText('谈话已记录').waitFor()
    await screenshot(page, 'homeroom-talk-logged')
    await t.resolves(async () => {
      for (let i = 0; i < 50 && (await open.count()) !== before - 1; i++) await page.waitForTimeout(100)
    })
    t.equal(await open.count(), before - 1, 'one fewer talk due')
    const done = await queryRows<{ n: number }>(server.database.db, sql`
      select count(*)::int as n from talk_duties d join talk_logs l on l.id = d.talk_log_id
      where d.student_id = ${student.id} and d.status in ('done', 'done_late') and l.place = '班主任办公室'`)
    t.equal(done[0]?.n, 1, 'the duty is done on the server, by this talk log')
  })

  await t.test('English at phone width', async (t) => {
    await switchToEnglish(page)
    await page.getByRole('heading', { name: /My class/ }).waitFor()
    t.notOk(await overflowsHorizontally(page), 'no sideways scrolling in English either')
    await screenshot(page, 'homeroom-my-class-en')
  })

  t.same(browser.cspViolations, [], 'no CSP violation')
  t.same(browser.pageErrors, [], 'no uncaught page error')
}
