import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { apiAs, browserAvailable, launchBrowser, loginAs, screenshot, startServer, switchToEnglish } from './harness.js'

/**
 * 升年级 in the web client: the school admin previews the rollover of the demo
 * school (四年级–高三) as tables in words, applies it behind a confirmation, sees it in the
 * history with its undo, and undoes it — the server's classes follow each step.
 */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const base = server.url
  const admin = await apiAs(server, 'admin.demo')

  const classState = () => queryRows<{ id: string; grade_id: string; name: string; ended_at: unknown }>(server.database.db, sql`
    select c.id, c.grade_id, c.name, c.ended_at from classes c join schools s on s.id = c.school_id
    where s.code = 'DEMO-001' order by c.id`)
  const enrolledIn = (grade: string) => queryRows<{ n: number }>(server.database.db, sql`
    select count(*)::int as n from students st join classes c on c.id = st.class_id join grades g on g.id = c.grade_id
    join schools s on s.id = st.school_id where s.code = 'DEMO-001' and g.name = ${grade} and st.status = 'enrolled' and c.ended_at is null`)
    .then((r) => r[0]!.n)

  await t.test('the admin previews, applies and undoes the rollover', async (t) => {
    const before = await classState()
    const ninth = await enrolledIn('九年级')
    const page = await browser.newPage()
    await loginAs(page, base, 'admin.demo')
    await page.goto(`${base}/school-settings`)
    await page.getByRole('tab', { name: '升年级' }).click()

    const preview = page.getByTestId('rollover-preview')
    await preview.waitFor()
    await preview.getByTestId('rollover-moves').getByRole('row').filter({ hasText: '七年级(1)班' }).getByText('八年级(1)班').waitFor()
    await t.resolves(preview.getByText(`九年级 ${ninth} 名学生毕业`, { exact: false }).first().waitFor(), 'the graduating grade in words with its pupils')
    await t.resolves(preview.getByText('高三', { exact: false }).first().waitFor())
    await t.resolves(preview.getByTestId('rollover-grants').getByText('班主任').first().waitFor(), 'the ending grants with the role in words')
    const entryTags = await preview.getByTestId('rollover-entry').locator('.ant-tag').allTextContents()
    t.ok(entryTags.includes('七年级(1)班') && entryTags.includes('高一(1)班'), 'new entry classes for 七年级 and 高一')
    t.same(await classState(), before, 'the preview wrote nothing')
    await screenshot(page, 'rollover-preview-zh')

    await page.getByTestId('rollover-apply').click()
    await page.getByRole('button', { name: '执行升年级' }).last().click()
    const history = page.getByTestId('rollover-history')
    await history.getByText('可以撤销').waitFor()
    const after = await classState()
    const moved = after.find((c) => c.id === before.find((b) => b.name === '七年级(1)班')!.id)!
    t.equal(moved.name, '八年级(1)班', 'the class moved up on the server and kept its id')
    t.ok(after.some((c) => c.name === '九年级(1)班' && c.ended_at !== null), 'the old 九年级(1)班 ended')
    t.ok(after.length > before.length, 'entry classes were created')
    const list = await admin<{ items: Array<{ undo: { allowed: boolean } }> }>('GET', '/school-year/rollovers')
    t.same(list.body.items.map((i) => i.undo.allowed), [true])
    await screenshot(page, 'rollover-applied-zh')

    await switchToEnglish(page)
    await page.getByRole('tab', { name: 'New school year' }).waitFor()
    await history.getByText('Can be undone').waitFor()
    await screenshot(page, 'rollover-applied-en')

    await history.getByTestId('rollover-undo').click()
    await page.getByRole('button', { name: 'Undo' }).last().click()
    await history.getByText(/^Undone/).waitFor()
    t.same(await classState(), before, 'the undo restored every class')
    await screenshot(page, 'rollover-undone-en')
    t.same(browser.pageErrors, [], 'no script errors')
    await page.close()
  })
}
