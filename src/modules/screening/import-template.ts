import { excel } from '../../lib/spreadsheet/excel.js'
import type { InstrumentDefinition } from './instrument-schema.js'
import { expectedHeaders, type ImportInstrument } from './import-file.js'

/**
 * 测评结果导入模板: the headers the import reads (学号, 姓名, PHQ1…PHQ9, 测评日期) and one
 * example row, plus a second sheet with each item's wording and the values it accepts — built
 * from the instrument's definition, so the template and the import cannot disagree.
 */
export async function screeningTemplate(instrument: ImportInstrument, today: string): Promise<Buffer> {
  const def: InstrumentDefinition = instrument.definition
  const headers = expectedHeaders([instrument])
  const wb = new (await excel()).Workbook()
  wb.creator = 'XinAn'
  const ws = wb.addWorksheet('测评结果')
  // Text format keeps 学号 from turning into a number (and losing leading zeros).
  ws.columns = headers.map((h, i) => ({ header: h, key: `c${i}`, width: i === 0 ? 14 : i === headers.length - 1 ? 12 : i === 1 ? 10 : 7, style: { numFmt: '@' } }))
  ws.getRow(1).font = { bold: true }
  const lowest = Math.min(...def.options.map((o) => o.value))
  ws.addRow(['20260001', '张三', ...def.items.map(() => lowest), today])

  const help = wb.addWorksheet('填写说明')
  help.columns = [{ header: '表头', key: 'h', width: 10 }, { header: '内容', key: 'text', width: 60 }, { header: '可填的值', key: 'values', width: 40 }]
  help.getRow(1).font = { bold: true }
  const values = def.options.map((o) => `${o.value} = ${o.label['zh-CN']}`).join('；')
  help.addRow({ h: '学号', text: '必填，与学生名册中的学号一致', values: '' })
  help.addRow({ h: '姓名', text: '选填，只用于核对', values: '' })
  const prefix = def.columnPrefixes[0]!
  for (const it of def.items) help.addRow({ h: `${prefix}${it.no}`, text: it.text['zh-CN'], values })
  help.addRow({ h: '测评日期', text: '选填，测评周期内的日期，例如 2026-10-09；不填则为导入当天', values: '' })
  help.addRow({ h: '', text: def.licence, values: '' })
  return Buffer.from(await wb.xlsx.writeBuffer())
}
