import { excel } from '../../../lib/spreadsheet/excel.js'
import type { ReportAnswerT } from './schemas.js'

/**
 * The self-check's exports, in Chinese, A4: the checklist as .xlsx in its own layout, the same
 * as print-ready HTML, the 自查报告 (一、工作实施情况 / 二、存在的问题 / 三、整改措施) and the
 * staffing survey. Built only from the report the screen shows (counts, dates, rates) and the
 * school's own words; nothing here reads a record.
 */

export const STATUS_ZH = { met: '达标', flagged: '需关注', missing: '缺少记录', outside: '不在本系统范围' } as const

export interface OpenRectification {
  itemCode: string
  problem: string
  measure: string | null
  deadline: string
  responsible: string | null
  overdue: boolean
}

export interface SurveyRow { name: string; employment: string; qualifications: string[]; hours: number; courses: string }

/** A full-width space between parts of a line, as Chinese forms set them. */
const IDEO_SPACE = '\u3000'
const THIN = { style: 'thin' as const, color: { argb: 'FF000000' } }
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN }

function tasksText(tasks: string[]): string {
  return tasks.map((t, i) => `${i + 1}. ${t}`).join('\n')
}

function factsText(it: ReportAnswerT['items'][number]): string {
  const lines = [`【${STATUS_ZH[it.status]}】${it.text}`]
  if (it.flags.length) lines.push(...it.flags.map((f) => `· ${f}`))
  return lines.join('\n')
}

/** 2026-12-06 → 2026年12月6日 */
export function chineseDay(iso: string | null | undefined): string {
  if (!iso) return ''
  return `${iso.slice(0, 4)}年${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日`
}

export async function reportWorkbook(r: ReportAnswerT): Promise<Buffer> {
  const wb = new (await excel()).Workbook()
  wb.creator = 'XinAn'
  const ws = wb.addWorksheet('督导自查表', {
    pageSetup: {
      paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0,
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
      printTitlesRow: '3:3', horizontalCentered: true,
    },
    headerFooter: { oddFooter: '第 &P 页，共 &N 页' },
  })
  const c = r.checklist.columns
  ws.columns = [
    { width: 6 }, { width: 12 }, { width: 40 }, { width: 20 }, { width: 62 }, { width: 22 },
  ]
  ws.mergeCells('A1:F1')
  const title = ws.getCell('A1')
  title.value = `${r.schoolName} ${r.checklist.title}（学校自查）`
  title.font = { bold: true, size: 16 }
  title.alignment = { horizontal: 'center', vertical: 'middle' }
  ws.getRow(1).height = 30
  ws.mergeCells('A2:F2')
  const sub = ws.getCell('A2')
  sub.value = `自查时段：${r.period.label}（${chineseDay(r.period.from)}至${chineseDay(r.period.to)}）${IDEO_SPACE}统计日期：${chineseDay(r.asOf)}${IDEO_SPACE}依据：${r.checklist.source}（${r.checklist.wordingNote}）`
  sub.alignment = { wrapText: true, vertical: 'middle' }
  sub.font = { size: 10 }
  ws.getRow(2).height = 32
  const head = ws.getRow(3)
  head.values = [c.code, c.point, c.tasks, c.method, c.facts, c.remarks]
  head.font = { bold: true }
  head.height = 22
  head.eachCell((cell) => {
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true }
    cell.border = BORDER
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8E8E8' } }
  })
  for (const it of r.items) {
    const row = ws.addRow([Number(it.code) || it.code, it.point, tasksText(it.tasks), it.method, factsText(it), it.remark])
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      if (col > 6) return
      cell.alignment = { wrapText: true, vertical: 'top', horizontal: col === 1 ? 'center' : 'left' }
      cell.border = BORDER
    })
    // Rough row height for wrapped Chinese text: the longest cell's lines at its column width.
    const lines = (text: string, width: number) => text.split('\n').reduce((n, l) => n + Math.max(1, Math.ceil((l.length * 2) / width)), 0)
    row.height = Math.min(400, 15 * Math.max(lines(tasksText(it.tasks), 40), lines(factsText(it), 62), lines(it.remark, 22), lines(it.method, 20)))
  }
  const tail = (label: string, text: string) => {
    const row = ws.addRow([label, '', text])
    ws.mergeCells(`A${row.number}:B${row.number}`)
    ws.mergeCells(`C${row.number}:F${row.number}`)
    row.getCell(1).font = { bold: true }
    row.getCell(1).alignment = { vertical: 'top', horizontal: 'center', wrapText: true }
    row.getCell(3).alignment = { vertical: 'top', wrapText: true }
    for (let i = 1; i <= 6; i++) row.getCell(i).border = BORDER
    row.height = Math.min(300, 15 * Math.max(2, text.split('\n').reduce((n, l) => n + Math.max(1, Math.ceil((l.length * 2) / 140)), 0)))
  }
  const rec = r.record
  tail('亮点', rec?.highlights ?? '')
  tail('存在的主要问题', rec?.problems ?? '')
  ws.addRow([])
  const sign = ws.addRow([`责任督学：${rec?.inspector ?? ''}`, '', '', '', `督导时间：${chineseDay(rec?.inspectedOn)}`])
  ws.mergeCells(`A${sign.number}:D${sign.number}`)
  ws.mergeCells(`E${sign.number}:F${sign.number}`)
  sign.font = { size: 12 }
  sign.height = 24
  return Buffer.from(await wb.xlsx.writeBuffer())
}

function esc(s: string | number | null | undefined): string {
  return String(s ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}

function paragraphs(text: string | null | undefined): string {
  return (text ?? '').split(/\n+/).map((l) => l.trim()).filter(Boolean).map((l) => `<p>${esc(l)}</p>`).join('')
}

const PAGE_CSS = `
body { font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", "Source Han Serif SC", serif; color: #000; background: #fff; margin: 0; }
.sheet { margin: 0 auto; padding: 10mm; }
h1 { text-align: center; font-size: 18pt; margin: 0 0 3mm; letter-spacing: .1em; }
.meta { font-size: 9.5pt; margin-bottom: 3mm; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 10pt; }
th, td { border: 1px solid #000; padding: 1.5mm 2mm; vertical-align: top; word-wrap: break-word; white-space: pre-wrap; }
th { background: #eee; text-align: center; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
.tag { font-weight: bold; }
.flags { margin: 1mm 0 0; padding-inline-start: 4mm; }
.sign { display: flex; justify-content: space-between; margin-top: 8mm; font-size: 12pt; }
@media print { .sheet { padding: 0; } }`

/** The checklist as one A4-landscape page set: the same rows as the .xlsx. */
export function reportHtml(r: ReportAnswerT): string {
  const c = r.checklist.columns
  const rows = r.items.map((it) => `<tr data-item="${esc(it.code)}">
<td style="text-align:center">${esc(it.code)}</td><td>${esc(it.point)}</td><td>${esc(tasksText(it.tasks))}</td><td>${esc(it.method)}</td>
<td><span class="tag">【${STATUS_ZH[it.status]}】</span>${esc(it.text)}${it.flags.length ? `<ul class="flags">${it.flags.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>` : ''}</td>
<td>${esc(it.remark)}</td></tr>`).join('\n')
  const rec = r.record
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(r.schoolName)} ${esc(r.checklist.title)}（学校自查）</title>
<style>${PAGE_CSS}
@page { size: A4 landscape; margin: 12mm 10mm; }
</style></head>
<body><div class="sheet">
<h1>${esc(r.schoolName)} ${esc(r.checklist.title)}（学校自查）</h1>
<div class="meta">自查时段：${esc(r.period.label)}（${esc(chineseDay(r.period.from))}至${esc(chineseDay(r.period.to))}）${IDEO_SPACE}统计日期：${esc(chineseDay(r.asOf))}<br>依据：${esc(r.checklist.source)}（${esc(r.checklist.wordingNote)}）</div>
<table>
<colgroup><col style="width:5%"><col style="width:9%"><col style="width:24%"><col style="width:13%"><col style="width:35%"><col style="width:14%"></colgroup>
<thead><tr><th>${esc(c.code)}</th><th>${esc(c.point)}</th><th>${esc(c.tasks)}</th><th>${esc(c.method)}</th><th>${esc(c.facts)}</th><th>${esc(c.remarks)}</th></tr></thead>
<tbody>
${rows}
<tr><th colspan="2">亮点</th><td colspan="4">${esc(rec?.highlights ?? '')}</td></tr>
<tr><th colspan="2">存在的主要问题</th><td colspan="4">${esc(rec?.problems ?? '')}</td></tr>
</tbody></table>
<div class="sign"><span>责任督学：${esc(rec?.inspector ?? '')}</span><span>督导时间：${esc(chineseDay(rec?.inspectedOn))}</span></div>
</div></body></html>`
}

const ORDINALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二', '十三', '十四', '十五', '十六', '十七', '十八', '十九', '二十']
const ord = (i: number) => ORDINALS[i] ?? String(i + 1)

/**
 * 自查报告 in the shape district notices ask for (一、工作实施情况 / 二、存在的问题 / 三、整改措施):
 * the facts of each item, the school's own highlights and problems, what the records show
 * below the rules, and the open 整改 items with their measures and deadlines.
 */
export function selfCheckReportHtml(r: ReportAnswerT, open: OpenRectification[]): string {
  const inSystem = r.items.filter((it) => it.status !== 'outside')
  const outside = r.items.filter((it) => it.status === 'outside')
  const pointOf = (code: string) => r.items.find((it) => it.code === code)?.point ?? ''
  const rec = r.record
  const part1 = inSystem.map((it, i) => `<p><b>（${ord(i)}）${esc(it.point)}。</b>${esc(it.text)}${it.remark ? `（学校说明：${esc(it.remark)}）` : ''}</p>`).join('\n')
  const outsideNote = outside.length
    ? `<p>${esc(outside.map((it) => `第${it.code}项${it.point}`).join('、'))}属校园安全工作，不在本系统记录范围，另按学校安全台账报告。`
      + `${esc(outside.filter((it) => it.remark).map((it) => `（${it.point}：${it.remark}）`).join(''))}</p>` : ''
  const shortfalls = r.items.filter((it) => it.status === 'flagged' || it.status === 'missing')
  const part2 = [
    paragraphs(rec?.problems),
    shortfalls.length
      ? `<p>对照督导任务清单，系统记录显示以下方面尚未达到要求：</p><ol>${shortfalls.map((it) => `<li>${esc(it.point)}：${esc(it.flags.join('；'))}。</li>`).join('')}</ol>`
      : '<p>对照督导任务清单，系统记录显示各项工作均达到要求。</p>',
  ].join('\n')
  const part3 = open.length
    ? open.map((o, i) => `<p><b>（${ord(i)}）${esc(o.problem)}</b>（第${esc(o.itemCode)}项${esc(pointOf(o.itemCode))}）。整改措施：${esc(o.measure ?? '待定')}；责任人：${esc(o.responsible ?? '待定')}；整改时限：${esc(chineseDay(o.deadline))}${o.overdue ? '（已逾期）' : ''}。</p>`).join('\n')
    : '<p>目前没有未完成的整改事项。</p>'
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(r.schoolName)}心理健康教育专项督导自查报告</title>
<style>${PAGE_CSS}
@page { size: A4; margin: 25mm 20mm; }
.report { max-width: 170mm; margin: 0 auto; font-size: 12pt; line-height: 1.8; }
.report h1 { font-size: 20pt; margin-bottom: 6mm; }
.report h2 { font-size: 14pt; margin: 5mm 0 2mm; font-family: "SimHei", "Heiti SC", "Noto Sans CJK SC", sans-serif; }
.report p { text-indent: 2em; margin: 0 0 2mm; }
.report .end { text-align: right; margin-top: 10mm; text-indent: 0; }
</style></head>
<body><div class="report">
<h1>${esc(r.schoolName)}心理健康教育专项督导自查报告</h1>
<p>根据《${esc(r.checklist.source)}》的要求，我校对照清单所列 ${r.items.length} 项督导任务，对${esc(r.period.label)}（${esc(chineseDay(r.period.from))}至${esc(chineseDay(r.period.to))}）的心理健康教育工作进行了自查。现将自查情况报告如下。</p>
<h2>一、工作实施情况</h2>
${part1}
${outsideNote}
${rec?.highlights ? `<p><b>工作亮点。</b></p>${paragraphs(rec.highlights)}` : ''}
<h2>二、存在的问题</h2>
${part2}
<h2>三、整改措施</h2>
${part3}
<p class="end">${esc(r.schoolName)}<br>${esc(chineseDay(r.asOf))}</p>
</div></body></html>`
}

/** 心理健康教师基本情况调查表 (.xlsx, A4 landscape). */
export async function staffingSurveyWorkbook(schoolName: string, year: number, rows: SurveyRow[]): Promise<Buffer> {
  const wb = new (await excel()).Workbook()
  wb.creator = 'XinAn'
  const ws = wb.addWorksheet('调查表', {
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '3:3', horizontalCentered: true },
  })
  ws.columns = [{ width: 6 }, { width: 14 }, { width: 10 }, { width: 34 }, { width: 14 }, { width: 46 }, { width: 18 }]
  ws.mergeCells('A1:G1')
  ws.getCell('A1').value = `${schoolName} 心理健康教师基本情况调查表（${year}年）`
  ws.getCell('A1').font = { bold: true, size: 15 }
  ws.getCell('A1').alignment = { horizontal: 'center', vertical: 'middle' }
  ws.getRow(1).height = 28
  ws.mergeCells('A2:G2')
  ws.getCell('A2').value = `专职 ${rows.filter((r) => r.employment === '专职').length} 人，兼职 ${rows.filter((r) => r.employment === '兼职').length} 人，持证 ${rows.filter((r) => r.qualifications.length > 0).length} 人；培训学时为 ${year} 年度合计。`
  ws.getCell('A2').font = { size: 10 }
  const head = ws.getRow(3)
  head.values = ['序号', '姓名', '专/兼职', '资格证书', `${year}年培训学时`, '培训内容', '备注']
  head.font = { bold: true }
  head.eachCell((cell) => {
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true }
    cell.border = BORDER
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8E8E8' } }
  })
  rows.forEach((r, i) => {
    const row = ws.addRow([i + 1, r.name, r.employment, r.qualifications.join('；'), r.hours, r.courses, ''])
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      if (col > 7) return
      cell.alignment = { wrapText: true, vertical: 'top', horizontal: col === 1 || col === 3 || col === 5 ? 'center' : 'left' }
      cell.border = BORDER
    })
  })
  return Buffer.from(await wb.xlsx.writeBuffer())
}
