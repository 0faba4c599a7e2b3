import { and, eq, sql } from 'drizzle-orm'
import { selfChecks } from '../../../../db/schema/index.js'
import type { Gateway } from '../../../access/gateway.js'
import { queryRows, type Tx } from '../../../db/database.js'
import { NotFound, Validation } from '../../../lib/errors.js'
import type { RequestContext } from '../../../plugins/access.js'
import { checklistById, DEFAULT_CHECKLIST_ID } from '../checklists/index.js'
import { evaluateSelfCheck } from './facts.js'
import { reportHtml, reportWorkbook, selfCheckReportHtml, staffingSurveyWorkbook, type OpenRectification, type SurveyRow } from './export.js'
import type { PeriodQueryT, ReportAnswerT, SelfCheckPutT } from './schemas.js'

interface Period { kind: 'term' | 'school_year'; key: string; from: string; to: string; label: string }

/** The term (by id) or the school year (its terms' first and last days; September to August without terms). */
async function resolvePeriod(tx: Tx, schoolId: string, q: PeriodQueryT): Promise<Period> {
  if (q.termId) {
    const [t] = await queryRows<{ name: string; start: string; end: string }>(tx, sql`
      select name, start_date::text as start, end_date::text as "end" from terms where school_id = ${schoolId} and id = ${q.termId}`)
    if (!t) throw new NotFound()
    return { kind: 'term', key: q.termId, from: t.start, to: t.end, label: t.name }
  }
  const y = q.schoolYear!
  const [span] = await queryRows<{ start: string | null; end: string | null }>(tx, sql`
    select min(start_date)::text as start, max(end_date)::text as "end" from terms where school_id = ${schoolId} and school_year = ${y}`)
  const first = Number(y.slice(0, 4))
  if (Number(y.slice(5)) !== first + 1) throw new Validation('validation_failed', {}, { fields: ['schoolYear'] })
  return {
    kind: 'school_year', key: y, label: `${y}学年`,
    from: span?.start ?? `${first}-09-01`, to: span?.end ?? `${first + 1}-08-31`,
  }
}

/**
 * 学校自查: the checklist's rows filled from the records (counts only), the parts the school
 * writes itself, and the exports (the form as .xlsx and print-ready HTML, the 自查报告, the
 * staffing survey). The figures are computed on every read from the records, in the caller's
 * transaction behind the school wall; only the school's own words are stored.
 */
export function createSelfCheckService(gw: Gateway) {
  async function build(tx: Tx, ctx: RequestContext, q: PeriodQueryT): Promise<ReportAnswerT> {
    const schoolId = ctx.actor.schoolId!
    const period = await resolvePeriod(tx, schoolId, q)
    const d = gw.decision(ctx, 'self_checks', 'read')
    const found = await gw.list(tx, d, {
      where: and(eq(selfChecks.periodKind, period.kind), eq(selfChecks.periodKey, period.key)), filterFields: ['periodKind', 'periodKey'], limit: 1, offset: 0,
    })
    const record = found.items[0] ?? null
    const checklist = checklistById(typeof record?.checklistId === 'string' ? record.checklistId : DEFAULT_CHECKLIST_ID) ?? checklistById()!
    const facts = await evaluateSelfCheck(tx, schoolId, period, checklist.id, { today: gw.today(), timeZone: gw.config.TZ_SCHOOL })
    const [school] = await queryRows<{ name: string }>(tx, sql`select name from schools where id = ${schoolId}`)
    const remarks = (record?.remarks ?? {}) as Record<string, string>
    const items = checklist.items.map((it) => {
      const f = facts.items.find((x) => x.code === it.code)!
      return { ...f, point: it.point, tasks: it.tasks, method: it.method, remark: remarks[it.code] ?? '' }
    })
    const counts = { met: 0, flagged: 0, missing: 0, outside: 0 }
    for (const it of items) counts[it.status]++
    return {
      schoolName: school?.name ?? '',
      period: { kind: period.kind, key: period.key, from: period.from, to: period.to, label: period.label },
      asOf: facts.asOf,
      checklist: { id: checklist.id, title: checklist.title, source: checklist.source, wordingNote: checklist.wordingNote, columns: checklist.columns },
      items,
      counts,
      record: record as ReportAnswerT['record'],
    }
  }

  async function openRectification(tx: Tx, schoolId: string, today: string): Promise<OpenRectification[]> {
    const rows = await queryRows<{ item_code: string; problem: string; measure: string | null; deadline: string; responsible: string | null }>(tx, sql`
      select ri.item_code, ri.problem, ri.measure, ri.deadline::text as deadline, coalesce(u.display_name, ri.responsible_name) as responsible
      from rectification_items ri left join users u on u.id = ri.responsible_user_id
      where ri.school_id = ${schoolId} and ri.status = 'open' order by ri.deadline, ri.item_code`)
    return rows.map((r) => ({ itemCode: r.item_code, problem: r.problem, measure: r.measure, deadline: r.deadline, responsible: r.responsible, overdue: r.deadline < today }))
  }

  return {
    report(ctx: RequestContext, q: PeriodQueryT): Promise<ReportAnswerT> {
      return gw.tx(ctx, (tx) => build(tx, ctx, q))
    },

    async save(ctx: RequestContext, q: PeriodQueryT, body: SelfCheckPutT): Promise<ReportAnswerT> {
      ctx.decision.assertWritable(Object.keys(body).filter((k) => (body as Record<string, unknown>)[k] !== undefined))
      return gw.tx(ctx, async (tx) => {
        const period = await resolvePeriod(tx, ctx.actor.schoolId!, q)
        const set: Partial<typeof selfChecks.$inferInsert> = { updatedBy: ctx.actor.userId, updatedAt: new Date() }
        if (body.highlights !== undefined) set.highlights = body.highlights || null
        if (body.problems !== undefined) set.problems = body.problems || null
        if (body.inspector !== undefined) set.inspector = body.inspector || null
        if (body.inspectedOn !== undefined) set.inspectedOn = body.inspectedOn
        if (body.checklistId !== undefined) set.checklistId = body.checklistId
        if (body.remarks !== undefined) {
          const checklist = checklistById(body.checklistId)!
          const unknown = Object.keys(body.remarks).filter((code) => !checklist.items.some((it) => it.code === code))
          if (unknown.length) throw new Validation('validation_failed', {}, { fields: ['remarks'] })
          set.remarks = Object.fromEntries(Object.entries(body.remarks).filter(([, v]) => v !== ''))
        }
        await gw.upsert(tx, ctx, ctx.decision, [selfChecks.schoolId, selfChecks.periodKind, selfChecks.periodKey], {
          input: body,
          values: { schoolId: ctx.actor.schoolId!, periodKind: period.kind, periodKey: period.key, checklistId: DEFAULT_CHECKLIST_ID, remarks: {}, ...set },
          onConflict: set,
          audit: { action: 'U' },
        })
        return build(tx, ctx, q)
      })
    },

    async workbook(ctx: RequestContext, q: PeriodQueryT): Promise<{ file: Buffer; name: string }> {
      const r = await gw.tx(ctx, (tx) => build(tx, ctx, q))
      return { file: await reportWorkbook(r), name: `${r.schoolName}${r.period.label}督导自查表.xlsx` }
    },

    async printHtml(ctx: RequestContext, q: PeriodQueryT): Promise<string> {
      return reportHtml(await gw.tx(ctx, (tx) => build(tx, ctx, q)))
    },

    async selfCheckReport(ctx: RequestContext, q: PeriodQueryT): Promise<string> {
      return gw.tx(ctx, async (tx) => {
        const r = await build(tx, ctx, q)
        return selfCheckReportHtml(r, await openRectification(tx, ctx.actor.schoolId!, gw.today()))
      })
    },

    /** 心理健康教师基本情况调查表: the staffing list with each person's training hours of the year. */
    async staffingSurvey(ctx: RequestContext, year?: number): Promise<{ file: Buffer; name: string }> {
      const y = year ?? Number(gw.today().slice(0, 4))
      return gw.tx(ctx, async (tx) => {
        const schoolId = ctx.actor.schoolId!
        const rows = await queryRows<{ name: string | null; employment: string; qualifications: string[] | string; hours: string | null; courses: string | null; profile_hours: number; profile_year: number }>(tx, sql`
          select coalesce(u.display_name, p.name) as name, p.employment, p.qualifications,
            p.training_hours_year as profile_hours, p.training_year as profile_year,
            (select sum(t.hours)::text from staff_trainings t where t.school_id = p.school_id
              and extract(year from t.completed_on) = ${y}
              and ((p.user_id is not null and t.user_id = p.user_id) or (p.user_id is null and t.user_id is null and t.name = p.name))) as hours,
            (select string_agg(t.course, '；' order by t.completed_on) from staff_trainings t where t.school_id = p.school_id
              and extract(year from t.completed_on) = ${y}
              and ((p.user_id is not null and t.user_id = p.user_id) or (p.user_id is null and t.user_id is null and t.name = p.name))) as courses
          from staff_profiles p left join users u on u.id = p.user_id
          where p.school_id = ${schoolId}
          order by p.employment, coalesce(u.display_name, p.name)`)
        const [school] = await queryRows<{ name: string }>(tx, sql`select name from schools where id = ${schoolId}`)
        const survey: SurveyRow[] = rows.map((r) => ({
          name: r.name ?? '',
          employment: r.employment === 'full_time' ? '专职' : '兼职',
          qualifications: Array.isArray(r.qualifications) ? r.qualifications : parsePgArray(r.qualifications),
          hours: r.hours !== null ? Number(r.hours) : Number(r.profile_year) === y ? Number(r.profile_hours) : 0,
          courses: r.courses ?? '',
        }))
        return { file: await staffingSurveyWorkbook(school?.name ?? '', y, survey), name: `${school?.name ?? ''}心理健康教师基本情况调查表${y}.xlsx` }
      })
    },
  }
}

/** A text[] the driver handed back as its literal ({a,"b c"}). */
function parsePgArray(v: string): string[] {
  if (!v || v === '{}') return []
  return v.slice(1, -1).split(',').map((s) => s.replace(/^"|"$/g, '').replace(/\\"/g, '"'))
}

export type SelfCheckService = ReturnType<typeof createSelfCheckService>
