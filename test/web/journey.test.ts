import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t from '../helpers/tap.js'
import ExcelJS from 'exceljs'
import { Secret, TOTP } from 'otpauth'
import type { Download, Locator } from 'playwright-core'
import { browserAvailable, launchBrowser, openedDialog, screenshot, settledCount } from './harness.js'
import { ensureWeb } from '../../scripts/ensure-web.mjs'

/**
 * A school goes live from nothing: a production installation with an empty database, set up
 * with `npm run setup`, then run from the web client alone — no demo data, no API calls on
 * the users' behalf. The admin builds the school (grade, class, term), imports the roster
 * from the downloaded template and opens the staff accounts; the psychology teacher runs a
 * screening from its template, confirms a risk, puts the pupil on the 关注名单, opens a case
 * and pairs a mentor; the homeroom teacher sees the care-list entry and logs a talk; the
 * mentor logs a contact. Every person signs in with the one-time password they were handed
 * and sets their own first. The API is read only to check that what the screens did reached
 * the server.
 */
const root = resolve(import.meta.dirname, '..', '..')
const JWT = 'journey-secret-'.padEnd(48, 'x')

function env(dir: string): NodeJS.ProcessEnv {
  const { DATABASE_URL: _u, TEST_DATABASE_URL: _t, SEED_DEMO: _s, ...rest } = process.env
  return { ...rest, DATA_DIR: dir, NODE_ENV: 'production', JWT_SECRET: JWT, LOG_LEVEL: 'warn', PORT: '0', HOST: '127.0.0.1', JOBS_ENABLED: 'false' }
}

async function startProduction(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import=tsx', 'src/server.ts'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: env(dir) })
  let out = ''
  child.stdout!.on('data', (b: Buffer) => { out += String(b) })
  child.stderr!.on('data', (b: Buffer) => { out += String(b) })
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the server did not start:\n${out}`)), 120_000)
    child.stdout!.on('data', () => {
      const m = /XinAn 心安: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)
      if (m) { clearTimeout(timer); ok(m[1]!) }
    })
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`the server exited (${code}):\n${out}`)) })
  })
  return { url, child }
}

// The journey installs on the embedded database (the default a school gets), in a server process
// of its own, whichever database the rest of the run uses (CI drives the browser in its server run).
if (browserAvailable(t)) {
  const dir = mkdtempSync(join(tmpdir(), 'xinan-journey-'))
  const files = mkdtempSync(join(tmpdir(), 'xinan-journey-files-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }); rmSync(files, { recursive: true, force: true }) })
  await ensureWeb({ ifStale: true })

  // npm run setup, unattended: the district, the school and its first admin.
  const setup = spawnSync(process.execPath, ['--import=tsx', 'scripts/setup.ts',
    '--district-code', '420704', '--district-name', '鄂城区', '--school-code', 'S001', '--school-name', '鄂城区第一中学',
    '--stage', 'junior', '--admin-username', 'admin.s001', '--admin-name', '王校长'], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000, env: env(dir),
  })
  if (setup.status !== 0) throw new Error(`npm run setup failed: ${setup.stderr}`)
  const adminOtp = /一次性密码 one-time password: ([A-Za-z2-9]{16})/.exec(setup.stdout)?.[1]
  if (!adminOtp) throw new Error(`no one-time password printed:\n${setup.stdout}`)

  const { url: base, child } = await startProduction(dir)
  t.teardown(() => new Promise<void>((done) => { child.once('exit', () => done()); child.kill('SIGTERM') }))
  const browser = await launchBrowser(t)
  const page = await browser.newPage()
  const nav = () => page.getByRole('navigation', { name: '主菜单' })
  const openDropdown = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)')
  const pick = async (field: Locator, option: string | RegExp, type?: string) => {
    await field.click()
    if (type) await field.fill(type)
    await openDropdown.locator('.ant-select-item-option').filter({ hasText: option }).first().click()
  }
  const saved = async (download: Download, name: string) => {
    const path = join(files, name)
    await download.saveAs(path)
    return path
  }

  const opened = (name?: string) => openedDialog(page, name)
  /** Saves a dialog and waits for it to close; a refusal fails with the message the dialog shows. */
  const saveAndClose = async (dialog: Locator) => {
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    const refused = dialog.getByTestId('write-error')
    await Promise.race([
      dialog.waitFor({ state: 'detached' }),
      refused.waitFor().then(async () => { throw new Error(`the dialog refused: ${await refused.innerText()}`) }),
    ])
  }
  // The API as the person signed in on the page: only to check what the screens wrote.
  let token = ''
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } })
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`)
    return (await res.json()) as T
  }
  /** What the person's authenticator app shows `offsetS` seconds from now, from the key the setup screen showed. */
  const codeOf = (secret: string, offsetS = 0) =>
    new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: Date.now() + offsetS * 1000 })
  /**
   * Signs in with a one-time password and sets one's own, as the first screen demands; in
   * production a psychology teacher or school admin must then set up the authenticator app
   * before anything else opens (the next screen demands that too).
   */
  const firstSignIn = async (username: string, otp: string, own: string) => {
    await page.goto(`${base}/login`)
    await page.getByLabel('用户名').fill(username)
    await page.getByLabel('密码').fill(otp)
    await page.getByRole('button', { name: /登\s*录/ }).click()
    await page.waitForURL(/\/change-password/)
    const forced = page.getByTestId('forced-password')
    await forced.getByLabel('一次性密码').fill(otp)
    await forced.getByLabel('新密码', { exact: true }).fill(own)
    await forced.getByLabel('再次输入新密码').fill(own)
    await forced.getByRole('button', { name: /设置新密码/ }).click()
    await Promise.race([page.getByTestId('current-user').waitFor(), page.getByTestId('forced-second-factor').waitFor()])
    let secret: string | undefined
    if (await page.getByTestId('forced-second-factor').isVisible()) {
      await page.getByTestId('tfa-start').click()
      const enrol = page.getByTestId('tfa-enrol')
      secret = (await enrol.getByTestId('tfa-secret').innerText()).replace(/\s+/g, '')
      // The code of the step before: the API sign-in below takes the current one (a code is taken once).
      await enrol.getByLabel('验证码').fill(codeOf(secret, -30))
      await enrol.getByTestId('tfa-confirm').click()
      await page.getByTestId('recovery-codes').waitFor()
      await page.getByTestId('codes-saved').click()
      await page.getByTestId('current-user').waitFor()
    }
    const post = (path: string, body: object) => fetch(`${base}/api/v1/auth/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    let login = await post('login', { username, password: own })
    if (login.status !== 200) throw new Error(`${username} cannot sign in with the new password: ${login.status}`)
    let answer = (await login.json()) as { accessToken?: string; challenge?: string }
    if (answer.challenge) {
      if (!secret) throw new Error(`${username} was asked for a code without having set up an app`)
      login = await post('login/second-factor', { challenge: answer.challenge, code: codeOf(secret) })
      if (login.status !== 200) throw new Error(`${username}'s code step: ${login.status} ${await login.text()}`)
      answer = (await login.json()) as { accessToken?: string }
    }
    token = answer.accessToken ?? ''
    return secret
  }
  const signOut = async () => {
    await page.getByRole('button', { name: /退出/ }).click()
    await page.waitForURL(/\/login/)
  }

  const accounts: Record<'psych' | 'homeroom', { username: string; otp: string }> = {
    psych: { username: 'chen.psy', otp: '' },
    homeroom: { username: 'liu.hr', otp: '' },
  }
  const pupils = [
    { name: '周小雨', no: '20260101', gender: '女', birth: '2013-03-14', guardian: '周建国', phone: '13700000001', rel: '父亲' },
    { name: '吴晨', no: '20260102', gender: '男', birth: '2013-07-02', guardian: '吴芳', phone: '13700000002', rel: '母亲' },
    { name: '郑可欣', no: '20260103', gender: '女', birth: '2013-11-23', guardian: '郑伟', phone: '13700000003', rel: '父亲' },
  ]

  await t.test('the school admin builds the school: grade, class, term', async (t) => {
    t.ok(await firstSignIn('admin.s001', adminOtp, 'Admin-own-password-2026'), 'in production the school admin sets up the authenticator app before anything else opens')
    await nav().getByText('学校设置').click()
    await page.waitForURL(/\/school-settings$/)
    await page.getByTestId('add-grade').click()
    let dialog = await opened()
    await pick(dialog.getByLabel('年级'), '七年级')
    await saveAndClose(dialog)
    await page.getByTestId('add-class-7').click()
    dialog = await opened()
    await dialog.getByLabel('班号').fill('1')
    await saveAndClose(dialog)
    await page.getByTestId('grade-7').getByText('七年级(1)班').waitFor()

    await page.getByRole('tab', { name: '校历' }).click()
    await page.getByTestId('add-term').click()
    dialog = await opened()
    await dialog.getByLabel('学年').fill('2026-2027')
    const range = dialog.locator('.ant-picker-range input')
    await range.nth(0).click()
    await range.nth(0).fill('2026-09-01')
    await range.nth(1).click()
    await range.nth(1).fill('2027-01-20')
    await dialog.locator('.ant-modal-title').click()
    await saveAndClose(dialog)
    await page.getByTestId('terms').getByText('2027年1月20日').waitFor()
    const classes = await api<{ items: Array<{ name: string }> }>('/classes?limit=50')
    t.same(classes.items.map((c) => c.name), ['七年级(1)班'], 'the class is on the server')
    await screenshot(page, 'journey-admin-settings')
  })

  await t.test('the school admin imports the class from the downloaded roster template', async (t) => {
    await nav().getByText('学生名册').click()
    await page.waitForURL(/\/students/)
    await page.getByTestId('roster-import-open').click()
    const drawer = page.getByTestId('roster-import')
    const dl = page.waitForEvent('download')
    await drawer.getByTestId('roster-template').click()
    const template = await saved(await dl, 'roster-template.xlsx')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(template)
    const sheet = wb.worksheets[0]!
    const headers = (sheet.getRow(1).values as unknown[]).slice(1).map(String)
    t.ok(headers.includes('姓名') && headers.includes('学号') && headers.includes('班级'), 'Chinese headers')
    // Fill the template as a teacher would: the example row replaced by the class.
    const value: Record<string, (p: typeof pupils[number]) => string> = {
      姓名: (p) => p.name, 学号: (p) => p.no, 性别: (p) => p.gender, 出生日期: (p) => p.birth, 年级: () => '七年级', 班级: () => '1班',
      监护人: (p) => p.guardian, 联系电话: (p) => p.phone, 关系: (p) => p.rel, 状态: () => '在读',
    }
    pupils.forEach((p, i) => {
      const row = sheet.getRow(2 + i)
      headers.forEach((h, c) => { row.getCell(c + 1).value = value[h]?.(p) ?? null })
      row.commit()
    })
    const filled = join(files, 'roster.xlsx')
    await wb.xlsx.writeFile(filled)

    const chooser = page.waitForEvent('filechooser')
    await drawer.getByTestId('roster-choose').click()
    await (await chooser).setFiles(filled)
    await drawer.getByTestId('roster-preview').waitFor()
    t.match(await drawer.getByTestId('roster-preview').innerText(), /将新增\s*3/, 'the preview counts three new students')
    await screenshot(page, 'journey-admin-roster-preview')
    await drawer.getByTestId('roster-import-commit').click()
    await drawer.getByTestId('roster-import-done').waitFor({ timeout: 60_000 })
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'hidden' })
    const students = await api<{ items: Array<{ studentNo: string; name: string }> }>('/students?limit=50&sort=studentNo:asc')
    t.same(students.items.map((s) => [s.studentNo, s.name]), pupils.map((p) => [p.no, p.name]), 'the three pupils are on the roster')
  })

  await t.test('the school admin opens the psychology teacher’s and the homeroom teacher’s accounts', async (t) => {
    await nav().getByText('账号与角色').click()
    await page.waitForURL(/\/accounts$/)
    const open = async (who: 'psych' | 'homeroom', name: string, role: string, klass?: string) => {
      await page.getByTestId('new-account').click()
      const dialog = await opened()
      await dialog.getByLabel('姓名').fill(name)
      await dialog.getByLabel('用户名').fill(accounts[who].username)
      accounts[who].otp = await dialog.getByTestId('initial-password').inputValue()
      await pick(dialog.getByLabel('角色'), role)
      if (klass) await pick(dialog.getByLabel('班级'), klass, '七年级')
      await dialog.getByRole('button', { name: /保\s*存/ }).click()
      await page.getByTestId('created-password').getByText(accounts[who].otp).waitFor()
      await page.getByRole('button', { name: /知道了|OK|确\s*定/ }).click()
    }
    await open('psych', '陈老师', '心理教师')
    await open('homeroom', '刘老师', '班主任', '七年级(1)班')
    // The homeroom teacher is also a mentor (结对教师) for the pairing below.
    const row = page.getByTestId('accounts').locator('tbody tr.ant-table-row').filter({ hasText: accounts.homeroom.username })
    await row.getByRole('button', { name: /角\s*色/ }).click()
    const drawer = page.getByTestId('roles-drawer')
    await pick(drawer.getByRole('combobox', { name: '角色' }), '结对教师')
    await drawer.getByRole('button', { name: /授予角色/ }).click()
    await drawer.getByTestId('role-list').getByText('结对教师').waitFor()
    await drawer.getByRole('button', { name: /Close|关\s*闭/ }).click()
    const users = await api<{ items: Array<{ username: string; id: string }> }>('/users?limit=50')
    t.same(users.items.map((u) => u.username).sort(), ['admin.s001', accounts.homeroom.username, accounts.psych.username].sort(), 'three accounts')
    await screenshot(page, 'journey-admin-accounts')
    await signOut()
  })

  let caseUrl = ''
  await t.test('the psychology teacher runs a screening from its template and acts on a result', async (t) => {
    t.ok(await firstSignIn(accounts.psych.username, accounts.psych.otp, 'Psych-own-password-2026'), 'so does the psychology teacher')
    await nav().getByText('心理测评').click()
    await page.getByTestId('new-campaign').click()
    const dialog = await opened()
    await dialog.getByLabel('名称').fill('2026 秋季七年级心理测评')
    await pick(dialog.getByLabel('量表'), /PHQ-9/)
    await dialog.locator('.ant-modal-title').click()
    await pick(dialog.getByLabel('年级'), '七年级')
    await dialog.locator('.ant-modal-title').click()
    const range = dialog.locator('.ant-picker-range input')
    await range.nth(0).click()
    await range.nth(0).fill('2026-11-01')
    await range.nth(1).click()
    await range.nth(1).fill('2026-12-31')
    await dialog.locator('.ant-modal-title').click()
    await saveAndClose(dialog)
    await page.getByTestId('campaign-list').getByRole('link', { name: '2026 秋季七年级心理测评' }).click()

    // The instrument's template, filled in: 周小雨 answers high, with item 9 positive.
    const dl = page.waitForEvent('download')
    await page.getByTestId('import-template').first().click()
    const template = await saved(await dl, 'screening-template.xlsx')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(template)
    const sheet = wb.worksheets[0]!
    const headers = (sheet.getRow(1).values as unknown[]).slice(1).map(String)
    const answers: Record<string, number[]> = { 20260101: [3, 3, 2, 3, 2, 3, 2, 2, 1], 20260102: [0, 1, 0, 1, 0, 0, 1, 0, 0], 20260103: [1, 1, 1, 0, 1, 0, 0, 1, 0] }
    Object.entries(answers).forEach(([no, a], i) => {
      const row = sheet.getRow(2 + i)
      headers.forEach((h, c) => {
        const item = /(\d+)\s*$/.exec(h)
        row.getCell(c + 1).value = h.includes('学号') ? no : item ? a[Number(item[1]) - 1] ?? null : null
      })
      row.commit()
    })
    const filled = join(files, 'screening.xlsx')
    await wb.xlsx.writeFile(filled)
    // 知情同意 (the campaign requires it by default): the class's reply slips came back, recorded at once.
    await page.getByTestId('consent-tab-label').click()
    const consent = page.getByTestId('consent-tab')
    await consent.getByTestId('consent-list').locator('thead input[type="checkbox"]').check()
    await consent.getByTestId('consent-apply').click()
    await page.getByText(/已保存 \d+ 名学生的知情同意/).waitFor()
    await page.getByRole('tab', { name: '测评概况' }).click()
    await page.getByLabel('选择文件').setInputFiles(filled)
    await page.getByTestId('import-box').getByRole('button', { name: /提\s*交/ }).click()
    await page.getByTestId('import-done').waitFor({ timeout: 60_000 })
    const results = page.getByTestId('campaign-results')
    t.equal(await settledCount(results.locator('tbody tr.ant-table-row'), 3), 3, 'three results, scored by the server')

    const row = results.locator('tr').filter({ hasText: '20260101' })
    await row.getByTestId('confirm-risk').click()
    let d = await opened()
    await saveAndClose(d)
    await row.getByTestId('add-care').click()
    d = await opened()
    await d.getByLabel('给班主任和结对教师的建议').fill('每天留意情绪，课间多关心。')
    await saveAndClose(d)
    await row.getByTestId('open-case').click()
    d = await opened()
    await d.getByRole('button', { name: /保\s*存/ }).click()
    await page.waitForURL(/\/cases\/[0-9a-f-]{36}$/)
    caseUrl = page.url()
    const students = await api<{ items: Array<{ id: string; studentNo: string }> }>('/students?q=20260101')
    const id = students.items[0]!.id
    const care = await api<{ items: Array<{ studentId: string }> }>(`/care-list?studentId=${id}`)
    t.equal(care.items.length, 1, 'on the 关注名单')
    const cases = await api<{ items: Array<{ source: string }> }>(`/cases?studentId=${id}`)
    t.same(cases.items.map((c) => c.source), ['screening'], 'a case opened from the screening')

    // 师生结对: the homeroom teacher becomes the pupil's mentor, from the case page.
    const card = page.getByTestId('case-pairings')
    await card.getByRole('button', { name: '新建结对' }).click()
    d = await opened('新建结对')
    await pick(d.getByLabel('结对教师', { exact: true }), '刘老师')
    await d.locator('.ant-modal-title').click()
    await d.getByLabel('结对目的', { exact: true }).fill('每周陪伴，关注情绪变化')
    await saveAndClose(d)
    t.equal(await settledCount(card.locator('tbody tr.ant-table-row'), 1), 1, 'the pairing is listed')
    await screenshot(page, 'journey-psych-case')
    await signOut()
  })

  await t.test('the homeroom teacher sees the care-list entry and logs a talk; as mentor, logs a contact', async (t) => {
    t.equal(await firstSignIn(accounts.homeroom.username, accounts.homeroom.otp, 'Homeroom-own-password-2026'), undefined, 'for a homeroom teacher it stays a choice')
    await nav().getByText('我的班级').click()
    await page.getByTestId('care-list').getByText('每天留意情绪，课间多关心。').waitFor()
    t.match(await page.getByTestId('care-list').innerText(), '周小雨', 'the pupil on the 关注名单, with the guidance')
    const form = page.getByTestId('talk-form')
    await pick(form.getByLabel('学生'), '周小雨', '周小雨')
    await form.getByLabel('地点').fill('班主任办公室')
    await form.getByLabel('谈话要点').fill('聊了最近的睡眠和作业安排。')
    await form.getByRole('button', { name: /保\s*存/ }).click()
    await page.getByText('谈话已记录').waitFor()
    const logs = await api<{ items: Array<{ place: string }> }>('/talks/logs?limit=20')
    t.same(logs.items.map((l) => l.place), ['班主任办公室'], 'the talk log is on the server')
    await screenshot(page, 'journey-homeroom-talk')

    await nav().getByText('结对学生').click()
    const list = page.getByTestId('pairings')
    await list.locator('tr').filter({ hasText: '周小雨' }).getByTestId('log-contact').click()
    const dialog = await opened()
    await dialog.getByLabel('简要记录').fill('课间聊了聊，情绪比上周好。')
    await saveAndClose(dialog)
    const contacts = await api<{ items: Array<{ summary: string }> }>('/mentor-contacts?limit=20')
    t.same(contacts.items.map((c) => c.summary), ['课间聊了聊，情绪比上周好。'], 'the mentor contact is on the server')
    await screenshot(page, 'journey-mentor-contact')
  })

  await t.test('no demo data anywhere: only what the journey made', async (t) => {
    t.ok(caseUrl, 'the case page was reached')
    const demo = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'psych.demo', password: 'XinAn-demo-2026' }) })
    t.not(demo.status, 200, 'the demo accounts do not exist')
    const students = await api<{ total: number }>('/students?limit=1')
    t.equal(students.total, pupils.length, 'the roster holds the imported class only')
  })

  t.same(browser.pageErrors, [], 'no uncaught page error')
  t.same(browser.cspViolations, [], 'no CSP violation')
}
