/**
 * What counts as a code word on a screen: an identifier (camelCase, snake_case), an
 * ISO week ("2026-W49"), a machine timestamp ("2026-12-05T08:00:00Z"), a grade as a number
 * ("7 年级") and — on a Chinese screen — any lowercase Latin word, which is how a raw enum value
 * (open, overdue, minimal, weekly) looks there. Real words a screen may carry are allowed.
 * Days written 2026-12-05 are found apart (isoDaysIn): screens use one format, 2026年12月5日 /
 * 5 Dec 2026.
 */

/** Real words: instrument names, the product's name, file types, units. */
const ALLOWED = new Set([
  'XinAn', 'PHQ', 'GAD', 'PHQ-9', 'GAD-7', 'SVG', 'CSV', 'Excel', 'xlsx', 'csv', 'svg', 'QR', 'ID', 'min', 'h', 'MB', 'KB', 'of', 'e.g', 'i.e',
])

/**
 * Text that is data or an address, not a label: URLs, e-mail, the demo's sign-in names
 * (psych.demo). Only those: a dotted message key shown raw (nav.crises) is a code word.
 */
const NOT_LABELS = [
  /\bhttps?:\/\/\S+/g,
  /\b[\w.+-]+@[\w-]+\.[\w.-]+\b/g,
  /\b[a-z][\w-]*\.demo\b/g,
]

const PATTERNS: Array<[RegExp, (locale: string) => boolean]> = [
  [/\b[a-z]+[a-z0-9]*(?:[A-Z][a-z0-9]+)+\b/g, () => true], // camelCase
  [/\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b/g, () => true], // snake_case
  [/\b\d{4}-W\d{1,2}\b/g, () => true], // ISO week
  [/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/g, () => true], // timestamp as sent
  [/\b\d{1,2}\s*年级/g, () => true], // grade as a number
  [/\b[a-z]+(?:\.[a-zA-Z]+)+\b/g, () => true], // a message key shown raw
  [/(?<![\w.-])[a-z]{2,}(?![\w.-])/g, (l) => l === 'zh-CN'], // Latin word on a Chinese screen
]

/** Days written as the API sends them (2026-12-05), not in the screens' one date format. */
export function isoDaysIn(text: string): string[] {
  return [...new Set([...text.replace(/\bhttps?:\/\/\S+/g, ' ').matchAll(/(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])/g)].map((m) => m[0]))]
}

export function codeWordsIn(text: string, locale: 'zh-CN' | 'en'): string[] {
  let s = text
  for (const re of NOT_LABELS) s = s.replace(re, ' ')
  const out = new Set<string>()
  for (const [re, applies] of PATTERNS) {
    if (!applies(locale)) continue
    for (const m of s.matchAll(re)) if (!ALLOWED.has(m[0])) out.add(m[0])
    // A word found once is not found again in its parts (talk_duty is not also "talk").
    s = s.replace(re, (w) => (ALLOWED.has(w) ? w : ' '))
  }
  return [...out]
}
