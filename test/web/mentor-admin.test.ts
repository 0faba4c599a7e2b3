import t from 'tap'
import { apiAs, browserAvailable, demoClassStudents, launchBrowser, loginAs, screenshot, startServer } from './harness.js'

/** 结对教师 sees the paired student and the guidance addressed to them; 学校管理员 gets the roster. */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  const student = (await demoClassStudents(server))[3]!
  const mentor = await apiAs(server, 'mentor.demo')
  const mentorId = (await mentor<{ id: string }>('GET', '/auth/me')).body.id
  const psych = await apiAs(server, 'psych.demo')
  const pairing = await psych('POST', `/students/${student.id}/pairings`, { mentorId, purpose: '学业与情绪陪伴', frequency: 'weekly', guidance: '每周约谈一次，多肯定进步。' })
  if (pairing.status !== 201) throw new Error(`fixture pairing: ${pairing.status}`)

  await t.test('the mentor: paired student and guidance', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'mentor.demo')
    await page.waitForURL(/\/mentor$/)
    const list = page.getByTestId('pairings')
    await list.getByText('每周约谈一次，多肯定进步。').waitFor()
    await t.resolves(list.getByText(student.name).waitFor(), 'the paired student by name (the mentor may read them while paired)')
    await screenshot(page, 'mentor-pairings')
    await page.close()
  })

  await t.test('the school admin: the roster', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'admin.demo')
    await page.waitForURL(/\/students$/)
    const rows = page.getByTestId('student-results').locator('tbody tr.ant-table-row')
    await rows.first().waitFor()
    t.match(await page.getByTestId('student-results').innerText(), /2026\d{4}/, 'students with their 学号')
    const menu = await page.getByRole('navigation', { name: '主菜单' }).innerText()
    t.match(menu, '学生名册')
    t.notMatch(menu, /工作台|心理测评/, 'no case work for the school admin')
    await screenshot(page, 'admin-roster')
    await page.close()
  })

  t.same(browser.cspViolations, [], 'no CSP violation')
  t.same(browser.pageErrors, [], 'no uncaught page error')
}
