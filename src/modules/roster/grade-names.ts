/**
 * How Chinese schools name grades and classes, both ways. Grade levels run 1–12 across the
 * 6-3-3 system: 一年级…六年级 (小学), 七年级…九年级 a.k.a. 初一…初三 (初中), 高一…高三 (高中).
 */

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九']
const SENIOR = ['高一', '高二', '高三']

/** The name a new grade gets: 七年级, 高一. */
export function gradeName(level: number): string {
  if (level >= 10 && level <= 12) return SENIOR[level - 10]!
  return `${chineseNumber(level)}年级`
}

/** The name a new class gets: 七年级(1)班. */
export function className(level: number, seq: number): string {
  return `${gradeName(level)}(${seq})班`
}

function chineseNumber(n: number): string {
  if (n < 10) return DIGITS[n]!
  if (n < 20) return '十' + (n % 10 ? DIGITS[n % 10]! : '')
  return DIGITS[Math.floor(n / 10)]! + '十' + (n % 10 ? DIGITS[n % 10]! : '')
}

/** 一…九十九 → number; null when it is not a plain Chinese numeral. */
function parseChineseNumber(s: string): number | null {
  const digit = (c: string | undefined) => (c === '两' ? 2 : c ? DIGITS.indexOf(c) : -1)
  const m = /^([一二两三四五六七八九])?(十)?([一二三四五六七八九])?$/.exec(s)
  if (!m || s === '') return null
  const [, tens, ten, units] = m
  if (!ten) return tens && !units ? digit(tens) : null
  return (tens ? digit(tens) : 1) * 10 + (units ? digit(units) : 0)
}

/** Full-width digits, brackets and spaces as people type them in Excel. */
export function normaliseCell(s: string): string {
  return s
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[（［【]/g, '(').replace(/[）］】]/g, ')')
    .replace(/[\s\u3000]+/g, '')
}

/** 七年级 / 初一 / 7 / 7年级 / 高一 / 高中一年级 / 小学三年级 → 1–12, else null. */
export function parseGradeLevel(raw: string): number | null {
  const s = normaliseCell(raw)
  let m = /^(\d{1,2})(?:年级)?$/.exec(s)
  if (m) return inRange(Number(m[1]), 1, 12)
  m = /^(?:小学)?([一二三四五六七八九十]+)(?:年级)?$/.exec(s)
  if (m) return inRange(parseChineseNumber(m[1]!), 1, 12)
  m = /^初(?:中)?([一二三123])(?:年级)?$/.exec(s)
  if (m) return 6 + toSmall(m[1]!)
  m = /^高(?:中)?([一二三123])(?:年级)?$/.exec(s)
  if (m) return 9 + toSmall(m[1]!)
  return null
}

/**
 * 1班 / (1)班 / 七年级(1)班 / 初一1班 / 1 / 01 / 一班 → { seq, gradeLevel? }. A grade written
 * into the class cell comes back so the caller can check it against the 年级 column.
 */
export function parseClassCell(raw: string): { seq: number; gradeLevel: number | null } | null {
  const s = normaliseCell(raw)
  const m = /^(.*?)\(?(\d{1,2}|[一二三四五六七八九十]+)\)?(?:班)?$/.exec(s)
  if (!m) return null
  const [, prefix, num] = m as unknown as [string, string, string]
  const seq = /^\d+$/.test(num) ? Number(num) : parseChineseNumber(num)
  if (seq === null || seq < 1 || seq > 99) return null
  if (!prefix) return { seq, gradeLevel: null }
  const gradeLevel = parseGradeLevel(prefix)
  return gradeLevel === null ? null : { seq, gradeLevel }
}

function inRange(n: number | null, lo: number, hi: number): number | null {
  return n !== null && n >= lo && n <= hi ? n : null
}

function toSmall(c: string): number {
  return /\d/.test(c) ? Number(c) : DIGITS.indexOf(c)
}
