import { fieldName } from './field-names.js'
import type { Locale } from './i18n.js'

/**
 * An error message names the field or value concerned in words. Services pass codes
 * and machine values as parameters (a state, a role, field names); this turns them into what a
 * teacher reads, so no message carries `handled`, `homeroom_teacher` or `body.talkDate`.
 */
const VALUES: Record<string, readonly [zh: string, en: string]> = {
  // Roles.
  psych_teacher: ['心理教师', 'psychology teacher'], homeroom_teacher: ['班主任', 'homeroom teacher'], mentor: ['结对教师', 'mentor'],
  peer_monitor: ['心理委员', 'class psychology monitor'], district_staff: ['区教育局', 'district staff'], school_admin: ['学校管理员', 'school administrator'],
  // Case, crisis, alert, referral and campaign states.
  open: ['已开案', 'open'], intervening: ['干预中', 'intervening'], monitoring: ['观察中', 'monitoring'], closed: ['已结束', 'closed'],
  acknowledged: ['已确认', 'acknowledged'], resolved: ['已解决', 'resolved'],
  received: ['已收到', 'received'], in_progress: ['处理中', 'in progress'], handled: ['已处理', 'handled'],
  proposed: ['已提出', 'proposed'], consented: ['家长已同意', 'consented'], sent: ['已转出', 'sent'], feedback: ['已反馈', 'feedback received'],
  reassessed: ['已复学评估', 'reassessed'], withdrawn: ['已撤销', 'withdrawn'], planned: ['计划中', 'planned'],
  // Things that already exist (duplicate).
  plan: ['干预计划', 'intervention plan'], safety_plan: ['该个案生效中的安全计划', "this case's active safety plan"], care_list: ['关注名单', 'care list entry'], code: ['代码', 'code'],
  response: ['该学生在本次测评中的这份量表答卷', "this student's answers to this questionnaire in this campaign"],
  session: ['登录凭据', 'sign-in credential'], holiday: ['同名、同一天开始的节假日', 'a holiday with this name starting that day'],
  letter_box: ['本校的心理信箱', "this school's letter box"], slug: ['信箱网址', 'letter box address'],
  barometer_entry: ['本期已填报的晴雨表', "this period's barometer entry"],
  escalation_chain: ['本校这一类的上报链', "this school's chain of this kind"],
  safety_assessment: ['该危机事件的安全评估', "this crisis event's safety assessment"],
  school_channel: ['本校这一通知渠道的设置', "this school's settings of this channel"],
  safety_form_wording: ['本校这份评估表的中文措辞', "this school's Chinese wording of this form"],
  screening_consent: ['该学生在本次测评中的知情同意记录', "this student's consent record for this campaign"],
  emergency_plan_version: ['同一版本号的应急预案（刚有人发布了新版本，请刷新后再发布）', 'an emergency plan version with this number (someone has just adopted one; reload and try again)'],
  lesson_record: ['该班这一天的这类课程记录', "this class's lesson of this kind on that day"],
  student_transfer: ['该学生尚未完成的转学档案（请先完成或撤回）', "this pupil's transfer package not yet finished (finish or withdraw it first)"],
  school_key: ['本校正在使用的加密密钥（另一次密钥轮换刚刚完成，请稍后再试）', "this school's encryption key in use (another key rotation has just finished; try again shortly)"],
  self_check: ['本校这一学期（学年）的自查（刚有人保存过，请刷新后再保存）', "this school's self-check of this term or school year (someone has just saved it; reload and save again)"],
}

/** Case states read differently from a referral's in Chinese: 个案 open is 已开案, a crisis open is 未确认. */
const BY_CODE: Record<string, Record<string, readonly [string, string]>> = {
  case_transition_not_allowed: { closed: ['已结案', 'closed'] },
}

const ISSUES: Record<string, readonly [zh: string, en: string]> = {
  invalid_type: ['缺少或类型不对', 'missing or of the wrong type'],
  too_small: ['太短或太小', 'too short or too small'],
  too_big: ['太长或太大', 'too long or too large'],
  too_long: ['太长', 'too long'],
  invalid_format: ['格式不正确', 'not in the right format'],
  invalid_string: ['格式不正确', 'not in the right format'],
  invalid_date: ['不是有效的日期', 'not a valid date'],
  invalid_value: ['不是可选的值', 'not one of the allowed values'],
  invalid_enum_value: ['不是可选的值', 'not one of the allowed values'],
  invalid_union: ['不符合要求', 'not as required'],
  invalid_characters: ['含有无法保存的字符', 'contains characters that cannot be stored'],
  out_of_range: ['超出范围', 'out of range'],
  custom: ['不符合要求', 'not as required'],
}

const pick = (pair: readonly [string, string], locale: Locale) => (locale === 'en' ? pair[1] : pair[0])
const sep = (locale: Locale) => (locale === 'en' ? ', ' : '、')

function valueWords(code: string, v: string, locale: Locale): string {
  const hit = BY_CODE[code]?.[v] ?? VALUES[v]
  if (hit) return pick(hit, locale)
  return fieldName(v, locale) ?? v
}

/** Message parameters in words: field lists by their names, states and roles by theirs. */
export function humanParams(code: string, params: Record<string, string | number>, locale: Locale): Record<string, string | number> {
  const out: Record<string, string | number> = { ...params }
  for (const [k, v] of Object.entries(params)) {
    if (typeof v !== 'string') continue
    if (k === 'fields' || k === 'field') out[k] = v.split(/,\s*/).map((f) => fieldName(f, locale) ?? f).join(sep(locale))
    else if (['state', 'from', 'to', 'role', 'what'].includes(k)) out[k] = valueWords(code, v, locale)
  }
  return out
}

interface Issue { field?: unknown; issue?: unknown; keys?: unknown }

/**
 * What a validation error's details say, in words: 谈话日期（不是有效的日期）、学号（缺少或类型
 * 不对）. Null when the details name no field (the generic message then stands alone).
 */
export function detailWords(details: unknown, locale: Locale): string | null {
  const list: string[] = []
  const named = new Set<string>()
  const add = (field: string, issue?: string) => {
    const name = fieldName(field, locale)
    // One problem per field is enough to find it (zod may report a bad date twice).
    if (!name || named.has(name)) return
    named.add(name)
    const why = issue ? ISSUES[issue] : undefined
    const text = why ? (locale === 'en' ? `${name} (${why[1]})` : `${name}（${why[0]}）`) : name
    if (!list.includes(text)) list.push(text)
  }
  if (Array.isArray(details)) {
    for (const d of details as Issue[]) {
      if (d?.issue === 'unrecognized_keys') {
        list.push(locale === 'en' ? 'fields the form does not have' : '表单中没有的字段')
      } else if (typeof d?.field === 'string') add(d.field, typeof d.issue === 'string' ? d.issue : undefined)
    }
  } else if (details && typeof details === 'object' && Array.isArray((details as { fields?: unknown }).fields)) {
    for (const f of (details as { fields: unknown[] }).fields) if (typeof f === 'string') add(f)
  }
  return list.length ? list.join(sep(locale)) : null
}
