import type ExcelJS from 'exceljs'

let loading: Promise<typeof ExcelJS> | undefined

/**
 * exceljs, loaded the first time a workbook is read or written. Imported at start-up it cost
 * ≈0.3 CPU-s on every server start and in every test process, for something few requests use.
 */
export function excel(): Promise<typeof ExcelJS> {
  return (loading ??= import('exceljs').then((m) => m.default))
}
