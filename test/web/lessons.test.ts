import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { browserAvailable, demoClassStudents, launchBrowser, loginAs, openedDialog, screenshot, startServer } from './harness.js'

/**
 * 课程与活动记录 as the homeroom teacher uses it: on 我的班级, today's lessons of the class in one
 * go (three kinds, one with 2 课时 and a topic); the month's counts follow from what is stored;
 * the same lesson again is refused in words. Themed activities (主题活动): the homeroom teacher's
 * class activity and the school's own, both asked through the same kind, title and days fields.
 */
if (browserAvailable(t)) {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const { db } = server.database
  const classId = (await demoClassStudents(server))[0]!.classId
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
  // The demo's timetable may already hold today's lessons: the teacher records them afresh.
  await db.execute(sql`delete from lesson_records where class_id = ${classId} and held_on = ${today}::date`)

  await t.test('homeroom teacher records today’s lessons for the class', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, server.url, 'homeroom.demo')
    await page.waitForURL(/\/my-class$/)
    const card = page.getByTestId('lesson-entry')
    await card.scrollIntoViewIfNeeded()
    await card.getByTestId('lesson-kind-life_safety').click()
    await card.getByTestId('lesson-kind-mental_health').click()
    await card.getByTestId('lesson-kind-sunshine').click()
    await card.getByLabel('心理健康教育 课时').fill('2')
    await card.getByLabel('主题（可不填）').fill('认识情绪')
    await card.getByTestId('lesson-save').click()
    await page.getByText('已记录 3 节课').waitFor()

    const stored = await queryRows<{ kind: string; periods: number; topic: string | null; source: string }>(db, sql`
      select kind, periods, topic, source from lesson_records where class_id = ${classId} and held_on = ${today}::date order by kind`)
    t.same(stored, [
      { kind: 'life_safety', periods: 1, topic: '认识情绪', source: 'manual' },
      { kind: 'mental_health', periods: 2, topic: '认识情绪', source: 'manual' },
      { kind: 'sunshine', periods: 1, topic: '认识情绪', source: 'manual' },
    ], 'three lessons stored for today, as ticked')

    // The month's counts on the card are what the class has stored this month.
    const month = await queryRows<{ kind: string; n: number; p: number }>(db, sql`
      select kind, count(*)::int as n, sum(periods)::int as p from lesson_records
      where class_id = ${classId} and held_on >= date_trunc('month', ${today}::date) and held_on <= ${today}::date group by kind`)
    const names: Record<string, string> = { life_safety: '生命安全教育', mental_health: '心理健康教育', class_meeting: '主题班会', sunshine: '阳光5分钟' }
    const monthText = page.getByTestId('lesson-month')
    for (const m of month) {
      const line = `${names[m.kind]} ${m.n} 次（${m.p} 课时）`
      await t.resolves(monthText.getByText(line).waitFor(), `this month: ${line}`)
    }

    // The same lesson again: refused, and the message says what already exists.
    await card.getByTestId('lesson-kind-sunshine').click()
    await card.getByTestId('lesson-save').click()
    const error = card.getByTestId('write-error')
    await error.waitFor()
    t.match(await error.innerText(), '该班这一天的这类课程记录', 'the duplicate is named in words')
    t.notMatch(await error.innerText(), /sunshine|lesson_records|heldOn/, 'no code words')
    await screenshot(page, 'lessons-homeroom-entry')
    await page.close()
  })

  await t.test('psychology teacher: this month’s lessons per class, as stored', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, server.url, 'psych.demo')
    await page.goto(`${server.url}/lessons`)
    const table = page.getByTestId('lesson-summary')
    const row = table.locator('tr', { hasText: '七年级(1)班' })
    await row.waitFor()
    const [mh] = await queryRows<{ n: number; p: number }>(db, sql`
      select count(*)::int as n, coalesce(sum(periods), 0)::int as p from lesson_records
      where class_id = ${classId} and kind = 'mental_health' and held_on >= date_trunc('month', ${today}::date) and held_on <= ${today}::date`)
    t.match(await row.innerText(), `${mh!.n} 次 / ${mh!.p} 课时`, 'the class’s 心理健康教育 this month, as stored')
    await screenshot(page, 'lessons-summary')
    await page.close()
  })

  type Activity = { kind: string; title: string; starts_on: string; ends_on: string | null; reach: string; class_id: string | null; participants: number }
  const storedActivity = async (title: string) => (await queryRows<Activity>(db, sql`
    select kind, title, starts_on::text as starts_on, ends_on::text as ends_on, reach, class_id, participants
    from school_activities where title = ${title}`))

  await t.test('homeroom teacher records a class activity', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, server.url, 'homeroom.demo')
    await page.waitForURL(/\/my-class$/)
    await page.getByTestId('class-activity').click()
    const dialog = await openedDialog(page, '记录班级活动')
    for (const field of ['活动类型', '活动名称', '参加人数']) await t.resolves(dialog.getByText(field, { exact: true }).waitFor(), `the dialog asks ${field}`)
    // Saved without a name: the form names the missing field, and nothing is stored.
    await dialog.getByLabel('参加人数').fill('41')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await t.resolves(dialog.getByText('请输入活动名称').waitFor(), 'a missing title is named')
    await dialog.getByLabel('活动名称').fill('班级心理情景剧')
    await screenshot(page, 'lessons-class-activity')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.waitFor({ state: 'hidden' })
    t.same(await storedActivity('班级心理情景剧'), [{ kind: 'other', title: '班级心理情景剧', starts_on: today, ends_on: null, reach: 'class', class_id: classId, participants: 41 }],
      'stored for the teacher’s class, from today, with its head count')
    await page.close()
  })

  await t.test('psychology teacher records a school activity', async (t) => {
    const page = await browser.newPage()
    await loginAs(page, server.url, 'psych.demo')
    await page.goto(`${server.url}/lessons`)
    await page.getByRole('tab', { name: '主题活动' }).click()
    await page.getByTestId('new-activity').click()
    const dialog = await openedDialog(page, '新增主题活动')
    await dialog.getByLabel('活动名称').fill('  心理健康日全校讲座  ')
    await dialog.getByLabel('参加人数').fill('850')
    await screenshot(page, 'lessons-school-activity')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.waitFor({ state: 'hidden' })
    t.same(await storedActivity('心理健康日全校讲座'), [{ kind: 'mental_health_day', title: '心理健康日全校讲座', starts_on: today, ends_on: null, reach: 'school', class_id: null, participants: 850 }],
      'stored for the whole school, its title trimmed')
    await t.resolves(page.getByTestId('activities').getByText('心理健康日全校讲座').waitFor(), 'listed under 主题活动')
    await page.close()
  })

  t.test('no page errors', async (t) => { t.same(browser.pageErrors, []) })
}
