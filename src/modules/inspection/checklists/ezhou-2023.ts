import type { Checklist } from './index.js'

/**
 * 湖北省鄂州市 2023 年中小学心理健康教育专项督导任务清单, as the self-check's default list.
 *
 * The wording below is a paraphrase: the official text of the notice is not at hand, so the
 * 考核要点, 主要工作任务 and 督导方式 here follow its structure (13 items; 查看资料、查看记录、
 * 查看档案) in our own words. A district holding the official form can replace the words
 * without touching the rules. The rules (每周1节, 每两周1节, 每月不少于2课时, coverage
 * thresholds …) are the measurable parts the engine checks; change them here, not in code.
 */
export const ezhou2023: Checklist = {
  id: 'ezhou-2023',
  title: '中小学心理健康教育专项督导任务清单',
  source: '湖北省鄂州市 2023 年中小学心理健康教育专项督导任务清单',
  wordingNote: '条目文字为依据原清单结构的转述，非官方原文。',
  columns: {
    code: '序号', point: '考核要点', tasks: '主要工作任务', method: '督导方式', facts: '具体落实情况', remarks: '备注',
  },
  items: [
    {
      code: '1',
      point: '组织保障',
      tasks: [
        '成立由校长任组长的心理健康工作领导小组，明确成员分工',
        '领导小组定期召开专题会议，研究部署心理健康工作',
        '制定学年心理健康教育工作方案',
        '落实心理健康教育专项经费',
      ],
      method: '查看资料：领导小组文件、会议记录、工作方案、经费预算',
      measure: 'organisation',
      rules: { meetingsPerTerm: 2, requireLeader: true, requirePlan: true, requireBudget: true },
    },
    {
      code: '2',
      point: '课程开设',
      tasks: [
        '生命安全教育课每周1节',
        '心理健康教育课每两周1节，每月不少于2课时',
        '每月召开1次心理健康主题班会',
        '坚持开展"阳光5分钟"活动',
      ],
      method: '查看记录：课表、教案、班会记录',
      measure: 'lessons',
      rules: {
        lessons: [
          { kind: 'life_safety', label: '生命安全教育课', per: 'week', minPeriods: 1, ruleText: '每周1节' },
          { kind: 'mental_health', label: '心理健康教育课', per: 'two_weeks', minPeriods: 1, ruleText: '每两周1节' },
          { kind: 'mental_health', label: '心理健康教育课', per: 'month', minPeriods: 2, ruleText: '每月不少于2课时' },
          { kind: 'class_meeting', label: '心理健康主题班会', per: 'month', minPeriods: 1, ruleText: '每月1次', unit: '次' },
          { kind: 'sunshine', label: '"阳光5分钟"', per: 'week', minPeriods: 1, ruleText: '每周开展', unit: '次' },
        ],
      },
    },
    {
      code: '3',
      point: '主题活动',
      tasks: [
        '开展"5·25"心理健康日活动',
        '开展心理健康教育月活动',
        '每学期开学举行开学礼，开展心理调适教育',
      ],
      method: '查看资料：活动方案、图片、总结',
      measure: 'activities',
      rules: {
        activities: [
          { kind: 'mental_health_day', label: '"5·25"心理健康日', due: { monthDay: '05-25' } },
          { kind: 'mental_health_month', label: '心理健康教育月', due: { monthDay: '05-01' } },
          { kind: 'opening_ceremony', label: '开学礼', due: 'every_term' },
        ],
      },
    },
    {
      code: '4',
      point: '测评建档',
      tasks: [
        '每学年对四至十二年级学生开展心理健康测评，应测尽测',
        '建立学生心理健康档案，做到一生一档',
      ],
      method: '查看档案：测评记录、学生心理档案',
      measure: 'screening',
      rules: { screeningCoverageMin: 0.95 },
    },
    {
      code: '5',
      point: '三个必谈与师生结对',
      tasks: [
        '班主任落实"三个必谈"：每学期必谈、关注学生每月必谈、重大节假日返校必谈',
        '对关注学生实行师生结对，一对一帮扶',
      ],
      method: '查看记录：谈心谈话记录、结对帮扶记录',
      measure: 'talks_pairings',
      rules: { talkOnTimeMin: 0.9, careListPairedMin: 1 },
    },
    {
      code: '6',
      point: '多帮一',
      tasks: [
        '对特殊群体学生开展团体辅导',
        '对特殊群体学生家长开展团体辅导',
        '对重点关注学生组建多人帮扶小组',
      ],
      method: '查看记录：团体辅导记录、帮扶小组名单及记录',
      measure: 'many_help_one',
      rules: { groupSessionsPerTerm: { special_students: 1, special_parents: 1 } },
    },
    {
      code: '7',
      point: '家校协同',
      tasks: [
        '与关注学生家长保持沟通，做好记录',
        '办好家长学校，每学期召开家长会，开展家访',
      ],
      method: '查看记录：家校沟通记录、家长学校及家长会资料',
      measure: 'home_school',
      rules: { homeSchoolPerTerm: { parent_school: 1, parent_meeting: 1 } },
    },
    {
      code: '8',
      point: '队伍建设',
      tasks: [
        '配齐专（兼）职心理健康教师，规模较大的学校配备专职心理教师',
        '心理健康教师持证上岗',
      ],
      method: '查看资料：教师名册、资格证书',
      measure: 'staffing',
      rules: { largeSchoolEnrolment: 1000, fullTimeNeeded: 1, fullTimeCertified: true },
    },
    {
      code: '9',
      point: '教师培训',
      tasks: [
        '心理健康教师定期参加专业培训',
        '班主任全员参加心理健康教育培训',
      ],
      method: '查看资料：培训通知、签到、证书',
      measure: 'training',
      rules: { psychStaffTrained: true, homeroomTrainedMin: 1 },
    },
    {
      code: '10',
      point: '危机干预',
      tasks: [
        '制定心理危机干预应急预案并及时修订',
        '定期组织应急演练',
        '发生心理危机事件及时处置，开展安全评估',
      ],
      method: '查看资料：应急预案、演练记录、危机事件处置记录',
      measure: 'crisis',
      rules: { requireEmergencyPlan: true, drillsPerTerm: 1, assessedCrisisMin: 1 },
    },
    {
      code: '11',
      point: '及时转介',
      tasks: [
        '对需要专业治疗的学生及时转介至专业医疗机构',
        '跟踪转介学生情况，做好复学评估',
      ],
      method: '查看记录：转介单、跟踪记录',
      measure: 'referrals',
      rules: { overdueReferralsMax: 0 },
    },
    {
      code: '12',
      point: '视频监控',
      tasks: ['校园重点部位视频监控全覆盖，运行正常'],
      method: '现场查看',
      measure: 'outside',
      rules: {},
      outsideText: '属校园安全工作，不在本系统记录范围，请按学校安全台账填写。',
    },
    {
      code: '13',
      point: '安全巡查',
      tasks: ['落实校园安全巡查制度，重点时段、重点部位有人巡查'],
      method: '查看记录：巡查记录',
      measure: 'outside',
      rules: {},
      outsideText: '属校园安全工作，不在本系统记录范围，请按学校安全巡查记录填写。',
    },
  ],
}
