import type { Locale, Translate } from '../../i18n'
import type { Row } from '../../components/records'

/**
 * A talk period in words. The server keys periods for its own bookkeeping (see
 * src/jobs/talk-duties.ts): "2026-2027-1" for a term, "2026-12" for a month,
 * "holiday:2026-10-08" for the return from a major holiday (keyed on the first school day
 * back). A teacher reads "2026年秋季学期", "2026年12月", "国庆节返校" instead.
 */
export interface WindowContext {
  t: Translate
  locale: Locale
  label: (prefix: string, value: unknown) => string
  /** The school's holidays (GET /calendar/holidays), to name the holiday a return talk follows. */
  holidays: Row[]
}

const day = (v: unknown) => (typeof v === 'string' ? v.slice(0, 10) : '')

/**
 * The major holiday that ends last before the return day; when two end together (春节 inside
 * 寒假), the one that started first — the break the pupils come back from.
 */
function holidayBefore(returnDay: string, holidays: Row[]): Row | undefined {
  const before = holidays.filter((h) => h.major !== false && day(h.endDate) !== '' && day(h.endDate) < returnDay)
  before.sort((a, b) => day(b.endDate).localeCompare(day(a.endDate)) || day(a.startDate).localeCompare(day(b.startDate)))
  return before[0]
}

function monthName(year: number, month: number, locale: Locale): string {
  return new Date(Date.UTC(year, month - 1, 1)).toLocaleDateString(locale === 'en' ? 'en-GB' : 'zh-CN', { month: 'long', timeZone: 'UTC' })
}

export function windowLabel(windowKey: unknown, ctx: WindowContext): string {
  const { t, locale } = ctx
  const key = typeof windowKey === 'string' ? windowKey : ''
  const term = /^(\d{4})-\d{4}-([12])$/.exec(key)
  if (term) {
    // The school year starts in the autumn: its first term is that year's autumn, its second the next spring.
    const start = Number(term[1])
    return term[2] === '1' ? t('talkWindow.autumn', { year: start }) : t('talkWindow.spring', { year: start + 1 })
  }
  const month = /^(\d{4})-(\d{2})$/.exec(key)
  if (month) {
    const [y, m] = [Number(month[1]), Number(month[2])]
    return t('talkWindow.month', { year: y, month: locale === 'en' ? monthName(y, m, locale) : m })
  }
  const holiday = /^holiday:(\d{4}-\d{2}-\d{2})$/.exec(key)
  if (holiday) {
    const back = holiday[1]!
    const h = holidayBefore(back, ctx.holidays)
    // Holiday names are the school's own words (Chinese); in English the holiday's kind reads better.
    const kindLabel = h && typeof h.kind === 'string' && h.kind !== 'other' ? ctx.label('holidayKind', h.kind) : undefined
    const name = locale === 'en' ? kindLabel ?? (h?.name as string | undefined) : (h?.name as string | undefined) ?? kindLabel
    if (name) return t('talkWindow.holiday', { name })
    const [y, m, d] = back.split('-').map(Number)
    const date = locale === 'en'
      ? new Date(Date.UTC(y!, m! - 1, d)).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' })
      : `${m}月${d}日`
    return t('talkWindow.returnOn', { date })
  }
  // An unknown key is never shown as it is: the period's dates say the same in words.
  return ''
}
