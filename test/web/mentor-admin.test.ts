import t from '../helpers/tap.js'
import { apiAs, browserAvailable, demoClassStudents, launchBrowser, loginAs, openedDialog, screenshot, startServer } from './harness.js'

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

    // 记录联系: the mentor logs a contact with the paired student from the pairing's row.
    await list.locator('tr').filter({ hasText: student.name }).getByTestId('log-contact').click()
    const dialog = await openedDialog(page)
    await dialog.getByLabel('简要记录').fill('课间聊了聊期中复习的安排，情绪平稳。')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.waitFor({ state: 'detached' })
    await page.getByTestId('mentor-contacts').locator('tr').filter({ hasText: '课间聊了聊期中复习的安排' }).getByText('谈心').waitFor()
    const logged = await mentor<{ items: Array<{ studentId: string; kind: string; summary: string }> }>('GET', '/mentor-contacts?limit=200')
    t.same(logged.body.items.filter((c) => c.summary === '课间聊了聊期中复习的安排，情绪平稳。').map((c) => [c.studentId, c.kind]), [[student.id, 'talk']], 'the contact reached the server')
    await screenshot(page, 'mentor-contact-logged')
    await page.close()
  })

  await t.test('notifications: the psychology teacher sees a monitor\'s alert under the bell and opens it', async (t) => {
    const monitor = await apiAs(server, 'monitor.demo')
    const alert = await monitor('POST', '/peer-alerts', { studentNo: student.studentNo, urgency: 'high', whatSeen: '同学说最近睡不着。' })
    t.equal(alert.status, 201, 'fixture: an alert from the class monitor')
    const unreadBefore = (await psych<{ total: number }>('GET', '/notifications?unread=true&limit=1')).body.total
    t.ok(unreadBefore >= 1, 'the alert notified the psychology teacher')
    const page = await browser.newPage()
    await loginAs(page, base, 'psych.demo')
    const bell = page.getByTestId('notification-bell')
    await page.getByRole('button', { name: `通知（${unreadBefore} 条未读）` }).waitFor()
    await bell.click()
    const entry = page.getByTestId('notification-list').locator('[data-unread="true"]').filter({ hasText: '收到心理委员的预警' }).first()
    await entry.waitFor()
    await screenshot(page, 'psych-notifications')
    await entry.click()
    // The notification opens the alert it is about.
    await page.waitForURL(/\/alerts\/[0-9a-f-]{36}$/)
    await page.getByRole('button', { name: `通知（${unreadBefore - 1} 条未读）` }).waitFor()
    const unreadAfter = (await psych<{ total: number }>('GET', '/notifications?unread=true&limit=1')).body.total
    t.equal(unreadAfter, unreadBefore - 1, 'opening it marked it read on the server')
    await page.close()
  })

  await t.test('crisis events: the list with filters; acknowledge and reach the first steps from the event (no case needed)', async (t) => {
    const summary = `课间在楼梯口独自哭泣，说不想活了 ${Date.now()}`
    const made = await psych<{ id: string }>('POST', `/students/${student.id}/crisis-events`, { summary })
    t.equal(made.status, 201, 'fixture: a crisis event without a case')
    const page = await browser.newPage()
    await loginAs(page, base, 'psych.demo')
    await page.getByRole('navigation', { name: '主菜单' }).getByText('危机事件').click()
    await page.waitForURL(/\/crises$/)
    const table = page.getByTestId('crisis-events')
    await page.getByTestId('crisis-filter').getByText('未确认').click()
    const row = table.locator('tr').filter({ hasText: summary })
    await row.getByRole('button', { name: /确认接收/ }).click()
    await row.waitFor({ state: 'detached' })
    await page.getByTestId('crisis-filter').getByText('已确认').click()
    await table.locator('tr').filter({ hasText: summary }).getByRole('button', { name: /处置清单/ }).waitFor()
    const after = await psych<{ status: string; caseId: string | null }>('GET', `/crisis-events/${made.body.id}`)
    t.same([after.body.status, after.body.caseId], ['acknowledged', null], 'acknowledged on the server, and still listed')
    await page.getByTestId('crisis-filter').getByText('全部').click()
    await table.locator('tr').filter({ hasText: summary }).waitFor()
    await screenshot(page, 'psych-crisis-list')
    t.notMatch(await page.locator('main').innerText(), /\b(acknowledged|safety_rule|manual|open)\b/, 'no code words on screen')
    await page.close()
  })

  await t.test('everyone: change my password', async (t) => {
    const admin = await apiAs(server, 'admin.demo')
    const username = `li.${Date.now().toString(36)}`
    const first = 'First-password-2026'
    const made = await admin('POST', '/users', { username, displayName: '李老师', password: first, roles: [{ role: 'mentor' }] })
    t.equal(made.status, 201, 'fixture: a new mentor account')
    // One whose owner already replaced the admin's password (the forced first change: account-security.test.ts).
    const { sql } = await import('drizzle-orm')
    await server.database.db.execute(sql`update users set must_change_password = false where username = ${username}`)
    const page = await browser.newPage()
    await page.goto(`${base}/login`)
    await page.getByLabel('用户名').fill(username)
    await page.getByLabel('密码').fill(first)
    await page.getByRole('button', { name: /登\s*录/ }).click()
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    await page.getByTestId('change-password').click()
    const dialog = await openedDialog(page)
    const next = 'Second-password-2026!'
    await dialog.getByLabel('当前密码').fill(first)
    await dialog.getByLabel('新密码', { exact: true }).fill(next)
    await dialog.getByLabel('再次输入新密码').fill(next + 'x')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.getByText('两次输入的新密码不一致').waitFor()
    await dialog.getByLabel('再次输入新密码').fill(next)
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.waitFor({ state: 'detached' })
    const signIn = (password: string) => fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })
    t.equal((await signIn(next)).status, 200, 'the new password signs in')
    t.not((await signIn(first)).status, 200, 'the old one does not')
    await page.reload()
    await page.getByTestId('current-user').getByText('李老师').waitFor()
    t.notOk(page.url().includes('/login'), 'this tab stays signed in with the fresh session')
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

  await t.test('the school admin: open an account with a role, grant and revoke, disable', async (t) => {
    const admin = await apiAs(server, 'admin.demo')
    const username = `zhang.${Date.now().toString(36)}`
    const page = await browser.newPage()
    await loginAs(page, base, 'admin.demo')
    await page.getByRole('navigation', { name: '主菜单' }).getByText('账号与角色').click()
    await page.waitForURL(/\/accounts$/)
    await page.getByTestId('accounts').locator('tbody tr.ant-table-row').first().waitFor()

    await page.getByTestId('new-account').click()
    const dialog = await openedDialog(page)
    await dialog.getByLabel('姓名').fill('张老师')
    await dialog.getByLabel('用户名').fill(username)
    const password = await dialog.getByTestId('initial-password').inputValue()
    t.match(password, /^[A-Za-z2-9]{16}$/, 'an initial password is generated for the admin')
    await dialog.getByLabel('角色').click()
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: '班主任' }).first().click()
    await dialog.getByLabel('班级').click()
    // The option list is virtual (only the visible options exist): type to bring the class up.
    await dialog.getByLabel('班级').fill('七年级(2)')
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: '七年级(2)班' }).first().click()
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await t.resolves(page.getByTestId('created-password').getByText(password).waitFor(), 'the password is shown once to hand over')
    await screenshot(page, 'admin-account-created')
    await page.getByRole('button', { name: /知道了|OK|确\s*定/ }).click()

    const found = await admin<{ items: Array<{ id: string; username: string; status: string }> }>('GET', `/users?q=${username}`)
    const created = found.body.items.find((u) => u.username === username)
    t.ok(created, 'the account exists on the server')
    const roles = async () => (await admin<Array<{ id: string; role: string; classId: string | null }> | { items: Array<{ id: string; role: string }> }>('GET', `/users/${created!.id}/roles`)).body
    const list = async () => { const r = await roles(); return Array.isArray(r) ? r : r.items }
    t.same((await list()).map((r) => r.role), ['homeroom_teacher'], 'with the homeroom role')
    const signIn = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })
    t.equal(signIn.status, 200, 'the new teacher signs in with the password shown')

    // Roles: grant 结对教师, then revoke the homeroom role.
    await page.getByTestId('account-search').locator('input').fill(username)
    await page.getByTestId('account-search').locator('input').press('Enter')
    const row = page.getByTestId('accounts').locator('tbody tr.ant-table-row').filter({ hasText: username })
    await row.getByRole('button', { name: /角\s*色/ }).click()
    const drawer = page.getByTestId('roles-drawer')
    await drawer.getByTestId('role-list').getByText('班主任').waitFor()
    await drawer.getByRole('combobox', { name: '角色' }).click()
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: '结对教师' }).first().click()
    await drawer.getByRole('button', { name: /授予角色/ }).click()
    await drawer.getByTestId('role-list').getByText('结对教师').waitFor()
    await drawer.getByTestId('role-list').locator('tr').filter({ hasText: '班主任' }).getByRole('button', { name: /撤\s*销/ }).click()
    await page.locator('.ant-popconfirm').getByRole('button', { name: /撤\s*销/ }).click()
    await drawer.getByTestId('role-list').getByText('班主任').waitFor({ state: 'detached' })
    t.same((await list()).map((r) => r.role), ['mentor'], 'grant and revoke reached the server')
    await screenshot(page, 'admin-account-roles')
    await drawer.getByRole('button', { name: /Close|关\s*闭/ }).click()

    await row.getByRole('button', { name: /停\s*用/ }).click()
    await page.locator('.ant-popconfirm').getByRole('button', { name: /停\s*用/ }).click()
    await row.getByText('已停用').waitFor()
    const after = await admin<{ status: string }>('GET', `/users/${created!.id}`)
    t.equal(after.body.status, 'disabled', 'disabled on the server')
    const refused = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })
    t.not(refused.status, 200, 'a disabled account cannot sign in')
    t.notMatch(await page.locator('main').innerText(), /homeroom_teacher|peer_monitor|school_admin|disabled\b/, 'no code words on screen')
    await page.close()
  })

  await t.test('the school admin: a class, a major holiday and the talk rules from the settings screen', async (t) => {
    const admin = await apiAs(server, 'admin.demo')
    const page = await browser.newPage()
    await loginAs(page, base, 'admin.demo')
    await page.getByRole('navigation', { name: '主菜单' }).getByText('学校设置').click()
    await page.waitForURL(/\/school-settings$/)
    const grade7 = page.getByTestId('grade-7')
    await grade7.getByText('七年级(1)班').waitFor()
    const before = (await admin<{ items: Array<{ name: string; gradeId: string }> }>('GET', '/classes?limit=500')).body.items
    await page.getByTestId('add-class-7').click()
    const dialog = await openedDialog(page)
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.waitFor({ state: 'detached' })
    const after = (await admin<{ items: Array<{ name: string }> }>('GET', '/classes?limit=500')).body.items
    const added = after.filter((c) => !before.some((b) => b.name === c.name))
    t.equal(added.length, 1, 'one class added')
    t.match(added[0]?.name ?? '', /^七年级\(\d+\)班$/, 'named from its grade and number')
    await grade7.getByText(added[0]!.name).waitFor()

    await page.getByRole('tab', { name: '校历' }).click()
    await page.getByTestId('add-holiday').click()
    const hd = await openedDialog(page)
    await hd.getByLabel('名称').fill('校庆日')
    const range = hd.locator('.ant-picker-range input')
    // Typed dates are taken when the field loses focus (Enter would submit the dialog).
    await range.nth(0).click()
    await range.nth(0).fill('2027-04-20')
    await range.nth(1).click()
    await range.nth(1).fill('2027-04-21')
    await hd.getByLabel('名称').click()
    await hd.getByRole('checkbox', { name: '重大节假日' }).check()
    await hd.getByRole('button', { name: /保\s*存/ }).click()
    await hd.waitFor({ state: 'detached' })
    await page.getByTestId('holidays').getByText('校庆日').waitFor()
    const holidays = (await admin<{ items: Array<{ name: string; startDate: string; endDate: string; major: boolean }> }>('GET', '/calendar/holidays?limit=200')).body.items
    t.same(holidays.filter((h) => h.name === '校庆日').map((h) => [h.startDate, h.endDate, h.major]), [['2027-04-20', '2027-04-21', true]], 'the holiday reached the server')

    await page.getByRole('tab', { name: '三个必谈规则' }).click()
    const rules = page.getByTestId('talk-rules')
    await rules.getByText('每月必谈').waitFor()
    await page.getByLabel('每月必谈 谈话对象').click()
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: '仅关注名单学生' }).first().click()
    await page.getByLabel('节假日返校必谈 完成期限（上学日）').fill('3')
    const put = page.waitForResponse((r) => r.url().endsWith('/api/v1/talks/rules') && r.request().method() === 'PUT')
    await page.getByTestId('save-rules').click()
    t.equal((await put).status(), 200, 'the rules were saved')
    const saved = (await admin<{ items: Array<{ kind: string; target: string; withinSchoolDays: number | null; isDefault: boolean }> }>('GET', '/talks/rules')).body.items
    t.same(saved.filter((r) => r.kind !== 'semester').map((r) => [r.kind, r.target, r.withinSchoolDays, r.isDefault]),
      [['monthly', 'care_list', null, false], ['holiday_return', 'all', 3, false]], 'the rules reached the server')
    await screenshot(page, 'admin-school-settings')
    t.notMatch(await page.locator('main').innerText(), /care_list|holiday_return|withinSchoolDays|semester\b/, 'no code words on screen')
    await page.close()
  })

  t.same(browser.cspViolations, [], 'no CSP violation')
  t.same(browser.pageErrors, [], 'no uncaught page error')
}
