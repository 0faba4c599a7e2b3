import { and, eq, inArray, isNull, ne, notInArray, sql } from 'drizzle-orm'
import type { z } from 'zod'
import {
  careList, cases, institutions, referrals, safetyPlans, safetyPlanVersions, schools, students, studentTransfers,
} from '../../../db/schema/index.js'
import type { Decision } from '../../access/engine.js'
import type { Gateway, Row } from '../../access/gateway.js'
import { queueAudit, withSchoolTx } from '../../access/transaction.js'
import { appendAudit, type AuditEvent } from '../../audit/audit.js'
import { queryRows, type Executor } from '../../db/database.js'
import { fromDatabaseError } from '../../db/errors.js'
import { AppError } from '../../lib/errors.js'
import { isoDay, textOf } from '../../lib/school-day.js'
import type { RequestContext } from '../../plugins/access.js'
import type {
  TransferContent, TransferCreate, TransferDecline, TransferItem, TransferListQuery, TransferPart, TransferPatch,
} from './schemas.js'

type Item = z.infer<typeof TransferItem>

/** A package still on its way: it may be withdrawn, and no second one is prepared meanwhile. */
const OPEN = ['draft', 'sent', 'viewed'] as const
/** Before the receiving school decides. */
const AWAITING = ['sent', 'viewed'] as const

const unprocessable = (code: string, field: string, params: Record<string, string | number> = {}) =>
  new AppError(422, code, params, { fields: [field] })

/** The safety plan's six steps and the reasons for living, as they travel. */
const PLAN_STEPS = ['warningSigns', 'copingStrategies', 'socialDistractions', 'helpContacts', 'professionals', 'environmentSafety', 'reasonsForLiving'] as const

export function createTransferService(gw: Gateway, clock: () => Date = () => new Date()) {
  const decide = (ctx: RequestContext, resource: string, action: 'read' | 'list' | 'update' | 'transition') => gw.decision(ctx, resource, action)

  /** Names of schools, by id: reference data every school of the district sees (the list of XinAn schools). */
  async function schoolNames(ex: Executor, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map()
    const rows = await ex.select({ id: schools.id, name: schools.name }).from(schools).where(inArray(schools.id, [...new Set(ids)]))
    return new Map(rows.map((r) => [r.id, r.name]))
  }

  function contentOf(row: Row): TransferContent {
    try {
      const parsed: unknown = JSON.parse(textOf(row.payload) || '{}')
      return parsed && typeof parsed === 'object' ? parsed : {}
    } catch {
      return {}
    }
  }

  /** The package as the sending school reads it: content until the receiving school accepted it. */
  function presentSent(row: Row, names: Map<string, string>, withContent: boolean): Item {
    return {
      id: row.id as string, direction: 'sent', nationalId: row.nationalId as string, studentId: row.studentId as string,
      toSchoolId: row.toSchoolId as string, toSchoolName: names.get(row.toSchoolId as string) ?? '',
      status: row.status as Item['status'], parts: row.parts as string[], createdAt: row.createdAt as Date,
      sentAt: (row.sentAt as Date | null) ?? null, viewedAt: (row.viewedAt as Date | null) ?? null, decidedAt: (row.decidedAt as Date | null) ?? null,
      declineReason: (row.declineReason as string | null) ?? null,
      ...(withContent ? {
        consentGuardian: (row.consentGuardian as string | null) ?? null, consentMethod: (row.consentMethod as string | null) ?? null,
        consentDate: isoDay(row.consentDate) ?? null, content: contentOf(row),
      } : {}),
    }
  }

  /** As the receiving school reads it: that it exists, from whom, with which parts — the rest only once accepted. */
  function presentReceived(row: Row, names: Map<string, string>): Item {
    const accepted = row.status === 'accepted'
    return {
      id: row.id as string, direction: 'received', nationalId: row.nationalId as string,
      fromSchoolName: names.get(row.schoolId as string) ?? '',
      status: row.status as Item['status'], parts: row.parts as string[],
      sentAt: (row.sentAt as Date | null) ?? null, viewedAt: (row.viewedAt as Date | null) ?? null, decidedAt: (row.decidedAt as Date | null) ?? null,
      declineReason: (row.declineReason as string | null) ?? null,
      ...(accepted ? {
        receivedStudentId: (row.receivedStudentId as string | null) ?? null,
        consentGuardian: (row.consentGuardian as string | null) ?? null, consentMethod: (row.consentMethod as string | null) ?? null,
        consentDate: isoDay(row.consentDate) ?? null, content: contentOf(row),
      } : {}),
    }
  }

  /** The receiving school must be another XinAn school of the same district. */
  async function assertReceivingSchool(ex: Executor, ctx: RequestContext, toSchoolId: string): Promise<void> {
    const rows = await queryRows<{ ok: boolean }>(ex, sql`
      select exists (select 1 from schools s join schools me on me.id = ${ctx.actor.schoolId}::uuid
        where s.id = ${toSchoolId}::uuid and s.district_id = me.district_id and s.id <> me.id) as ok`)
    if (!rows[0]?.ok) throw unprocessable('transfer_unknown_school', 'toSchoolId')
  }

  /** The pupil through the caller's own policy on students (out of scope: 404), with a 学籍号 to travel under. */
  async function pupilOf(ex: Executor, ctx: RequestContext, studentId: string): Promise<Row> {
    const pupil = await gw.read(ex, decide(ctx, 'students', 'read'), studentId)
    if (typeof pupil.nationalId !== 'string' || pupil.nationalId === '') throw unprocessable('transfer_needs_national_id', 'nationalId')
    return pupil
  }

  /**
   * The chosen parts, read from the records at send time through the sending psychology
   * teacher's own decisions (each read audited by resource, ids only).
   */
  async function buildContent(ex: Executor, ctx: RequestContext, pupil: Row, parts: readonly string[], summary: string | null): Promise<TransferContent> {
    const studentId = pupil.id as string
    const content: TransferContent = {
      pupil: { name: textOf(pupil.name), gender: textOf(pupil.gender), birthDate: isoDay(pupil.birthDate) ?? null, nationalId: textOf(pupil.nationalId) },
    }
    const read = async (resource: string, where: ReturnType<typeof and>, sort: Array<{ field: string; dir: 'asc' | 'desc' }>, limit = 50) => {
      const d = decide(ctx, resource, 'list')
      const { items } = await gw.list(ex, d, { where, sort, limit, offset: 0 })
      if (items.length) await gw.audit(ex, ctx, { action: 'R', resource, recordIds: items.map((r) => r.id as string), studentIds: [studentId], fieldGroups: d.readGroups() })
      return items
    }
    if (parts.includes('open_risk')) {
      const [openCase] = await read('cases', and(eq(cases.studentId, studentId), ne(cases.state, 'closed')), [{ field: 'openedAt', dir: 'desc' }], 1)
      const [care] = await read('care_list', and(eq(careList.studentId, studentId), isNull(careList.removedAt)), [{ field: 'addedAt', dir: 'desc' }], 1)
      content.openRisk = {
        caseRisk: openCase ? textOf(openCase.riskLevel) : null,
        caseOpenedOn: openCase ? gw.today(openCase.openedAt as Date) : null,
        careListRisk: care ? textOf(care.riskLevel) : null,
        careListSince: care ? gw.today(care.addedAt as Date) : null,
      }
    }
    if (parts.includes('safety_plan')) {
      const [plan] = await read('safety_plans', and(eq(safetyPlans.studentId, studentId), eq(safetyPlans.status, 'active')), [{ field: 'updatedAt', dir: 'desc' }], 1)
      const [version] = plan
        ? await read('safety_plan_versions', and(eq(safetyPlanVersions.planId, plan.id as string), eq(safetyPlanVersions.version, plan.currentVersion as number)), [], 1)
        : []
      content.safetyPlan = version
        ? {
            version: version.version as number,
            savedOn: gw.today(version.createdAt as Date),
            steps: Object.fromEntries(PLAN_STEPS.map((k) => [k, listOf(version[k])])),
          }
        : null
    }
    if (parts.includes('referrals')) {
      const open = await read('referrals', and(eq(referrals.studentId, studentId), notInArray(referrals.state, ['closed', 'withdrawn'])), [{ field: 'proposedAt', dir: 'asc' }])
      const instIds = [...new Set(open.map((r) => r.institutionId as string))]
      const insts = instIds.length ? await read('institutions', inArray(institutions.id, instIds), []) : []
      const nameOf = new Map(insts.map((i) => [i.id, textOf(i.name)]))
      content.referrals = open.map((r) => ({
        institution: nameOf.get(r.institutionId) ?? '',
        date: gw.today((r.sentAt as Date | null) ?? (r.proposedAt as Date)),
        state: textOf(r.state),
      }))
    }
    if (parts.includes('summary')) content.summary = summary
    return content
  }

  /**
   * A notice to the other school's psychology teachers (and named users there): written in that
   * school's own transaction, with that school's audit row naming the acting user. The notice
   * says only that a package moved and between which schools.
   */
  async function notifyOtherSchool(ctx: RequestContext, schoolId: string, kind: string, refId: string, params: Record<string, string>, alsoUsers: string[] = []): Promise<void> {
    await withSchoolTx(gw.database.db, schoolId, async (tx) => {
      const made = await queryRows<{ id: string }>(tx, sql`
        insert into notifications (school_id, user_id, kind, ref_id, params)
        select ${schoolId}::uuid, u.id, ${kind}, ${refId}::uuid, ${JSON.stringify(params)}::jsonb
        from users u
        where u.status = 'active' and (
          u.id in (select ur.user_id from user_roles ur where ur.school_id = ${schoolId}::uuid and ur.role = 'psych_teacher')
          or u.id in (select json_array_elements_text(${JSON.stringify(alsoUsers)}::json)::uuid))
        returning id`)
      if (made.length === 0) return
      const e: AuditEvent = {
        actorId: ctx.actor.userId, roles: ctx.decision.roles, action: 'C', resource: 'notifications',
        recordIds: made.map((m) => m.id), studentIds: [], fieldGroups: ['keys', 'message'], outcome: 'ok',
        requestId: ctx.requestId, purpose: ctx.purpose, schoolId,
      }
      if (!queueAudit(tx, e)) await appendAudit(tx, e)
    }).catch((err: unknown) => { throw fromDatabaseError(err) })
  }

  async function readSent(ex: Executor, ctx: RequestContext, id: string, d: Decision = decide(ctx, 'student_transfers', 'read')): Promise<Row> {
    // Once the receiving school accepted the package, it is no longer the sending school's.
    return gw.read(ex, d, id, ne(studentTransfers.status, 'accepted'))
  }

  return {
    /** The district's other XinAn schools: names only, for choosing where the file goes. */
    async schools(ctx: RequestContext) {
      return gw.tx(ctx, async (tx) => queryRows<{ id: string; name: string }>(tx, sql`
        select s.id, s.name from schools s join schools me on me.id = ${ctx.actor.schoolId}::uuid
        where s.district_id = me.district_id and s.id <> me.id order by s.name`))
    },

    /** 准备转学档案: a draft for one pupil; nothing leaves the school until it is sent. */
    async create(ctx: RequestContext, studentId: string, body: z.infer<typeof TransferCreate>): Promise<Item> {
      const { summary, ...input } = body
      ctx.decision.assertWritable(Object.keys(input))
      return gw.tx(ctx, async (tx) => {
        const pupil = await pupilOf(tx, ctx, studentId)
        await assertReceivingSchool(tx, ctx, body.toSchoolId)
        const row = await gw.create(tx, ctx, ctx.decision, {
          input,
          values: {
            schoolId: ctx.actor.schoolId!, studentId, nationalId: pupil.nationalId, status: 'draft',
            payload: JSON.stringify({ summary: summary ?? null }), preparedBy: ctx.actor.userId,
          },
        })
        return presentSent(row, await schoolNames(tx, [body.toSchoolId]), true)
      })
    },

    async update(ctx: RequestContext, id: string, body: z.infer<typeof TransferPatch>): Promise<Item> {
      const { summary, ...input } = body
      ctx.decision.assertWritable(Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined))
      return gw.tx(ctx, async (tx) => {
        const cur = await readSent(tx, ctx, id, ctx.decision)
        if (cur.status !== 'draft') throw new AppError(409, 'transfer_not_draft')
        if (body.toSchoolId) await assertReceivingSchool(tx, ctx, body.toSchoolId)
        const row = await gw.update(tx, ctx, ctx.decision, id, {
          input, where: eq(studentTransfers.status, 'draft'),
          ...(summary !== undefined ? { values: { payload: JSON.stringify({ summary }) } } : {}),
          audit: { fieldGroups: gw.groupsOf(ctx.decision, [...Object.keys(input), ...(summary !== undefined ? ['payload'] : [])]) },
        })
        return presentSent(row, await schoolNames(tx, [row.toSchoolId as string]), true)
      })
    },

    /**
     * 发送: the guardian's consent must be on record; the chosen parts are read from the records
     * now and sealed into the package; the pupil is marked as having left (离校, today). The
     * receiving school's psychology teachers are told a package waits.
     */
    async send(ctx: RequestContext, id: string): Promise<Item> {
      const { item, toSchoolId, fromName } = await gw.tx(ctx, async (tx) => {
        const cur = await readSent(tx, ctx, id, ctx.decision)
        if (cur.status !== 'draft') throw new AppError(409, 'transfer_not_draft')
        for (const f of ['consentGuardian', 'consentMethod', 'consentDate'] as const) {
          if (cur[f] === null || cur[f] === undefined || cur[f] === '') throw unprocessable('transfer_consent_missing', f, { field: f })
        }
        const parts = cur.parts as TransferPart[]
        const summary = contentOf(cur).summary ?? null
        if (parts.includes('summary') && !summary) throw unprocessable('transfer_summary_missing', 'summary')
        const pupil = await pupilOf(tx, ctx, cur.studentId as string)
        const content = await buildContent(tx, ctx, pupil, parts, summary)
        const row = await gw.update(tx, ctx, ctx.decision, id, {
          where: eq(studentTransfers.status, 'draft'),
          values: { status: 'sent', sentAt: clock(), payload: JSON.stringify(content), nationalId: pupil.nationalId },
          audit: { fieldGroups: ['content', 'routing'] },
        })
        await gw.recordUpdate(tx, ctx, 'students', and(eq(students.id, cur.studentId as string), eq(students.status, 'enrolled'))!,
          { status: 'left', leftAt: gw.today(clock()), updatedAt: clock() })
        const names = await schoolNames(tx, [row.toSchoolId as string, ctx.actor.schoolId!])
        return { item: presentSent(row, names, true), toSchoolId: row.toSchoolId as string, fromName: names.get(ctx.actor.schoolId!) ?? '' }
      })
      await notifyOtherSchool(ctx, toSchoolId, 'transfer_received', id, { school: fromName })
      return item
    },

    /** 撤回: a package not yet decided is withdrawn; its content no longer travels. */
    async cancel(ctx: RequestContext, id: string): Promise<Item> {
      return gw.tx(ctx, async (tx) => {
        const cur = await readSent(tx, ctx, id, ctx.decision)
        if (!(OPEN as readonly string[]).includes(cur.status as string)) throw new AppError(409, 'transfer_not_open')
        const row = await gw.update(tx, ctx, ctx.decision, id, {
          where: inArray(studentTransfers.status, [...OPEN]),
          values: { status: 'cancelled', decidedAt: clock(), payload: '{}' },
          audit: { fieldGroups: ['content', 'routing'] },
        })
        return presentSent(row, await schoolNames(tx, [row.toSchoolId as string]), true)
      })
    },

    /** 转出的档案: every package this school prepared; an accepted one shows only that it was accepted. */
    async listSent(ctx: RequestContext, q: z.infer<typeof TransferListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const r = await gw.list(tx, ctx.decision, {
          where: q.status ? eq(studentTransfers.status, q.status) : undefined,
          filterFields: q.status ? ['status'] : [],
          sort: [{ field: 'createdAt', dir: 'desc' }], limit: q.limit, offset: q.offset,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items, fieldGroups: ['keys', 'pupil', 'routing', 'decision'] })
        const names = await schoolNames(tx, r.items.map((i) => i.toSchoolId as string))
        return { items: r.items.map((i) => presentSent(i, names, false)), total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    /** One package of this school's, with its content — until the receiving school accepted it (then 404). */
    async getSent(ctx: RequestContext, id: string): Promise<Item> {
      return gw.tx(ctx, async (tx) => {
        const row = await readSent(tx, ctx, id, ctx.decision)
        await gw.audit(tx, ctx, { action: 'R', rows: [row] })
        return presentSent(row, await schoolNames(tx, [row.toSchoolId as string]), true)
      })
    },

    /** The sending school's packages of one pupil (its pupil page), without content. */
    async ofPupil(ctx: RequestContext, studentId: string) {
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, decide(ctx, 'students', 'read'), studentId)
        const r = await gw.list(tx, ctx.decision, { where: eq(studentTransfers.studentId, studentId), sort: [{ field: 'createdAt', dir: 'desc' }], limit: 50, offset: 0 })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items, fieldGroups: ['keys', 'pupil', 'routing'] })
        const names = await schoolNames(tx, r.items.map((i) => i.toSchoolId as string))
        return { items: r.items.map((i) => presentSent(i, names, false)), total: r.total, limit: 50, offset: 0 }
      })
    },

    /** 转入的档案: packages sent to this school: 学籍号, from which school, which parts — content only once accepted. */
    async listReceived(ctx: RequestContext, q: z.infer<typeof TransferListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const r = await gw.list(tx, ctx.decision, {
          where: and(ne(studentTransfers.status, 'draft'), q.status ? eq(studentTransfers.status, q.status) : undefined),
          filterFields: ['status'],
          sort: [{ field: 'sentAt', dir: 'desc' }], limit: q.limit, offset: q.offset,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items, fieldGroups: ['keys', 'routing', 'decision'] })
        const names = await schoolNames(tx, r.items.map((i) => i.schoolId as string))
        return { items: r.items.map((i) => presentReceived(i, names)), total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    /** Opening a package marks it viewed (the sending school sees that); before acceptance it still shows no content. */
    async open(ctx: RequestContext, id: string): Promise<Item> {
      return gw.tx(ctx, async (tx) => {
        const cur = await gw.read(tx, ctx.decision, id, ne(studentTransfers.status, 'draft'))
        let row = cur
        if (cur.status === 'sent') {
          row = await gw.update(tx, ctx, decide(ctx, 'student_transfers_received', 'transition'), id, {
            where: eq(studentTransfers.status, 'sent'), values: { status: 'viewed', viewedAt: clock() }, audit: { fieldGroups: ['routing'] },
          })
        } else {
          await gw.audit(tx, ctx, { action: 'R', rows: [cur], fieldGroups: cur.status === 'accepted' ? ['content', 'consent', 'routing'] : ['routing'] })
        }
        return presentReceived(row, await schoolNames(tx, [row.schoolId as string]))
      })
    },

    /**
     * 接收: the pupil must already be on this school's roster under the same 学籍号 (a current
     * pupil); the package then becomes this school's, shows its content, and the sending school
     * is told — and from now on reads nothing of it.
     */
    async accept(ctx: RequestContext, id: string): Promise<Item> {
      const { item, fromSchoolId, preparedBy, toName } = await gw.tx(ctx, async (tx) => {
        const cur = await gw.read(tx, ctx.decision, id, ne(studentTransfers.status, 'draft'))
        if (!(AWAITING as readonly string[]).includes(cur.status as string)) throw new AppError(409, 'transfer_already_decided')
        const d = decide(ctx, 'students', 'list')
        const { items } = await gw.list(tx, d, {
          where: and(eq(students.nationalId, cur.nationalId as string), eq(students.status, 'enrolled')), limit: 1, offset: 0,
        })
        const pupil = items[0]
        if (!pupil) throw unprocessable('transfer_pupil_not_on_roster', 'nationalId', { nationalId: cur.nationalId as string })
        const row = await gw.update(tx, ctx, ctx.decision, id, {
          where: inArray(studentTransfers.status, [...AWAITING]),
          values: { status: 'accepted', decidedAt: clock(), decidedBy: ctx.actor.userId, receivedStudentId: pupil.id, viewedAt: sql`coalesce(${studentTransfers.viewedAt}, now())` },
          audit: { fieldGroups: ['decision', 'receipt', 'routing'] },
        })
        // The content leaves the database now, for this school: its read is audited as such.
        await gw.audit(tx, ctx, { action: 'R', rows: [row], fieldGroups: ['consent', 'content'] })
        const names = await schoolNames(tx, [row.schoolId as string, ctx.actor.schoolId!])
        const by = await queryRows<{ prepared_by: string | null }>(tx, sql`select prepared_by from student_transfers where id = ${id}::uuid`)
        return { item: presentReceived(row, names), fromSchoolId: row.schoolId as string, preparedBy: by[0]?.prepared_by ?? null, toName: names.get(ctx.actor.schoolId!) ?? '' }
      })
      await notifyOtherSchool(ctx, fromSchoolId, 'transfer_accepted', id, { school: toName }, preparedBy ? [preparedBy] : [])
      return item
    },

    /** 退回: with a reason the sending school reads; the content never shows here. */
    async decline(ctx: RequestContext, id: string, body: z.infer<typeof TransferDecline>): Promise<Item> {
      const { item, fromSchoolId, toName } = await gw.tx(ctx, async (tx) => {
        const cur = await gw.read(tx, ctx.decision, id, ne(studentTransfers.status, 'draft'))
        if (!(AWAITING as readonly string[]).includes(cur.status as string)) throw new AppError(409, 'transfer_already_decided')
        const row = await gw.update(tx, ctx, ctx.decision, id, {
          where: inArray(studentTransfers.status, [...AWAITING]),
          values: { status: 'declined', decidedAt: clock(), decidedBy: ctx.actor.userId, declineReason: body.declineReason, viewedAt: sql`coalesce(${studentTransfers.viewedAt}, now())` },
          audit: { fieldGroups: ['decision', 'routing'] },
        })
        const names = await schoolNames(tx, [row.schoolId as string, ctx.actor.schoolId!])
        return { item: presentReceived(row, names), fromSchoolId: row.schoolId as string, toName: names.get(ctx.actor.schoolId!) ?? '' }
      })
      await notifyOtherSchool(ctx, fromSchoolId, 'transfer_declined', id, { school: toName })
      return item
    },

    /** The content of the chosen parts for a school outside XinAn (the export); read and audited like a send. */
    async exportContent(ctx: RequestContext, studentId: string, parts: readonly string[], summary: string | null): Promise<{ content: TransferContent; schoolName: string; today: string }> {
      return gw.tx(ctx, async (tx) => {
        const pupil = await gw.read(tx, decide(ctx, 'students', 'read'), studentId)
        if (parts.includes('summary') && !summary) throw unprocessable('transfer_summary_missing', 'summary')
        const content = await buildContent(tx, ctx, pupil, parts, summary)
        content.pupil = { ...content.pupil, nationalId: textOf(pupil.nationalId) }
        await gw.audit(tx, ctx, { action: 'E', resource: 'student_transfers', recordIds: [studentId], studentIds: [studentId], fieldGroups: ['content', 'consent'] })
        const names = await schoolNames(tx, [ctx.actor.schoolId!])
        return { content, schoolName: names.get(ctx.actor.schoolId!) ?? '', today: gw.today(clock()) }
      })
    },
  }
}

function listOf(v: unknown): string[] {
  if (!Array.isArray(v)) return []
  return v.map((e) => (typeof e === 'string' ? e : e && typeof e === 'object' ? [textOf((e as { name?: unknown }).name), textOf((e as { phone?: unknown }).phone)].filter(Boolean).join(' ') : '')).filter(Boolean)
}

export type TransferService = ReturnType<typeof createTransferService>
