import { z } from 'zod'
import { AppError } from '../../lib/errors.js'

/**
 * A structured safety assessment as data: sections of items with zh-CN and en text, the
 * dispositions it may end in and the notice that travels with it. Answers are checked against
 * the definition (never against code), and a wrong one is refused with the item named in words.
 */

const Words = z.strictObject({
  'zh-CN': z.string().trim().min(1).max(1000),
  en: z.string().trim().min(1).max(1000),
})

const Key = z.string().regex(/^[a-z][a-zA-Z0-9]{0,39}$/)

export const SafetyFormOption = z.strictObject({ value: Key, label: Words })

export const SafetyFormItem = z.strictObject({
  key: Key,
  /** choice: one option · multi: several options · yes_no: a boolean · text: free words. */
  type: z.enum(['choice', 'multi', 'yes_no', 'text']),
  label: Words,
  help: Words.optional(),
  options: z.array(SafetyFormOption).min(2).max(30).optional(),
  required: z.boolean().default(false),
  /** Required only when another item has this answer (the plan's details when there is a plan). */
  requiredWhen: z.strictObject({ item: Key, equals: z.union([z.boolean(), Key]) }).optional(),
  maxLength: z.number().int().min(1).max(4000).optional(),
  /** The Chinese wording is ours, not an official translation: shown as 待临床审核 until reviewed. */
  zhPendingReview: z.boolean().default(false),
})
export type SafetyFormItem = z.infer<typeof SafetyFormItem>

export const SafetyFormSection = z.strictObject({
  key: Key,
  title: Words,
  help: Words.optional(),
  zhPendingReview: z.boolean().default(false),
  items: z.array(SafetyFormItem).min(1).max(30),
})

export const Dispositions = ['emergency', 'safety_plan', 'none'] as const
export type Disposition = (typeof Dispositions)[number]

export const SafetyFormDefinition = z.strictObject({
  code: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,31}$/),
  version: z.number().int().min(1).max(1000),
  name: Words,
  instructions: Words,
  sections: z.array(SafetyFormSection).min(1).max(20),
  dispositions: z.array(z.strictObject({
    value: z.enum(Dispositions),
    label: Words,
    help: Words,
    zhPendingReview: z.boolean().default(false),
  })).length(Dispositions.length),
  /** What the flag on unreviewed Chinese wording says. */
  reviewFlag: Words,
  /** The public-domain / permission notice, shown wherever the form is. */
  licence: z.string().trim().min(1).max(2000),
  source: z.string().trim().max(1000),
})
export type SafetyFormDefinition = z.infer<typeof SafetyFormDefinition>

/** Every item of the form by key (keys are unique across sections). */
export function itemsOf(def: SafetyFormDefinition): Map<string, SafetyFormItem> {
  return new Map(def.sections.flatMap((s) => s.items.map((i) => [i.key, i] as const)))
}

/** Checks zod cannot express: unique keys, options where they are needed, conditions that name real items. */
export function safetyFormProblems(def: SafetyFormDefinition): string[] {
  const problems: string[] = []
  const seen = new Set<string>()
  for (const s of def.sections) {
    for (const i of s.items) {
      if (seen.has(i.key)) problems.push(`item ${i.key} appears twice`)
      seen.add(i.key)
      const needsOptions = i.type === 'choice' || i.type === 'multi'
      if (needsOptions !== !!i.options) problems.push(`item ${i.key}: options ${needsOptions ? 'missing' : 'not expected'}`)
    }
  }
  const items = itemsOf(def)
  for (const i of items.values()) {
    if (!i.requiredWhen) continue
    const other = items.get(i.requiredWhen.item)
    if (!other) problems.push(`item ${i.key}: requiredWhen names unknown item ${i.requiredWhen.item}`)
    else if (other.type === 'yes_no' ? typeof i.requiredWhen.equals !== 'boolean' : !other.options?.some((o) => o.value === i.requiredWhen!.equals)) {
      problems.push(`item ${i.key}: requiredWhen answer is not one item ${other.key} can have`)
    }
  }
  return problems
}

export type SafetyAnswers = Record<string, boolean | string | string[]>

/** Why an answer is refused; each has a message in both languages (src/lib/i18n.ts). */
type Problem = 'unknown' | 'required' | 'not_yes_no' | 'not_option' | 'not_text' | 'too_long'

/**
 * 422 naming the item by its label in the caller's language (both labels travel as
 * parameters; the message picks its own) and by key in the details for the client.
 */
export class AssessmentItemInvalid extends AppError {
  constructor(key: string, problem: Problem, item?: SafetyFormItem) {
    super(422, `assessment_item_${problem}`, {
      item_zh: item?.label['zh-CN'] ?? key,
      item_en: item?.label.en ?? key,
    }, { item: key, problem })
  }
}

function answered(v: unknown): boolean {
  return v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '') && !(Array.isArray(v) && v.length === 0)
}

/**
 * The answers as they are kept: known items only, each of its type, every required item (and
 * every item its condition makes required) answered. Text is trimmed; empty answers are left out.
 */
export function checkAnswers(def: SafetyFormDefinition, raw: Record<string, unknown>): SafetyAnswers {
  const items = itemsOf(def)
  for (const key of Object.keys(raw)) if (!items.has(key)) throw new AssessmentItemInvalid(key, 'unknown')
  const out: SafetyAnswers = {}
  for (const item of items.values()) {
    const v = raw[item.key]
    if (!answered(v)) continue
    switch (item.type) {
      case 'yes_no':
        if (typeof v !== 'boolean') throw new AssessmentItemInvalid(item.key, 'not_yes_no', item)
        out[item.key] = v
        break
      case 'choice':
        if (typeof v !== 'string' || !item.options!.some((o) => o.value === v)) throw new AssessmentItemInvalid(item.key, 'not_option', item)
        out[item.key] = v
        break
      case 'multi': {
        if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !item.options!.some((o) => o.value === x))) {
          throw new AssessmentItemInvalid(item.key, 'not_option', item)
        }
        out[item.key] = [...new Set(v as string[])]
        break
      }
      case 'text':
        if (typeof v !== 'string') throw new AssessmentItemInvalid(item.key, 'not_text', item)
        if (v.trim().length > (item.maxLength ?? 1000)) throw new AssessmentItemInvalid(item.key, 'too_long', item)
        out[item.key] = v.trim()
        break
    }
  }
  for (const item of items.values()) {
    const cond = item.requiredWhen
    const needed = item.required || (cond !== undefined && out[cond.item] === cond.equals)
    if (needed && out[item.key] === undefined) throw new AssessmentItemInvalid(item.key, 'required', item)
  }
  return out
}
