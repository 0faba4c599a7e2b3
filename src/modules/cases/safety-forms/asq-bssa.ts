import type { z } from 'zod'
import type { SafetyFormDefinition } from '../safety-form.js'

/**
 * Brief Suicide Safety Assessment (BSSA), the second step of the NIMH ASQ Suicide Risk
 * Screening Toolkit's pathway: after a positive screen, a trained clinician (here the school's
 * psychology teacher) asks about thoughts, plan, intent, means, past attempts, risk and
 * protective factors, and decides the disposition. NIMH publishes no official Chinese BSSA;
 * every Chinese wording below is the school team's own and carries zhPendingReview (shown as
 * 待临床审核) until a clinician has reviewed it. A change of wording ships as a new version.
 */
export const ASQ_BSSA: z.input<typeof SafetyFormDefinition> = {
  code: 'ASQ-BSSA',
  version: 1,
  name: { 'zh-CN': '简要自杀安全评估（ASQ BSSA）', en: 'Brief Suicide Safety Assessment (ASQ BSSA)' },
  instructions: {
    'zh-CN': '在单独、安静的环境中与学生面谈。先肯定学生愿意说出自己的想法，再逐项直接询问。评估期间不要让学生独处。',
    en: 'Talk with the student alone, somewhere quiet. Praise the student for talking about their thoughts, then ask each question directly. Do not leave the student alone during the assessment.',
  },
  reviewFlag: { 'zh-CN': '待临床审核', en: 'Chinese wording awaiting clinical review' },
  sections: [
    {
      key: 'thoughts', zhPendingReview: true,
      title: { 'zh-CN': '自杀想法', en: 'Suicidal thoughts' },
      items: [
        {
          key: 'thoughtsFrequency', type: 'choice', required: true, zhPendingReview: true,
          label: { 'zh-CN': '你多久会有一次自杀的想法？', en: 'How often are you having thoughts of suicide?' },
          options: [
            { value: 'daily', label: { 'zh-CN': '每天或几乎每天', en: 'Every day or almost every day' } },
            { value: 'weekly', label: { 'zh-CN': '每周几次', en: 'A few times a week' } },
            { value: 'occasionally', label: { 'zh-CN': '偶尔', en: 'Now and then' } },
            { value: 'notNow', label: { 'zh-CN': '目前没有', en: 'Not at present' } },
          ],
        },
        {
          key: 'thoughtsLast', type: 'choice', required: true, zhPendingReview: true,
          label: { 'zh-CN': '你最近一次有这种想法是什么时候？', en: 'When was the last time you had these thoughts?' },
          options: [
            { value: 'today', label: { 'zh-CN': '今天（包括此刻）', en: 'Today (including right now)' } },
            { value: 'pastWeek', label: { 'zh-CN': '过去一周内', en: 'In the past week' } },
            { value: 'pastMonth', label: { 'zh-CN': '过去一个月内', en: 'In the past month' } },
            { value: 'longer', label: { 'zh-CN': '一个月以前', en: 'More than a month ago' } },
          ],
        },
      ],
    },
    {
      key: 'plan', zhPendingReview: true,
      title: { 'zh-CN': '计划', en: 'Plan' },
      items: [
        {
          key: 'hasPlan', type: 'yes_no', required: true, zhPendingReview: true,
          label: { 'zh-CN': '你有结束自己生命的计划吗？', en: 'Do you have a plan to kill yourself?' },
        },
        {
          key: 'planDetail', type: 'text', maxLength: 1000, requiredWhen: { item: 'hasPlan', equals: true }, zhPendingReview: true,
          label: { 'zh-CN': '如果有，是什么样的计划？', en: 'If yes, what is your plan?' },
        },
      ],
    },
    {
      key: 'intent', zhPendingReview: true,
      title: { 'zh-CN': '意图', en: 'Intent' },
      items: [
        {
          key: 'hasIntent', type: 'yes_no', required: true, zhPendingReview: true,
          label: { 'zh-CN': '你打算按这个想法（或计划）去做吗？', en: 'Do you intend to act on these thoughts (or this plan)?' },
        },
      ],
    },
    {
      key: 'means', zhPendingReview: true,
      title: { 'zh-CN': '致命手段及可及性', en: 'Means and access to lethal means' },
      items: [
        {
          key: 'meansAccess', type: 'yes_no', required: true, zhPendingReview: true,
          label: { 'zh-CN': '你能拿到可用来伤害自己的东西吗（如药物、刀具等锐器、高处、绳索）？', en: 'Do you have access to the means (e.g. medication, knives or other sharp objects, heights, cords)?' },
        },
        {
          key: 'meansDetail', type: 'text', maxLength: 1000, requiredWhen: { item: 'meansAccess', equals: true }, zhPendingReview: true,
          label: { 'zh-CN': '是哪些手段？已采取什么措施限制接触？', en: 'Which means, and what has been done to limit access?' },
        },
      ],
    },
    {
      key: 'attempts', zhPendingReview: true,
      title: { 'zh-CN': '既往自杀尝试', en: 'Past attempts' },
      items: [
        {
          key: 'pastAttempt', type: 'yes_no', required: true, zhPendingReview: true,
          label: { 'zh-CN': '你曾经尝试过结束自己的生命吗？', en: 'Have you ever tried to kill yourself?' },
        },
        {
          key: 'attemptWhen', type: 'choice', requiredWhen: { item: 'pastAttempt', equals: true }, zhPendingReview: true,
          label: { 'zh-CN': '最近一次是什么时候？', en: 'When was the most recent attempt?' },
          options: [
            { value: 'pastWeek', label: { 'zh-CN': '过去一周内', en: 'In the past week' } },
            { value: 'pastMonth', label: { 'zh-CN': '过去一个月内', en: 'In the past month' } },
            { value: 'pastYear', label: { 'zh-CN': '过去一年内', en: 'In the past year' } },
            { value: 'longer', label: { 'zh-CN': '一年以前', en: 'More than a year ago' } },
          ],
        },
        {
          key: 'attemptHow', type: 'text', maxLength: 1000, requiredWhen: { item: 'pastAttempt', equals: true }, zhPendingReview: true,
          label: { 'zh-CN': '当时是怎么做的？是否接受过医疗或心理救治？', en: 'How? Did you receive medical or mental health care afterwards?' },
        },
      ],
    },
    {
      key: 'risk', zhPendingReview: true,
      title: { 'zh-CN': '风险因素', en: 'Risk factors' },
      items: [
        {
          key: 'riskFactors', type: 'multi', zhPendingReview: true,
          label: { 'zh-CN': '目前存在的风险因素（可多选）', en: 'Risk factors present now (choose any)' },
          options: [
            { value: 'depression', label: { 'zh-CN': '抑郁情绪', en: 'Depressed mood' } },
            { value: 'hopelessness', label: { 'zh-CN': '绝望感', en: 'Hopelessness' } },
            { value: 'anxiety', label: { 'zh-CN': '焦虑', en: 'Anxiety' } },
            { value: 'impulsivity', label: { 'zh-CN': '冲动', en: 'Impulsivity' } },
            { value: 'irritability', label: { 'zh-CN': '易激惹或愤怒', en: 'Irritability or anger' } },
            { value: 'sleep', label: { 'zh-CN': '睡眠问题', en: 'Sleep problems' } },
            { value: 'substanceUse', label: { 'zh-CN': '饮酒或物质使用', en: 'Alcohol or substance use' } },
            { value: 'selfHarm', label: { 'zh-CN': '非自杀性自伤', en: 'Non-suicidal self-injury' } },
            { value: 'bullying', label: { 'zh-CN': '受欺凌', en: 'Being bullied' } },
            { value: 'familyConflict', label: { 'zh-CN': '家庭冲突', en: 'Family conflict' } },
            { value: 'loss', label: { 'zh-CN': '重大丧失（亲人、关系）', en: 'A major loss (a person, a relationship)' } },
            { value: 'academicStress', label: { 'zh-CN': '学业压力', en: 'Academic pressure' } },
            { value: 'isolation', label: { 'zh-CN': '社交孤立', en: 'Social isolation' } },
          ],
        },
        {
          key: 'riskNote', type: 'text', maxLength: 1000, zhPendingReview: true,
          label: { 'zh-CN': '其他风险情况', en: 'Other risk concerns' },
        },
      ],
    },
    {
      key: 'protective', zhPendingReview: true,
      title: { 'zh-CN': '保护因素', en: 'Protective factors' },
      items: [
        {
          key: 'protectiveFactors', type: 'multi', zhPendingReview: true,
          label: { 'zh-CN': '目前存在的保护因素（可多选）', en: 'Protective factors present now (choose any)' },
          options: [
            { value: 'trustedAdult', label: { 'zh-CN': '有可以倾诉的可信任成人', en: 'A trusted adult to talk to' } },
            { value: 'familySupport', label: { 'zh-CN': '家庭支持', en: 'Family support' } },
            { value: 'friends', label: { 'zh-CN': '朋友支持', en: 'Support from friends' } },
            { value: 'reasonsForLiving', label: { 'zh-CN': '能说出活下去的理由', en: 'Can name reasons for living' } },
            { value: 'futurePlans', label: { 'zh-CN': '对未来有期待或计划', en: 'Hopes or plans for the future' } },
            { value: 'helpSeeking', label: { 'zh-CN': '愿意求助', en: 'Willing to ask for help' } },
            { value: 'schoolConnection', label: { 'zh-CN': '与学校、老师有联结', en: 'Connected to school and teachers' } },
          ],
        },
        {
          key: 'reasonsForLiving', type: 'text', maxLength: 1000, zhPendingReview: true,
          label: { 'zh-CN': '有哪些理由让你不会结束自己的生命？', en: 'What are some of the reasons you would not kill yourself?' },
        },
      ],
    },
  ],
  dispositions: [
    {
      value: 'emergency', zhPendingReview: true,
      label: { 'zh-CN': '紧急转介', en: 'Emergency evaluation' },
      help: {
        'zh-CN': '需要当天进行紧急精神科评估：开启紧急转介，学生须有人陪护，并在当天联系家长（记录家校沟通）。',
        en: 'An emergency psychiatric evaluation is needed today: an urgent referral is opened, the student stays with an adult, and the parents are contacted the same school day (log the parent contact).',
      },
    },
    {
      value: 'safety_plan', zhPendingReview: true,
      label: { 'zh-CN': '安全计划', en: 'Safety plan' },
      help: {
        'zh-CN': '制定安全计划并与家长沟通，须填写随访日期。',
        en: 'Make a safety plan with the student and talk with the parents; a follow-up date is required.',
      },
    },
    {
      value: 'none', zhPendingReview: true,
      label: { 'zh-CN': '暂无需进一步处理', en: 'No further action now' },
      help: { 'zh-CN': '须说明理由。', en: 'A reason is required.' },
    },
  ],
  licence: 'Brief Suicide Safety Assessment (BSSA), ASQ Suicide Risk Screening Toolkit, National Institute of Mental Health (NIMH). NIMH materials are in the public domain and may be reproduced and adapted without permission; citation of the source is appreciated. This Chinese adaptation is not an official NIMH translation.',
  source: 'NIMH, Ask Suicide-Screening Questions (ASQ) Toolkit: Brief Suicide Safety Assessment (youth), https://www.nimh.nih.gov/research/research-conducted-at-nimh/asq-toolkit-materials',
}
