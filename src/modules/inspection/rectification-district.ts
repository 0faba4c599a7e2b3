import { sql } from 'drizzle-orm'
import { excel } from '../../lib/spreadsheet/excel.js'
import type { Gateway } from '../../access/gateway.js'
import { audit, readMany } from '../../access/query.js'
import { withActorTx } from '../../access/transaction.js'
import { queryRows } from '../../db/database.js'
import { Validation } from '../../lib/errors.js'
import { textOf } from '../../lib/school-day.js'
import type { RequestContext } from '../../plugins/access.js'
import { checklistById } from './checklists/index.js'
import { evaluateSelfCheck } from './self-check/facts.js'

/** A province-sized district is far below this; the cap keeps one request bounded. */
const MAX_SCHOOLS = 5000
/** The self-check of a longer period is not what the summary is for (a term or a school year). */
const MAX_DAYS = 400

export interface SummaryItem {
  code: string
  point: string
  /** Schools whose self-check finds the item met in the period. */
  schoolsMet: number
  /** Schools with an open 整改 problem on this item past its deadline today. */
  schoolsOverdue: number
}

export interface SummarySchool {
  schoolId: string
  code: string
  name: string
  /** Items met in the period. */
  itemsMet: number
  openProblems: number
  overdueProblems: number
  /** Per checklist item: met, and open 整改 problems past deadline. */
  items: Array<{ code: string; met: boolean; overdue: number }>
}

export interface InspectionSummary {
  from: string
  to: string
  asOf: string
  checklist: { id: string; title: string; source: string }
  schools: number
  items: SummaryItem[]
  bySchool: SummarySchool[]
}

/**
 * 督导汇总 for the district (督导室): per checklist item, how many of its schools meet it in a
 * period and how many have open 整改 problems past their deadline, and the same per school.
 * Counts of schools and of problems only — a school's name is the finest thing shown, never a
 * person, so no count here concerns students and none needs suppression. The figures are
 * read as the owner, school by school, like the district's releases: every statement names
 * the school, and the schools are those the caller's district decision reaches.
 */
export function createRectificationDistrictService(gw: Gateway) {
  const { db } = gw.database

  async function reach(ctx: RequestContext) {
    const { items } = await withActorTx(db, ctx.actor, (tx) => readMany(tx, ctx.decision, {
      sort: [{ field: 'code', dir: 'asc' }], limit: MAX_SCHOOLS, offset: 0,
    }))
    return items.map((s) => ({ id: String(s.id), code: textOf(s.code), name: textOf(s.name) }))
  }

  async function summary(ctx: RequestContext, q: { from: string; to: string }, what: 'R' | 'E'): Promise<InspectionSummary> {
    if (q.from > q.to) throw new Validation('date_range_invalid', {}, { fields: ['from', 'to'] })
    if ((Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 > MAX_DAYS) throw new Validation('period_too_long', { days: MAX_DAYS }, { fields: ['to'] })
    const checklist = checklistById()!
    const schools = await reach(ctx)
    const today = gw.today()
    const ids = schools.map((s) => s.id)
    const overdue = ids.length === 0 ? [] : await queryRows<{ school_id: string; item_code: string; open: string | number; overdue: string | number }>(db, sql`
      select school_id, item_code, count(*) as open, count(*) filter (where deadline < ${today}::date) as overdue
      from rectification_items
      where status = 'open' and school_id = any(${`{${ids.join(',')}}`}::uuid[])
      group by school_id, item_code`)
    const bySchool: SummarySchool[] = []
    for (const s of schools) {
      const check = await evaluateSelfCheck(db, s.id, { from: q.from, to: q.to, label: `${q.from}–${q.to}` }, checklist.id, { today, timeZone: gw.config.TZ_SCHOOL })
      const mine = overdue.filter((o) => o.school_id === s.id)
      const items = checklist.items.map((i) => ({
        code: i.code,
        met: check.items.find((c) => c.code === i.code)?.status === 'met',
        overdue: Number(mine.find((o) => o.item_code === i.code)?.overdue ?? 0),
      }))
      bySchool.push({
        schoolId: s.id, code: s.code, name: s.name,
        itemsMet: items.filter((i) => i.met).length,
        openProblems: mine.reduce((n, o) => n + Number(o.open), 0),
        overdueProblems: mine.reduce((n, o) => n + Number(o.overdue), 0),
        items,
      })
    }
    // Audited before the figures leave: which schools' counts, never a record of a person.
    await withActorTx(db, ctx.actor, (tx) => audit(tx, ctx, {
      action: what, recordIds: ids, studentIds: [], fieldGroups: [...ctx.decision.readGroups(), 'inspection-summary'],
    }))
    return {
      from: q.from, to: q.to, asOf: today,
      checklist: { id: checklist.id, title: checklist.title, source: checklist.source },
      schools: schools.length,
      items: checklist.items.map((i, k) => ({
        code: i.code, point: i.point,
        schoolsMet: bySchool.filter((s) => s.items[k]!.met).length,
        schoolsOverdue: bySchool.filter((s) => s.items[k]!.overdue > 0).length,
      })),
      bySchool,
    }
  }

  return {
    summary: (ctx: RequestContext, q: { from: string; to: string }) => summary(ctx, q, 'R'),

    /** The summary for the report to the city, as .xlsx in Chinese: by item, then by school. */
    async exportXlsx(ctx: RequestContext, q: { from: string; to: string }): Promise<Buffer> {
      const s = await summary(ctx, q, 'E')
      const checklist = checklistById()!
      const wb = new (await excel()).Workbook()
      wb.creator = 'XinAn'
      const title = `心理健康教育专项督导汇总表（${s.from} 至 ${s.to}）`
      const byItem = wb.addWorksheet('按督导项目')
      byItem.addRow([title])
      byItem.addRow([`依据：${s.checklist.source}；学校总数 ${s.schools} 所；整改逾期统计截至 ${s.asOf}`])
      byItem.addRow(['序号', '考核要点', '达标学校数', '未达标学校数', '有逾期整改问题的学校数'])
      byItem.getRow(1).font = { bold: true, size: 14 }
      byItem.getRow(3).font = { bold: true }
      for (const i of s.items) byItem.addRow([i.code, i.point, i.schoolsMet, s.schools - i.schoolsMet, i.schoolsOverdue])
      byItem.columns.forEach((c, k) => { c.width = k === 1 ? 24 : 16 })

      const perSchool = wb.addWorksheet('按学校')
      perSchool.addRow([title])
      const header = ['学校代码', '学校', '达标项目数', '未整改问题数', '逾期整改问题数', ...checklist.items.map((i) => `${i.code}. ${i.point}`)]
      perSchool.addRow(header)
      perSchool.getRow(1).font = { bold: true, size: 14 }
      perSchool.getRow(2).font = { bold: true }
      for (const sc of s.bySchool) {
        perSchool.addRow([sc.code, sc.name, sc.itemsMet, sc.openProblems, sc.overdueProblems,
          ...sc.items.map((i) => `${i.met ? '达标' : '未达标'}${i.overdue ? `，逾期整改 ${i.overdue} 项` : ''}`)])
      }
      perSchool.columns.forEach((c, k) => { c.width = k === 1 ? 24 : k < 5 ? 14 : 18 })
      perSchool.views = [{ state: 'frozen', ySplit: 2, xSplit: 2 }]
      return Buffer.from(await wb.xlsx.writeBuffer())
    },
  }
}

export type RectificationDistrictService = ReturnType<typeof createRectificationDistrictService>
