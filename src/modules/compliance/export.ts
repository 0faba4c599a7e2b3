import { excel } from '../../lib/spreadsheet/excel.js'
import type { Labeller, Lang } from './labels.js'
import type { ComplianceReportT } from './schemas.js'

/**
 * The report's exports: an .xlsx with one sheet per table and a print-ready A4 page. Built only
 * from the report the screen shows — counts and the policies' own names, in words — so nothing
 * here can print a person.
 */

type Cell = string | number
interface Table { title: string; head: string[]; rows: Cell[][]; widths: number[]; note?: string }

function day(iso: string, lang: Lang): string {
  if (lang === 'en') return iso
  return `${iso.slice(0, 4)}年${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日`
}

function instant(iso: string, lang: Lang, timeZone: string): string {
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-CN', { timeZone, dateStyle: 'long', timeStyle: 'short' }).format(new Date(iso))
}

/** The schools' zone in words where it has a common name. */
const zoneName = (tz: string, lang: Lang) => (tz === 'Asia/Shanghai' ? (lang === 'en' ? 'Beijing' : '北京') : tz)

const pct = (a: number, b: number) => (b === 0 ? '—' : `${Math.round((a / b) * 1000) / 10}%`)

/** Every table of the report, in the order of its sections, with the words of one language. */
export function reportTables(r: ComplianceReportT, l: Labeller, lang: Lang): { heading: string; intro: string[]; sections: Array<{ title: string; intro: string[]; tables: Table[] }> } {
  const inventory: Table = {
    title: l.t('compliance.s1'),
    head: [l.t('compliance.col.resource'), l.t('compliance.col.table'), l.t('compliance.col.records'), l.t('compliance.col.group'), l.t('compliance.col.fields'), l.t('compliance.col.sensitive'), l.t('compliance.col.encrypted')],
    widths: [18, 20, 10, 16, 50, 10, 10],
    rows: r.inventory.flatMap((e) => e.groups.map((g, i) => [
      i === 0 ? l.resource(e.resource) + (e.aboutStudents ? `（${l.t('compliance.aboutStudents')}）` : '') : '',
      i === 0 ? e.table : '',
      i === 0 ? e.records : '',
      l.group(e.resource, g.group),
      g.fields.map((f) => l.field(f)).join('、'),
      l.t(e.sensitive ? 'compliance.sensitiveYes' : 'compliance.sensitiveNo'),
      l.t(`compliance.encrypted.${g.encrypted}`),
    ])),
  }
  const rights: Table = {
    title: l.t('compliance.s2'),
    head: [l.t('compliance.col.resource'), l.t('compliance.col.group'), l.t('compliance.col.readers'), l.t('compliance.col.writers')],
    widths: [18, 16, 50, 30],
    rows: r.inventory.flatMap((e) => e.groups.map((g, i) => [
      i === 0 ? l.resource(e.resource) : '',
      l.group(e.resource, g.group),
      g.readers.length ? g.readers.map((x) => `${l.role(x.role)}（${l.scope(x.scope)}）`).join('、') : l.t('compliance.notReadable'),
      g.writers.length ? g.writers.map((x) => l.role(x)).join('、') : l.t('compliance.noWriters'),
    ])),
  }
  const byPurpose: Table = {
    title: `${l.t('compliance.byPurpose')}（${l.t('compliance.accessTotal', { n: r.access.total })}）`,
    head: [l.t('compliance.col.roles'), l.t('compliance.col.purpose'), l.t('compliance.col.action'), l.t('compliance.col.count')],
    widths: [30, 24, 12, 10],
    rows: r.access.byRolePurposeAction.map((x) => [l.roles(x.roles), l.purpose(x.purpose), l.action(x.action), x.count]),
  }
  const byResource: Table = {
    title: l.t('compliance.byResource'),
    head: [l.t('compliance.col.resource'), l.t('compliance.col.action'), l.t('compliance.col.count')],
    widths: [30, 12, 10],
    rows: r.access.byResourceAction.map((x) => [l.resource(x.resource), l.action(x.action), x.count]),
  }
  const denied: Table = {
    title: `${l.t('compliance.denied')}（${l.t('compliance.deniedTotal', { n: r.denied.total })}）`,
    head: [l.t('compliance.col.roles'), l.t('compliance.col.resource'), l.t('compliance.col.outcome'), l.t('compliance.col.count')],
    widths: [30, 24, 14, 10],
    rows: r.denied.rows.map((x) => [l.roles(x.roles), l.resource(x.resource), l.outcome(x.outcome), x.count]),
  }
  const exports: Table = {
    title: `${l.t('compliance.exports')}（${l.t('compliance.exportsTotal', { n: r.exports.total })}）`,
    head: [l.t('compliance.col.roles'), l.t('compliance.col.resource'), l.t('compliance.col.count')],
    widths: [30, 24, 10],
    rows: r.exports.rows.map((x) => [l.roles(x.roles), l.resource(x.resource), x.count]),
  }
  const transfers: Table = {
    title: `${l.t('compliance.transfers')}（${l.t('compliance.transfersTotal', { n: r.transfers.total })}）`,
    head: [l.t('compliance.col.resource'), l.t('compliance.col.action'), l.t('compliance.col.outcome'), l.t('compliance.col.count')],
    widths: [24, 14, 14, 10],
    rows: r.transfers.rows.map((x) => [l.resource(x.resource), l.action(x.action), l.outcome(x.outcome), x.count]),
  }
  const retention: Table = {
    title: l.t('compliance.retention'),
    note: `${l.t('compliance.retentionSettings', { archive: r.retention.archiveAfterDays, purge: r.retention.purgeAfterDays })}${lang === 'en' ? ' ' : ''}${l.t('compliance.retentionTotal', { events: r.retention.events, records: r.retention.records })}`,
    head: [l.t('compliance.col.resource'), l.t('compliance.col.events'), l.t('compliance.col.deleted')],
    widths: [30, 12, 12],
    rows: r.retention.rows.map((x) => [l.resource(x.resource), x.events, x.records]),
  }
  const f = r.secondFactor
  const factor: Table = {
    title: l.t('compliance.s4'),
    note: l.t('compliance.factor.setting', {
      setting: f.setting === 'default'
        ? l.t('compliance.factor.default', { state: l.t(f.required ? 'compliance.factor.defaultOn' : 'compliance.factor.defaultOff') })
        : l.t(`compliance.factor.${f.setting}`),
    }),
    head: [l.t('compliance.col.roles'), l.t('compliance.col.users'), l.t('compliance.col.enabled'), l.t('compliance.col.coverage')],
    widths: [24, 14, 18, 10],
    rows: [
      ...f.byRole.map((x) => [l.role(x.role), x.users, x.enabled, pct(x.enabled, x.users)]),
      [l.t('compliance.factor.total'), f.total.users, f.total.enabled, pct(f.total.enabled, f.total.users)],
    ],
  }
  const c = r.auditChain
  const chainText = [
    c.ok ? l.t('compliance.chainOk', { checked: c.checked }) : l.t('compliance.chainBroken', { seq: c.firstBrokenSeq ?? '', checked: c.checked }),
    l.t('compliance.chainSchoolRows', { n: c.schoolRowsInYear, at: instant(c.checkedAt, lang, r.period.timeZone) }),
  ]
  return {
    heading: `${r.school.name} ${l.t('compliance.title')}（${l.t('compliance.yearLabel', { year: r.year })}）`,
    intro: [
      l.t('compliance.period', { from: day(r.period.from, lang), to: day(r.period.to, lang), tz: zoneName(r.period.timeZone, lang), at: instant(r.generatedAt, lang, r.period.timeZone) }),
      l.t('compliance.basis'),
    ],
    sections: [
      { title: l.t('compliance.s1'), intro: [l.t('compliance.s1Help')], tables: [inventory] },
      { title: l.t('compliance.s2'), intro: [l.t('compliance.s2Help')], tables: [rights] },
      { title: l.t('compliance.s3'), intro: [l.t('compliance.s3Help')], tables: [byPurpose, byResource, denied, exports, transfers, retention] },
      { title: l.t('compliance.s4'), intro: [], tables: [factor] },
      { title: l.t('compliance.s5'), intro: chainText, tables: [] },
    ],
  }
}

const THIN = { style: 'thin' as const, color: { argb: 'FF000000' } }
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN }

/** Sheet names: at most 31 characters, none of : \ / ? * [ ]. */
function sheetName(title: string, used: Set<string>): string {
  const base = title.replace(/[:\\/?*[\]]/g, ' ').replace(/（.*$/, '').replace(/\(.*$/, '').trim().slice(0, 28) || 'Sheet'
  let name = base
  for (let i = 2; used.has(name); i++) name = `${base.slice(0, 26)} ${i}`
  used.add(name)
  return name
}

export async function reportWorkbook(r: ComplianceReportT, l: Labeller, lang: Lang): Promise<Buffer> {
  const doc = reportTables(r, l, lang)
  const wb = new (await excel()).Workbook()
  wb.creator = 'XinAn'
  const used = new Set<string>()
  const summary = wb.addWorksheet(sheetName(lang === 'en' ? 'Summary' : '概况', used), { pageSetup: { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } })
  summary.columns = [{ width: 110 }]
  const lines = [doc.heading, ...doc.intro, ...doc.sections.flatMap((s) => [s.title, ...s.intro, ...s.tables.flatMap((t) => (t.note ? [t.note] : []))])]
  lines.forEach((text, i) => {
    const row = summary.addRow([text])
    row.getCell(1).alignment = { wrapText: true, vertical: 'top' }
    if (i === 0) row.font = { bold: true, size: 14 }
  })
  for (const t of doc.sections.flatMap((s) => s.tables)) {
    const ws = wb.addWorksheet(sheetName(t.title, used), {
      pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '2:2' },
      headerFooter: { oddFooter: lang === 'en' ? 'Page &P of &N' : '第 &P 页，共 &N 页' },
    })
    ws.columns = t.widths.map((width) => ({ width }))
    const title = ws.addRow([t.title])
    title.font = { bold: true, size: 12 }
    const head = ws.addRow(t.head)
    head.font = { bold: true }
    head.eachCell((cell) => {
      cell.border = BORDER
      cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true }
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8E8E8' } }
    })
    for (const values of t.rows) {
      const row = ws.addRow(values)
      for (let i = 1; i <= t.head.length; i++) {
        const cell = row.getCell(i)
        cell.border = BORDER
        cell.alignment = { wrapText: true, vertical: 'top' }
      }
    }
    if (t.rows.length === 0) ws.addRow([l.t('compliance.none')])
    if (t.note) ws.addRow([t.note])
  }
  return Buffer.from(await wb.xlsx.writeBuffer())
}

function esc(s: Cell | null | undefined): string {
  return String(s ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}

const PAGE_CSS = `
@page { size: A4; margin: 18mm 15mm; }
body { font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", "Source Han Serif SC", serif; color: #000; background: #fff; margin: 0; font-size: 10.5pt; line-height: 1.6; }
.sheet { max-width: 180mm; margin: 0 auto; padding: 8mm 0; }
h1 { text-align: center; font-size: 17pt; margin: 0 0 4mm; }
h2 { font-size: 13pt; margin: 6mm 0 2mm; font-family: "SimHei", "Heiti SC", "Noto Sans CJK SC", sans-serif; }
h3 { font-size: 11pt; margin: 4mm 0 1.5mm; }
p { margin: 0 0 2mm; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; margin-bottom: 2mm; }
th, td { border: 1px solid #000; padding: 1mm 1.5mm; vertical-align: top; word-break: break-word; }
th { background: #eee; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
td.n { text-align: right; white-space: nowrap; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
@media print { .sheet { padding: 0; } }`

/** The report as one A4 document, sections 一 to 五 as on the screen. */
export function reportHtml(r: ComplianceReportT, l: Labeller, lang: Lang): string {
  const doc = reportTables(r, l, lang)
  const table = (t: Table, showTitle: boolean) => `${showTitle ? `<h3>${esc(t.title)}</h3>` : ''}${t.note ? `<p>${esc(t.note)}</p>` : ''}${t.rows.length === 0
    ? `<p>${esc(l.t('compliance.none'))}</p>`
    : `<table data-table="${esc(t.title)}"><thead><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>
${t.rows.map((row) => `<tr>${row.map((c) => `<td${typeof c === 'number' ? ' class="n"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>`}`
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${esc(doc.heading)}</title>
<style>${PAGE_CSS}</style></head>
<body><div class="sheet">
<h1>${esc(doc.heading)}</h1>
${doc.intro.map((p) => `<p>${esc(p)}</p>`).join('\n')}
${doc.sections.map((s) => `<h2>${esc(s.title)}</h2>
${s.intro.map((p) => `<p>${esc(p)}</p>`).join('\n')}
${s.tables.map((t) => table(t, s.tables.length > 1)).join('\n')}`).join('\n')}
</div></body></html>`
}
