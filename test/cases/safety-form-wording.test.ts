import t from '../helpers/tap.js'
import { sql } from 'drizzle-orm'
import { queryRows } from '../../src/db/database.js'
import { screeningWorld } from '../screening/fixtures.js'

type Item = { key: string; label: { 'zh-CN': string; en: string }; zhPendingReview: boolean; zhSchoolWording?: boolean }
type Form = { sections: Array<{ items: Item[] }> }

const itemOf = (form: Form, key: string) => form.sections.flatMap((s) => s.items).find((i) => i.key === key)!

t.test('a school replaces the Chinese wording of the safety assessment form', async (t) => {
  const w = await screeningWorld()
  const { psych, psych2, psychB, homeroom, admin, call } = w
  const put = (who: typeof psych, texts: Record<string, string>) => call(who, 'PUT', '/api/v1/safety-assessment-form/wording', { texts })
  const form = async (who: typeof psych) => (await call(who, 'GET', '/api/v1/safety-assessment-form')).json<Form>()

  const original = itemOf(await form(psych), 'hasPlan')
  t.equal(original.label['zh-CN'], '你有结束自己生命的计划吗？')
  t.equal(original.zhPendingReview, true)
  t.notOk(original.zhSchoolWording)

  t.test('replaced: the school wording, flagged as the school\'s, the English kept', async (t) => {
    const res = await put(psych, { hasPlan: '你有没有想过具体怎么结束自己的生命？' })
    t.equal(res.statusCode, 200, res.body)
    t.match(itemOf(res.json<Form>(), 'hasPlan'), { label: { 'zh-CN': '你有没有想过具体怎么结束自己的生命？' }, zhSchoolWording: true })
    // Another psychology teacher of the school reads it on the form.
    const item = itemOf(await form(psych2), 'hasPlan')
    t.same(item.label, { 'zh-CN': '你有没有想过具体怎么结束自己的生命？', en: original.label.en })
    t.equal(item.zhPendingReview, false)
    t.equal(item.zhSchoolWording, true)
    const other = itemOf(await form(psych2), 'hasIntent')
    t.equal(other.zhPendingReview, true, 'an item not replaced keeps its flag')
    t.notOk(other.zhSchoolWording)
    const audit = await queryRows<{ n: number }>(w.database.db,
      sql`select count(*)::int as n from audit_log where resource = 'safety_form_wordings' and action = 'U' and outcome = 'ok'`)
    t.equal(audit[0]!.n, 1, 'the change is audited')
  })

  t.test('a second change keeps the items it does not name', async (t) => {
    t.equal((await put(psych2, { hasIntent: '你打算真的去做吗？' })).statusCode, 200)
    const f = await form(psych)
    t.equal(itemOf(f, 'hasPlan').label['zh-CN'], '你有没有想过具体怎么结束自己的生命？')
    t.equal(itemOf(f, 'hasIntent').label['zh-CN'], '你打算真的去做吗？')
  })

  t.test('another school still asks the form\'s own wording', async (t) => {
    const item = itemOf(await form(psychB), 'hasPlan')
    t.equal(item.label['zh-CN'], original.label['zh-CN'])
    t.equal(item.zhPendingReview, true)
    const rows = await queryRows<{ n: number }>(w.database.db, sql`select count(*)::int as n from safety_form_wordings where school_id = ${w.B.schoolId}`)
    t.equal(rows[0]!.n, 0)
  })

  t.test('an unknown item answers 422 naming it; too long answers 400 naming the field; nothing changes', async (t) => {
    const res = await put(psych, { hasPlan: '改了', noSuchItem: '这一项不存在' })
    t.equal(res.statusCode, 422)
    t.equal(res.json().code, 'assessment_item_unknown')
    t.match(res.json().message, 'noSuchItem')
    t.match(res.json().details, { item: 'noSuchItem' })
    const long = await put(psych, { hasPlan: '长'.repeat(301) })
    t.equal(long.statusCode, 400, long.body)
    t.match(long.json().message, '中文措辞')
    t.equal(itemOf(await form(psych), 'hasPlan').label['zh-CN'], '你有没有想过具体怎么结束自己的生命？')
  })

  t.test('an empty text goes back to the form\'s own wording', async (t) => {
    t.equal((await put(psych, { hasPlan: '' })).statusCode, 200)
    const item = itemOf(await form(psych), 'hasPlan')
    t.equal(item.label['zh-CN'], original.label['zh-CN'])
    t.equal(item.zhPendingReview, true)
    t.notOk(item.zhSchoolWording)
    t.equal(itemOf(await form(psych), 'hasIntent').label['zh-CN'], '你打算真的去做吗？')
  })

  t.test('only psychology teachers change it', async (t) => {
    for (const who of [homeroom, admin]) {
      const res = await put(who, { hasPlan: '班主任改的' })
      t.ok([403, 404].includes(res.statusCode), `${res.statusCode}`)
    }
    t.equal(itemOf(await form(psych), 'hasPlan').label['zh-CN'], original.label['zh-CN'])
  })
})
