/**
 * How the client writes dates, times, grades and periods (one date format
 * throughout, times in the school's zone, no machine keys such as 2026-W49 on screen).
 *
 * Dates: 2026年12月5日 (zh) / 5 Dec 2026 (en); times add 24-hour hh:mm. Every instant is
 * shown in Asia/Shanghai, whatever zone the browser is in, because the school's day is what
 * a deadline or a record's date means.
 */
const SCHOOL_TIME_ZONE = 'Asia/Shanghai'

/** 'zh-CN' or 'en'; anything but 'en' is written in Chinese. */
type Locale = string

/**
 * A value the API sent, as text on screen: a string as it is, a number or boolean written out,
 * and anything else (null, missing, a structure) as `fallback`, never "[object Object]".
 */
export function asText(v: unknown, fallback = ''): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v)
  return fallback
}

const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

interface Parts { y: number; m: number; d: number; hh?: string; mm?: string }

/** Calendar parts of a value the API sent: a day (2026-12-05) as it is, an instant in Asia/Shanghai. */
function partsOf(v: unknown): Parts | null {
  if (v === null || v === undefined || v === '') return null
  const s = v instanceof Date ? v.toISOString() : asText(v)
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (day) return { y: Number(day[1]), m: Number(day[2]), d: Number(day[3]) }
  const t = new Date(s)
  if (!/^\d{4}-\d{2}-\d{2}[T ]/.test(s) || Number.isNaN(t.getTime())) return null
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: SCHOOL_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(t).map((x) => [x.type, x.value]))
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day), hh: p.hour, mm: p.minute }
}

function dayText(p: Parts, locale: Locale, withYear = true): string {
  if (locale === 'en') return `${p.d} ${EN_MONTHS[p.m - 1]}${withYear ? ` ${p.y}` : ''}`
  return `${withYear ? `${p.y}年` : ''}${p.m}月${p.d}日`
}

/** A day: 2026年12月5日 / 5 Dec 2026. An instant gives its day in Asia/Shanghai. Anything else is returned as it is. */
export function formatDate(v: unknown, locale: Locale): string {
  const p = partsOf(v)
  if (!p) return asText(v) || '—'
  return dayText(p, locale)
}

/** An instant: 2026年12月5日 15:00 / 5 Dec 2026 15:00 (Asia/Shanghai); a day alone stays a day. */
export function formatDateTime(v: unknown, locale: Locale): string {
  const p = partsOf(v)
  if (!p) return asText(v) || '—'
  return p.hh === undefined ? dayText(p, locale) : `${dayText(p, locale)} ${p.hh}:${p.mm}`
}

const DIGITS = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九']

/** A grade level as schools say it: 七年级, 高一 (en: Grade 7, Senior 1). */
export function gradeName(level: unknown, locale: Locale): string {
  const n = Number(level)
  if (!Number.isInteger(n) || n < 1 || n > 12) return asText(level, '—')
  if (locale === 'en') return n >= 10 ? `Senior ${n - 9}` : `Grade ${n}`
  return n >= 10 ? `高${DIGITS[n - 9]}` : `${DIGITS[n]}年级`
}

/** Monday of ISO week `w` of ISO year `y`, as UTC midnight. */
function isoWeekMonday(y: number, w: number): Date {
  const jan4 = new Date(Date.UTC(y, 0, 4))
  const monday = new Date(jan4)
  monday.setUTCDate(jan4.getUTCDate() - ((jan4.getUTCDay() + 6) % 7) + (w - 1) * 7)
  return monday
}

const utcParts = (d: Date): Parts => ({ y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() })

/**
 * A 心理晴雨表 period as dates: the week 2026-W49 is 12月7日–12月13日 (en 7–13 Dec); the month
 * 2026-11 is 2026年11月 (en Nov 2026). The year is added when the week is not this year's.
 */
export function periodLabel(key: unknown, locale: Locale, thisYear = new Date().getFullYear()): string {
  const s = asText(key)
  const week = /^(\d{4})-W(\d{1,2})$/.exec(s)
  if (week) {
    const from = isoWeekMonday(Number(week[1]), Number(week[2]))
    const to = new Date(from)
    to.setUTCDate(from.getUTCDate() + 6)
    const a = utcParts(from)
    const b = utcParts(to)
    const withYear = a.y !== thisYear || b.y !== thisYear
    if (locale === 'en') {
      const end = `${b.d} ${EN_MONTHS[b.m - 1]}${withYear ? ` ${b.y}` : ''}`
      return a.m === b.m && a.y === b.y ? `${a.d}–${end}` : `${dayText(a, 'en', withYear && a.y !== b.y)}–${end}`
    }
    return `${dayText(a, locale, withYear)}–${dayText(b, locale, withYear && a.y !== b.y)}`
  }
  const month = /^(\d{4})-(\d{2})$/.exec(s)
  if (month) return locale === 'en' ? `${EN_MONTHS[Number(month[2]) - 1]} ${month[1]}` : `${month[1]}年${Number(month[2])}月`
  return s || '—'
}

/**
 * A 三个必谈 window key in words: 2026-2027-1 → 2026–2027 学年第一学期, 2026-10 → 2026年10月,
 * holiday:2026-10-08 → 2026年10月8日返校.
 */
export function windowLabel(key: unknown, locale: Locale): string {
  const s = asText(key)
  const term = /^(\d{4})-(\d{4})-([12])$/.exec(s)
  if (term) {
    if (locale === 'en') return `${term[1]}–${term[2]}, ${term[3] === '1' ? 'first' : 'second'} semester`
    return `${term[1]}–${term[2]} 学年第${term[3] === '1' ? '一' : '二'}学期`
  }
  const month = /^(\d{4})-(\d{2})$/.exec(s)
  if (month) return periodLabel(s, locale)
  const holiday = /^holiday:(\d{4}-\d{2}-\d{2})$/.exec(s)
  if (holiday) return locale === 'en' ? `Back to school ${formatDate(holiday[1], 'en')}` : `${formatDate(holiday[1], locale)}返校`
  if (s.startsWith('holiday:')) return locale === 'en' ? 'Back to school after a holiday' : '节假日返校'
  return s || '—'
}

/** A school year 2026-2027 as 2026–2027 (the field's label says 学年). */
export function schoolYearLabel(v: unknown): string {
  const m = /^(\d{4})-(\d{4})$/.exec(asText(v))
  return m ? `${m[1]}–${m[2]}` : asText(v, '—')
}
