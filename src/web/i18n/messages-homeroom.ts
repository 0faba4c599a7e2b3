/**
 * Strings of the homeroom teacher's screen (我的班级): this period's talks, the class's
 * completion rate, the talk-log history, and the talk periods in words; and of the district
 * chart's withheld cells (the same piece of work). Spread into messages.ts like
 * messages-admin.ts, so the English table is checked against the Chinese.
 */
export const homeroomZh = {
  'homeroom.progress': '本期谈话完成情况',
  'homeroom.progressHelp': '每类谈话按当前（或最近一期）统计；完成包括逾期补谈。',
  'homeroom.classRate': '全班完成率',
  'homeroom.classRateOf': '已谈 {done} / 应谈 {total} 人次',
  'homeroom.window': '周期',
  'homeroom.doneOf': '已谈 {done} / 应谈 {total} 人',
  'homeroom.onTimeRate': '按时完成率 {pct}%',
  'homeroom.onTimePending': '本期尚未截止',
  'homeroom.overdueCount': '逾期未谈 {n} 人',
  'homeroom.openCount': '待谈 {n} 人',
  'homeroom.until': '截止 {date}',
  'homeroom.history': '我的谈话记录',
  'homeroom.historyTotal': '共 {n} 条',
  'talkWindow.autumn': '{year}年秋季学期',
  'talkWindow.spring': '{year}年春季学期',
  'talkWindow.month': '{year}年{month}月',
  'talkWindow.holiday': '{name}返校',
  'talkWindow.returnOn': '{date}返校',
  'district.withheldSeries': '已隐去（人数过少）',
  'district.withheldLabel': '{levels} 已隐去',
  'district.chartWithheld': '斜线方块表示该校有已隐去的人数（1–10 人，或可由合计推算），方块高度不代表人数；本图共 {n} 处：',
} as const

export const homeroomEn: Record<keyof typeof homeroomZh, string> = {
  'homeroom.progress': 'Talks this period',
  'homeroom.progressHelp': 'Each kind of talk for its current (or latest) period; done includes talks held late.',
  'homeroom.classRate': 'Class completion rate',
  'homeroom.classRateOf': '{done} of {total} talks held',
  'homeroom.window': 'Period',
  'homeroom.doneOf': '{done} of {total} students talked to',
  'homeroom.onTimeRate': '{pct}% on time',
  'homeroom.onTimePending': 'period still open',
  'homeroom.overdueCount': '{n} overdue',
  'homeroom.openCount': '{n} still to talk to',
  'homeroom.until': 'due {date}',
  'homeroom.history': 'My talk logs',
  'homeroom.historyTotal': '{n} in all',
  'talkWindow.autumn': 'Autumn term {year}',
  'talkWindow.spring': 'Spring term {year}',
  'talkWindow.month': '{month} {year}',
  'talkWindow.holiday': 'Back from {name}',
  'talkWindow.returnOn': 'Back on {date}',
  'district.withheldSeries': 'Withheld (too few to show)',
  'district.withheldLabel': '{levels} withheld',
  'district.chartWithheld': 'A hatched block marks a withheld count (1–10, or one that could be worked out from the totals); its height is not a count. {n} in this chart:',
}
