import type { z } from 'zod'
import type { InstrumentDefinition } from '../instrument-schema.js'

/** NIMH's statement for the ASQ toolkit; it travels with the items wherever they are shown. */
export const NIMH_ASQ_NOTICE = 'Ask Suicide-Screening Questions (ASQ), National Institute of Mental Health (NIMH), '
  + 'U.S. Department of Health and Human Services. The ASQ is in the public domain: it may be reproduced and used without '
  + 'permission; NIMH asks that the source be cited. The zh-CN wording in this definition is not an NIMH translation '
  + '(中文措辞非官方译本，待临床审核).'

const YES_NO = [
  { value: 0, label: { 'zh-CN': '否', en: 'No' } },
  { value: 1, label: { 'zh-CN': '是', en: 'Yes' } },
]

/**
 * ASQ, Ask Suicide-Screening Questions (Horowitz et al., Arch Pediatr Adolesc Med 2012; NIMH
 * toolkit, youth 10–24). Four yes/no questions; question 5 (thoughts of killing yourself right
 * now) is asked only after a yes to any of 1–4. NIMH's pathway: any yes on 1–4 is a positive
 * screen (a brief suicide safety assessment before the student leaves); a yes on 5 is an
 * acute positive (imminent risk: the student is not left alone). Both therefore open a crisis
 * event through the safety rule, whatever the total. A refusal to answer is not a value here:
 * NIMH treats it as a concern, and the teacher then records the student as answering yes.
 *
 * The zh-CN wording was written for XinAn and is not an official translation: it is marked
 * 待临床审核 and shown so, and a school replaces it with reviewed wording as its own version.
 */
export const ASQ: z.input<typeof InstrumentDefinition> = {
  code: 'ASQ',
  version: 1,
  name: { 'zh-CN': '自杀风险筛查问题（ASQ）', en: 'Ask Suicide-Screening Questions (ASQ)' },
  audience: 'any',
  instructions: {
    'zh-CN': '请逐一询问学生以下问题，记录“是”或“否”。只有第1–4题中任一题回答“是”时，才询问第5题。',
    en: 'Ask the student the following questions and record yes or no. Ask question 5 only if the student answered yes to any of questions 1–4.',
  },
  columnPrefixes: ['ASQ'],
  options: YES_NO,
  items: [
    { no: 1, text: { 'zh-CN': '在过去几周里，你是否希望自己死掉？', en: 'In the past few weeks, have you wished you were dead?' } },
    { no: 2, text: { 'zh-CN': '在过去几周里，你是否觉得如果你死了，你或你的家人会过得更好？', en: 'In the past few weeks, have you felt that you or your family would be better off if you were dead?' } },
    { no: 3, text: { 'zh-CN': '在过去一周里，你是否有过想要自杀的念头？', en: 'In the past week, have you been having thoughts about killing yourself?' } },
    { no: 4, text: { 'zh-CN': '你以前是否尝试过自杀？', en: 'Have you ever tried to kill yourself?' } },
    {
      no: 5,
      text: { 'zh-CN': '你现在是否有想要自杀的念头？', en: 'Are you having thoughts of killing yourself right now?' },
      askedIf: { items: [1, 2, 3, 4], minAnswer: 1 },
    },
  ],
  scoring: { method: 'sum' },
  bands: [
    { code: 'negative', min: 0, max: 0, label: { 'zh-CN': '筛查阴性', en: 'Negative screen' }, suggestedRisk: 'green' },
    { code: 'positive', min: 1, max: 5, label: { 'zh-CN': '筛查阳性（非急性）', en: 'Non-acute positive screen' }, suggestedRisk: 'orange' },
  ],
  flagBands: [
    { code: 'acute_positive', label: { 'zh-CN': '筛查阳性（急性）', en: 'Acute positive screen' }, suggestedRisk: 'red' },
  ],
  safetyItems: [
    ...[1, 2, 3, 4].map((item) => ({
      item,
      minAnswer: 1,
      suggestedRisk: 'orange' as const,
      note: {
        'zh-CN': `第${item}题回答“是”：筛查阳性，当天开启危机事件，学生离开前须完成简短的自杀风险评估。`,
        en: `Question ${item} answered yes: a positive screen; a crisis event opens the same day and the student has a brief suicide safety assessment before leaving.`,
      },
    })),
    {
      item: 5,
      minAnswer: 1,
      suggestedRisk: 'red',
      band: 'acute_positive',
      note: {
        'zh-CN': '第5题回答“是”：急性阳性，立即开启危机事件，学生不可独处，须立即进行全面评估。',
        en: 'Question 5 answered yes: an acute positive; a crisis event opens at once, the student is not left alone and has a full evaluation now.',
      },
    },
  ],
  translation: {
    'zh-CN': 'pending_clinical_review',
    note: { 'zh-CN': '中文措辞非官方译本，待临床审核', en: 'The Chinese wording is not an official translation and awaits clinical review' },
  },
  licence: NIMH_ASQ_NOTICE,
  source: 'Horowitz LM, Bridge JA, Teach SJ, et al. Ask Suicide-Screening Questions (ASQ): a brief instrument for the pediatric emergency department. Arch Pediatr Adolesc Med 2012;166(12):1170–1176. NIMH ASQ toolkit: https://www.nimh.nih.gov/research/research-conducted-at-nimh/asq-toolkit-materials',
}
