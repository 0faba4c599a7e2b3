import { excel } from '../../lib/spreadsheet/excel.js'
import type { Gateway, Row } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import type { RequestContext } from '../../plugins/access.js'
import { gradeName, parseClassCell, parseGradeLevel } from './grade-names.js'
import { GENDER_LABEL, MAX_IMPORT_ROWS, ROSTER_COLUMNS, STATUS_LABEL, type ColumnKey } from './import.js'

/** One school's roster is far below this; the cap keeps one request from reading a province. */
const MAX_EXPORT_ROWS = MAX_IMPORT_ROWS

const WIDTH: Record<ColumnKey, number> = {
  name: 12, studentNo: 16, nationalId: 22, gender: 6, birthDate: 12, grade: 10, class: 14, guardian: 12, phone: 16, relation: 8, status: 8,
}

/** The grade as stored when the import reads it back as the same level, else the standard name. */
function gradeCell(grade: Row | undefined): string {
  if (!grade || typeof grade.level !== 'number') return ''
  return typeof grade.name === 'string' && parseGradeLevel(grade.name) === grade.level ? grade.name : gradeName(grade.level)
}

/** Likewise for a class: a custom name (实验班) is written as 七年级(3)班 so a re-import matches it. */
function classCell(klass: Row | undefined, grade: Row | undefined): string {
  if (!klass || typeof klass.seq !== 'number') return ''
  const parsed = typeof klass.name === 'string' ? parseClassCell(klass.name) : null
  const level = typeof grade?.level === 'number' ? grade.level : null
  if (parsed && parsed.seq === klass.seq && (parsed.gradeLevel === null || parsed.gradeLevel === level)) return klass.name as string
  return `${gradeCell(grade)}(${klass.seq})班`
}

export function createExportService(gw: Gateway) {
  /** Everything the export reads goes through the caller's decisions, like any other read. */
  async function readAll(tx: Tx, ctx: RequestContext, resource: string, sort: Array<{ field: string; dir: 'asc' | 'desc' }>): Promise<Row[]> {
    const d = gw.policies.decide(ctx.actor, resource, 'list')
    if (!d) return []
    return (await gw.list(tx, d, { sort, limit: MAX_EXPORT_ROWS * 4, offset: 0 })).items
  }

  return {
    /** 学生名册导出: the same columns as the import, so the file can be edited and imported back. */
    exportXlsx(ctx: RequestContext): Promise<Buffer> {
      return gw.tx(ctx, async (tx) => {
        const { items: pupils } = await gw.list(tx, ctx.decision, {
          sort: [{ field: 'classId', dir: 'asc' }, { field: 'studentNo', dir: 'asc' }], limit: MAX_EXPORT_ROWS, offset: 0,
        })
        const gradeById = new Map((await readAll(tx, ctx, 'grades', [])).map((g) => [g.id, g]))
        const classById = new Map((await readAll(tx, ctx, 'classes', [])).map((c) => [c.id, c]))
        const guardianOf = new Map<unknown, Row>()
        for (const g of await readAll(tx, ctx, 'guardians', [{ field: 'isPrimary', dir: 'desc' }])) {
          if (!guardianOf.has(g.studentId)) guardianOf.set(g.studentId, g)
        }

        const wb = new (await excel()).Workbook()
        wb.creator = 'XinAn'
        const ws = wb.addWorksheet('学生名册')
        // Text format keeps 学号 and phone numbers from turning into numbers (and losing leading zeros).
        ws.columns = ROSTER_COLUMNS.map((c) => ({ header: c.header, key: c.key, width: WIDTH[c.key], style: { numFmt: '@' } }))
        ws.getRow(1).font = { bold: true }
        for (const s of pupils) {
          const klass = classById.get(s.classId)
          const grade = klass ? gradeById.get(klass.gradeId) : undefined
          const g = guardianOf.get(s.id)
          const str = (v: unknown) => (typeof v === 'string' ? v : '')
          const row: Record<ColumnKey, string> = {
            name: str(s.name),
            studentNo: str(s.studentNo),
            nationalId: str(s.nationalId),
            gender: GENDER_LABEL[str(s.gender)] ?? '',
            birthDate: str(s.birthDate),
            grade: gradeCell(grade),
            class: classCell(klass, grade),
            guardian: str(g?.name),
            phone: str(g?.phone),
            relation: str(g?.relation),
            status: STATUS_LABEL[str(s.status)] ?? '',
          }
          ws.addRow(row)
        }
        await gw.audit(tx, ctx, { action: 'E', rows: pupils })
        return Buffer.from(await wb.xlsx.writeBuffer())
      })
    },
  }
}

export type ExportService = ReturnType<typeof createExportService>
