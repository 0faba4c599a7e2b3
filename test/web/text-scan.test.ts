import t from '../helpers/tap.js'
import { browserAvailable } from './harness.js'
import { scanEveryScreen } from './screen-scan.js'
import { codeWordsIn, isoDaysIn } from './text-scan.js'

/** No code words on any screen, in Chinese (screen-scan.ts); text-scan-en.test.ts reads the English screens. */
t.test('what the scan counts as a code word', async (t) => {
  t.same(codeWordsIn('状态 overdue 截止 windowKey talk_duty', 'zh-CN').sort(), ['overdue', 'talk_duty', 'windowKey'].sort())
  t.same(codeWordsIn('周期 2026-W49 · 7 年级 · 2026-12-05T08:00:00.000Z · nav.crises', 'zh-CN').sort(), ['2026-W49', '7 年级', '2026-12-05T08:00', 'nav.crises'].sort())
  t.same(isoDaysIn('截止 2026-12-05 · 2026年12月5日 · 2026-2027'), ['2026-12-05'], 'one date format')
  t.same(codeWordsIn('Status: overdue · moderately_severe · fulfilledOn', 'en').sort(), ['fulfilledOn', 'moderately_severe'].sort(), 'English words are words on an English screen')
  t.same(codeWordsIn('PHQ-9 与 GAD-7 · XinAn · psych.demo · https://xinan.example.edu.cn/letters · 七年级 · 12月7日–12月13日', 'zh-CN'), [])
})

// The unit test above has run, so a plan can no longer be set: the browser part is skipped by a comment.
if (process.env.XINAN_BROWSER_TESTS === 'skip') t.comment('the screens are scanned once per CI run, on the PostgreSQL server')
else if (browserAvailable(t)) await scanEveryScreen(t, 'zh-CN')
