import { excel } from '../../lib/spreadsheet/excel.js'
import { LESSON_RULES, type ClassLessonCounts } from './lessons-summary.js'
import { LessonKinds } from './lessons-schemas.js'

/** The kinds' names and rules as the report and the teachers call them. */
const KIND_NAMES = { life_safety: '生命安全教育', mental_health: '心理健康教育', class_meeting: '主题班会', sunshine: '阳光5分钟' } as const

/** "七年级(2)班 2026年11月心理健康教育 1 课时，低于每月 2 课时" — what the report flags, in words. */
export function shortfallWords(className: string, s: ClassLessonCounts['shortfalls'][number]): string {
  const month = `${s.month.slice(0, 4)}年${Number(s.month.slice(5, 7))}月`
  const kind = KIND_NAMES[s.kind]
  return s.unit === 'periods'
    ? `${className} ${month}${kind} ${s.held} 课时，低于每月 ${s.required} 课时`
    : `${className} ${month}${kind} ${s.held} 次，低于${LESSON_RULES[s.kind].rule}（应 ${s.required} 次）`
}

/** 课程开设情况 as a workbook: one row per class and month, the counts per kind, the shortfalls in words. */
export async function lessonSummaryXlsx(classes: ClassLessonCounts[], from: string, to: string): Promise<Buffer> {
  const wb = new (await excel()).Workbook()
  const ws = wb.addWorksheet('课程开设情况', { pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } })
  ws.addRow([`课程开设情况（${from} 至 ${to}）`]).font = { bold: true, size: 14 }
  ws.addRow(['开课要求：' + LessonKinds.map((k) => `${KIND_NAMES[k]} ${LESSON_RULES[k].rule}`).join('；')])
  const header = ws.addRow(['班级', '月份', '在校日', '教学周', ...LessonKinds.flatMap((k) => [`${KIND_NAMES[k]}（次）`, `${KIND_NAMES[k]}（课时）`]), '未达要求'])
  header.font = { bold: true }
  for (const c of classes) {
    for (const m of c.months) {
      const short = c.shortfalls.filter((s) => s.month === m.month).map((s) => shortfallWords(c.className, s))
      ws.addRow([c.className, m.month, m.schoolDays, m.schoolWeeks, ...LessonKinds.flatMap((k) => [m.kinds[k].lessons, m.kinds[k].periods]), short.join('；')])
    }
  }
  ws.columns.forEach((col, i) => { col.width = i === 0 ? 14 : i === 3 + LessonKinds.length * 2 + 1 ? 60 : 12 })
  return Buffer.from(await wb.xlsx.writeBuffer())
}
