import t from '../helpers/tap.js'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import type { Download, Page } from 'playwright-core'
import { ROSTER_COLUMNS } from '../../src/modules/roster/import.js'
import { apiAs, browserAvailable, launchBrowser, loginAs, screenshot, settledCount, startServer, switchToEnglish } from './harness.js'

/**
 * 学生名册: the school admin pages through the demo school's 300 students, gets
 * the import template, sees a bad file's rows refused before anything is written, imports the
 * corrected file, adds, edits and marks a student as left, and exports the roster.
 */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  const admin = await apiAs(server, 'admin.demo')
  const dir = mkdtempSync(join(tmpdir(), 'xinan-roster-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))

  type Student = { id: string; studentNo: string; name: string; status: string; leftAt: string | null; classId: string }
  const byNo = async (no: string) => (await admin<{ items: Student[] }>('GET', `/students?q=${encodeURIComponent(no)}`)).body.items.filter((s) => s.studentNo === no)
  const rows = (page: Page) => page.getByTestId('student-results').locator('tbody tr.ant-table-row')
  const saved = async (download: Download, name: string) => {
    const path = join(dir, name)
    await download.saveAs(path)
    return path
  }
  const sheetOf = async (path: string) => {
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(path)
    return wb.worksheets[0]!
  }
  const openImport = async (page: Page) => {
    await page.getByTestId('roster-import-open').click()
    return page.getByTestId('roster-import')
  }
  const choose = async (page: Page, drawer: ReturnType<Page['getByTestId']>, path: string) => {
    const chooser = page.waitForEvent('filechooser')
    await drawer.getByTestId('roster-choose').click()
    await (await chooser).setFiles(path)
  }

  const HEADER = '姓名,学号,性别,出生日期,年级,班级,监护人,联系电话,关系'
  const csv = (lines: string[]) => '\uFEFF' + [HEADER, ...lines].join('\r\n') + '\r\n'
  const stamp = Date.now().toString().slice(-6)
  const nos = [`R${stamp}01`, `R${stamp}02`, `R${stamp}03`]

  await t.test('the roster pages on the server: page 2 of 300 is reachable', async (t) => {
    const total = (await admin<{ total: number }>('GET', '/students?limit=1')).body.total
    t.ok(total >= 300, `the demo school has ${total} students`)
    const page = await browser.newPage()
    await loginAs(page, base, 'admin.demo')
    await page.waitForURL(/\/students$/)
    await page.getByRole('heading', { name: '学生名册' }).waitFor()
    t.equal(await settledCount(rows(page), 20), 20, 'twenty to a page')
    await page.getByText(`共 ${total} 名学生`).waitFor()
    const firstOfPage1 = await rows(page).first().locator('td').first().innerText()
    await page.locator('.ant-pagination').getByTitle('2', { exact: true }).click()
    await page.waitForURL(/page=2/)
    const expected = (await admin<{ items: Student[] }>('GET', '/students?limit=20&offset=20&sort=studentNo:asc')).body.items
    await rows(page).first().getByText(expected[0]!.studentNo).waitFor()
    t.not(await rows(page).first().locator('td').first().innerText(), firstOfPage1)
    t.same(await rows(page).locator('td:first-child').allInnerTexts(), expected.map((s) => s.studentNo), 'page 2 is students 21–40 in 学号 order')
    // The last page holds what no fixed limit would show.
    const last = Math.ceil(total / 20)
    await page.goto(`${base}/students?page=${last}`)
    t.equal(await settledCount(rows(page), total - (last - 1) * 20), total - (last - 1) * 20, `the last page (${last}) holds the rest`)
    await screenshot(page, 'roster-last-page')

    // A class and a status filter narrow the list on the server.
    await page.goto(`${base}/students`)
    await page.getByTestId('roster-class').click()
    await page.locator('.ant-select-dropdown').getByText('七年级(1)班', { exact: true }).click()
    await page.waitForURL(/classId=/)
    const klass = new URL(page.url()).searchParams.get('classId')!
    const inClass = (await admin<{ total: number }>('GET', `/students?classId=${klass}&limit=1`)).body.total
    await page.getByText(`共 ${inClass} 名学生`).waitFor()
    t.ok(inClass > 0 && inClass < total, `七年级(1)班 has ${inClass}`)
    await screenshot(page, 'roster-class-filter')
    const text = await page.locator('main').innerText()
    t.notMatch(text, /\b(enrolled|graduated|left|M|F)\b/, 'statuses and genders in words')
    await page.close()
  })

  await t.test('the psychology teacher\'s 学生查询 pages on the server too (no cap at 200)', async (t) => {
    const psych = await apiAs(server, 'psych.demo')
    const total = (await psych<{ total: number }>('GET', '/students?limit=1')).body.total
    const page = await browser.newPage()
    await loginAs(page, base, 'psych.demo')
    await page.goto(`${base}/students`)
    await page.getByText(`共 ${total} 条`).waitFor()
    const last = Math.ceil(total / 20)
    await page.locator('.ant-pagination').getByTitle(String(last), { exact: true }).click()
    await page.waitForURL(new RegExp(`page=${last}`))
    const tail = (await psych<{ items: Student[] }>('GET', `/students?limit=20&offset=${(last - 1) * 20}&sort=studentNo:asc`)).body.items
    await rows(page).first().getByText(tail[0]!.studentNo).waitFor()
    t.equal(await settledCount(rows(page), tail.length), tail.length, `the last page (${last}) shows students ${(last - 1) * 20 + 1}–${total}`)
    await screenshot(page, 'psych-student-search-last-page')
    await page.close()
  })

  await t.test('the import template downloads with the Chinese headers and an example row', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'admin.demo')
    const dl = page.waitForEvent('download')
    await page.getByTestId('roster-template').first().click()
    const file = await dl
    t.equal(file.suggestedFilename(), '学生名册导入模板.xlsx')
    const ws = await sheetOf(await saved(file, 'template.xlsx'))
    t.same((ws.getRow(1).values as unknown[]).slice(1), ROSTER_COLUMNS.map((c) => c.header))
    t.equal(ws.actualRowCount, 2, 'headers and one example row')
    await page.close()
  })

  await t.test('a file with one bad row: the row number and reason are shown and nothing is written', async (t) => {
    const bad = join(dir, 'bad.csv')
    writeFileSync(bad, csv([
      `导入甲,${nos[0]},女,2013-04-05,七年级,1班,甲家长,13600000001,母亲`,
      `导入乙,${nos[1]},未知,2013-05-06,七年级,1班,乙家长,13600000002,父亲`,
      `导入丙,${nos[2]},男,2013-06-07,七年级,2班,,,`,
    ]))
    const before = (await admin<{ total: number }>('GET', '/students?limit=1')).body.total
    const page = await browser.newPage()
    await loginAs(page, base, 'admin.demo')
    const drawer = await openImport(page)
    await choose(page, drawer, bad)
    const errors = drawer.getByTestId('roster-import-errors')
    await errors.waitFor()
    const row = errors.locator('tbody tr').filter({ hasText: '第 3 行' })
    t.equal(await row.count(), 1, 'row 3 (the header is row 1) is listed')
    t.match(await row.innerText(), /^第 3 行\s+性别\s+性别应为“男”或“女”$/, 'with its column and reason')
    t.equal(await errors.locator('tbody tr').count(), 1, 'and only that row')
    t.equal(await drawer.getByTestId('roster-import-commit').count(), 0, 'no import button while a row is bad')
    t.match(await drawer.getByTestId('roster-preview').innerText(), /将新增\s*2/, 'the good rows are counted')
    await screenshot(page, 'roster-import-bad-row')
    t.equal((await admin<{ total: number }>('GET', '/students?limit=1')).body.total, before, 'nothing written')
    t.same(await byNo(nos[0]!), [], 'not even the good rows')

    // The corrected file imports, with progress, and the students appear in the roster.
    const good = join(dir, 'good.csv')
    writeFileSync(good, readFileSync(bad, 'utf8').replace(`${nos[1]},未知`, `${nos[1]},男`))
    await choose(page, drawer, good)
    const commit = drawer.getByTestId('roster-import-commit')
    await commit.waitFor()
    t.match(await commit.innerText(), /导入\s*3\s*名学生/)
    await screenshot(page, 'roster-import-ready')
    // The real import is held on its way for a moment, so its working state can be seen (a local upload is instant).
    let release = () => {}
    const held = new Promise<void>((r) => { release = r })
    await page.route('**/api/v1/students/import', async (route) => { await held; await route.continue() })
    await commit.click()
    const progress = drawer.getByTestId('roster-import-progress')
    await progress.waitFor()
    t.match(await progress.getAttribute('data-stage'), /^(uploading|writing)$/)
    await progress.locator('.ant-progress').waitFor()
    await screenshot(page, 'roster-import-progress')
    release()
    const done = drawer.getByTestId('roster-import-done')
    await done.waitFor()
    await page.unroute('**/api/v1/students/import')
    t.match(await done.innerText(), /新增 3 名/)
    await screenshot(page, 'roster-import-done')
    for (const no of nos) t.equal((await byNo(no)).length, 1, `${no} is on the roster`)
    await page.keyboard.press('Escape')
    await page.getByTestId('roster-search').locator('input').fill(`R${stamp}`)
    await page.getByTestId('roster-search').locator('input').press('Enter')
    t.equal(await settledCount(rows(page), 3), 3, 'the imported students are listed')
    t.match(await page.getByTestId('student-results').innerText(), /导入甲[\s\S]*导入乙[\s\S]*导入丙/)
    await page.close()
  })

  await t.test('add, edit and mark a student as left', async (t) => {
    const no = `A${stamp}`
    const page = await browser.newPage()
    await loginAs(page, base, 'admin.demo')
    await page.getByTestId('roster-add').click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('姓名', { exact: true }).fill('新增生')
    await dialog.getByLabel('学号').fill(no)
    await dialog.getByText('女', { exact: true }).click()
    await dialog.getByLabel('班级').click()
    await page.locator('.ant-select-dropdown').getByText('七年级(2)班', { exact: true }).click()
    await dialog.getByLabel('联系电话').fill('13912345678')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.getByText('填写了联系电话，请同时填写监护人姓名').waitFor()
    await screenshot(page, 'roster-add-guardian-missing')
    await dialog.getByLabel('监护人姓名').fill('新增家长')
    await dialog.getByLabel('与学生关系').fill('母亲')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.waitFor({ state: 'detached' })
    const [made] = await byNo(no)
    t.match(made, { name: '新增生', status: 'enrolled' }, 'the student reached the server')
    const guardians = (await admin<{ items: Array<{ name: string; phone: string; relation: string; isPrimary: boolean }> }>('GET', `/students/${made!.id}/guardians`)).body.items
    t.same(guardians.map((g) => [g.name, g.phone, g.relation, g.isPrimary]), [['新增家长', '13912345678', '母亲', true]], 'with the guardian')

    await page.getByTestId('roster-search').locator('input').fill(no)
    await page.getByTestId('roster-search').locator('input').press('Enter')
    t.equal(await settledCount(rows(page), 1), 1)
    await rows(page).first().getByTestId('roster-edit').click()
    const edit = page.getByRole('dialog')
    await edit.getByLabel('姓名', { exact: true }).fill('改名生')
    await edit.getByLabel('联系电话').fill('13900000000')
    await screenshot(page, 'roster-edit')
    await edit.getByRole('button', { name: /保\s*存/ }).click()
    await edit.waitFor({ state: 'detached' })
    await rows(page).first().getByText('改名生').waitFor()
    t.equal((await byNo(no))[0]!.name, '改名生', 'the change reached the server')
    const phone = (await admin<{ items: Array<{ phone: string }> }>('GET', `/students/${made!.id}/guardians`)).body.items.map((g) => g.phone)
    t.same(phone, ['13900000000'], 'the guardian was updated, not added')

    await rows(page).first().getByTestId('status-left').click()
    await page.locator('.ant-popconfirm').getByText(/确定将 改名生 标记为离校/).waitFor()
    await screenshot(page, 'roster-mark-left-confirm')
    await page.locator('.ant-popconfirm').getByRole('button', { name: /标记离校/ }).click()
    await rows(page).first().locator('.ant-tag').getByText('离校').waitFor()
    const left = (await byNo(no))[0]!
    t.equal(left.status, 'left')
    t.match(left.leftAt, /^\d{4}-\d{2}-\d{2}$/, 'with the date')
    await screenshot(page, 'roster-marked-left')
    await page.close()
  })

  await t.test('export downloads 学生名册.xlsx with the imported students', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'admin.demo')
    const dl = page.waitForEvent('download')
    await page.getByTestId('roster-export').click()
    const file = await dl
    t.equal(file.suggestedFilename(), '学生名册.xlsx')
    const ws = await sheetOf(await saved(file, 'export.xlsx'))
    const total = (await admin<{ total: number }>('GET', '/students?limit=1')).body.total
    t.equal(ws.actualRowCount, total + 1, 'every student, beyond any page')
    const noCol = ROSTER_COLUMNS.findIndex((c) => c.key === 'studentNo') + 1
    const exported = new Set<string>()
    ws.eachRow((r) => { exported.add(String(r.getCell(noCol).value)) })
    for (const no of nos) t.ok(exported.has(no), `${no} exported`)
    await page.close()
  })

  await t.test('in English: the roster and the import preview', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, base, 'admin.demo')
    await switchToEnglish(page)
    await page.getByRole('heading', { name: 'Student roster' }).waitFor()
    await page.getByText(/\d+ students/).first().waitFor()
    const bad = join(dir, 'bad-en.csv')
    writeFileSync(bad, csv([`English,E${stamp},男,2013-02-30,七年级,1班,,,`]))
    const drawer = await openImport(page)
    await choose(page, drawer, bad)
    const errors = drawer.getByTestId('roster-import-errors')
    await errors.waitFor()
    t.match(await errors.innerText(), /Row 2\s+Date of birth \(出生日期\)\s+Date must be YYYY-MM-DD/)
    await screenshot(page, 'roster-import-bad-row-en')
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'hidden' })
    await screenshot(page, 'roster-en')
    t.notMatch(await page.locator('main').innerText(), /\b[a-z]+[A-Z]\w*\b|\b[a-z]+_[a-z]\w*\b/, 'no camelCase or snake_case identifiers')
    await page.close()
  })
}
