import { and, eq, sql, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import {
  safetyPlanReviews, safetyPlans, safetyPlanVersions, userRoles, users,
} from '../../../db/schema/index.js'
import type { Gateway, Row } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { lockRow } from '../../db/row-lock.js'
import { Conflict, NotFound, Validation } from '../../lib/errors.js'
import type { Locale } from '../../lib/i18n.js'
import { textOf } from '../../lib/school-day.js'
import type { RequestContext } from '../../plugins/access.js'
import { activeCase } from './case-service.js'
import {
  REVIEW_CONTEXT_TEXT, ReviewContexts, type ReviewContext, type SafetyPlanContentInput,
  type SafetyPlanCreate, type SafetyPlanListQuery, type SafetyPlanReviewCreate,
} from './safety-plan-schemas.js'

/**
 * Numbers every printed plan carries, whatever step 5 says: the national psychological
 * assistance hotline 12356 (全国统一心理援助热线), emergency medical care 120 and the police 110.
 */
export const HOTLINES = [
  { name: '心理援助热线', phone: '12356' },
  { name: '急救电话', phone: '120' },
  { name: '报警电话', phone: '110' },
] as const

const CONTENT_KEYS = [
  'warningSigns', 'copingStrategies', 'socialDistractions', 'helpContacts', 'professionals', 'environmentSafety', 'reasonsForLiving',
] as const

function contentOf(body: SafetyPlanContentInput): SafetyPlanContentInput {
  return Object.fromEntries(CONTENT_KEYS.map((k) => [k, body[k]])) as SafetyPlanContentInput
}

/** 随访 / 复学 / 其他 beside the stored code, in the caller's language. */
export function presentReview(row: Row, locale: Locale = 'zh-CN'): Row {
  const out: Row = { ...row }
  if (typeof row.context === 'string' && (ReviewContexts as readonly string[]).includes(row.context)) {
    out.contextText = REVIEW_CONTEXT_TEXT[row.context as ReviewContext][locale]
  }
  return out
}

/**
 * 安全计划 (Stanley–Brown): written with the student after a crisis, one active plan per case.
 * Every save is a new version (the plan's number moves on, the old content stays readable);
 * reviews record when the plan was gone through again and whether it changed.
 */
export function createSafetyPlanService(gw: Gateway) {
  /** The version in force and the list of every version (numbers, authors, dates), as the caller reads them. */
  async function versionsOf(tx: Tx, ctx: RequestContext, plan: Row) {
    const d = gw.policies.decide(ctx.actor, 'safety_plan_versions', 'list')
    if (!d) return { current: undefined, versions: undefined }
    const r = await gw.list(tx, d, {
      where: eq(safetyPlanVersions.planId, plan.id as string), filterFields: ['planId'],
      sort: [{ field: 'version', dir: 'desc' }], limit: 500, offset: 0,
    })
    const current = r.items.find((v) => v.version === plan.currentVersion)
    const versions = r.items.map((v) => ({ id: v.id, version: v.version, createdBy: v.createdBy, createdAt: v.createdAt }))
    return { current, versions, decision: d }
  }

  /** The latest review, when the caller reads reviews (undefined) or there is none (null). */
  async function lastReviewOf(tx: Tx, ctx: RequestContext, planId: string, locale: Locale): Promise<Row | null | undefined> {
    const d = gw.policies.decide(ctx.actor, 'safety_plan_reviews', 'read')
    if (!d) return undefined
    const r = await gw.list(tx, d, {
      where: eq(safetyPlanReviews.planId, planId), filterFields: ['planId'],
      sort: [{ field: 'reviewedOn', dir: 'desc' }, { field: 'createdAt', dir: 'desc' }], limit: 1, offset: 0,
    })
    return r.items[0] ? presentReview(r.items[0], locale) : null
  }

  /** The whole view of one plan; its reads audited under each resource they touched. */
  async function view(tx: Tx, ctx: RequestContext, plan: Row, locale: Locale): Promise<Row> {
    const { current, versions, decision } = await versionsOf(tx, ctx, plan)
    const lastReview = await lastReviewOf(tx, ctx, plan.id as string, locale)
    const studentIds = [plan.studentId as string].filter(Boolean)
    await gw.audit(tx, ctx, { action: 'R', resource: 'safety_plans', recordIds: [plan.id as string], studentIds, fieldGroups: gw.policies.decide(ctx.actor, 'safety_plans', 'read')?.readGroups() ?? [] })
    if (current && decision) {
      await gw.audit(tx, ctx, { action: 'R', resource: 'safety_plan_versions', recordIds: [current.id as string], studentIds, fieldGroups: decision.readGroups() })
    }
    return {
      ...plan,
      ...(current ? { current } : {}),
      ...(versions ? { versions } : {}),
      ...(lastReview !== undefined ? { lastReview } : {}),
    }
  }

  /** The case's plan in force; 404 when it has none the caller reads. */
  async function activePlanOfCase(tx: Tx, ctx: RequestContext, caseId: string): Promise<Row> {
    const d = gw.decision(ctx, 'safety_plans', 'read')
    const r = await gw.list(tx, d, {
      where: and(eq(safetyPlans.caseId, caseId), eq(safetyPlans.status, 'active')), filterFields: ['caseId', 'status'], limit: 1, offset: 0,
    })
    if (!r.items[0]) throw new NotFound()
    return r.items[0]
  }

  /** Saves the next version of a plan the caller has just read and locked; moves the plan's number on. */
  async function saveVersion(tx: Tx, ctx: RequestContext, plan: Row, body: SafetyPlanContentInput): Promise<Row> {
    const next = (plan.currentVersion as number) + 1
    const version = await gw.create(tx, ctx, gw.decision(ctx, 'safety_plan_versions', 'create'), {
      input: contentOf(body),
      values: { schoolId: ctx.actor.schoolId!, planId: plan.id as string, studentId: plan.studentId as string, version: next, createdBy: ctx.actor.userId },
    })
    await gw.update(tx, ctx, gw.decision(ctx, 'safety_plans', 'update'), plan.id as string, {
      values: { currentVersion: next, updatedAt: new Date() }, where: eq(safetyPlans.status, 'active'),
      audit: { fieldGroups: ['status'] },
    })
    return version
  }

  /** A plan in force, locked: concurrent saves take their numbers one after the other. */
  async function lockedActivePlan(tx: Tx, ctx: RequestContext, id: string): Promise<Row> {
    const plan = await gw.read(tx, gw.decision(ctx, 'safety_plans', 'read'), id)
    await lockRow(tx, safetyPlans, ctx.actor.schoolId!, id)
    const fresh = await gw.read(tx, gw.decision(ctx, 'safety_plans', 'read'), id)
    if (fresh.status !== 'active') throw new Conflict('safety_plan_ended')
    return { ...plan, ...fresh }
  }

  /**
   * Step 5 as a new plan starts it: the school's psychology teachers, its referral
   * institutions, and the hotlines — all editable before and after the first save.
   */
  async function defaultProfessionals(tx: Tx, ctx: RequestContext): Promise<Array<{ name: string; phone?: string }>> {
    const out: Array<{ name: string; phone?: string }> = []
    const schoolId = ctx.actor.schoolId!
    const userD = gw.policies.decide(ctx.actor, 'users', 'list')
    if (userD) {
      // Who teaches psychology here is a fact of the school's staffing, not of any pupil.
      const teachers: SQL = sql`${users.id} in (select ${userRoles.userId} from ${userRoles} where ${userRoles.schoolId} = ${schoolId} and ${userRoles.role} = 'psych_teacher')`
      const r = await gw.list(tx, userD, { where: and(teachers, eq(users.status, 'active')), limit: 20, offset: 0, sort: [{ field: 'displayName', dir: 'asc' }] })
      for (const u of r.items) if (typeof u.displayName === 'string') out.push({ name: `心理教师 ${u.displayName}` })
    }
    const instD = gw.policies.decide(ctx.actor, 'institutions', 'list')
    if (instD) {
      const r = await gw.list(tx, instD, { limit: 20, offset: 0, sort: [{ field: 'name', dir: 'asc' }] })
      for (const i of r.items) {
        const name = [textOf(i.name), textOf(i.department)].filter(Boolean).join(' ')
        if (name) out.push({ name: name.slice(0, 100), ...(typeof i.contactPhone === 'string' && i.contactPhone ? { phone: i.contactPhone.slice(0, 40) } : {}) })
      }
    }
    for (const h of HOTLINES) out.push({ name: h.name, phone: h.phone })
    return out
  }

  return {
    async defaults(ctx: RequestContext, caseId: string) {
      return gw.tx(ctx, async (tx) => {
        await activeCase(gw, ctx, tx, caseId)
        return { professionals: await defaultProfessionals(tx, ctx) }
      })
    },

    /** A new plan for an open case, with its first version; a second active plan is refused (409). */
    async create(ctx: RequestContext, caseId: string, body: z.infer<typeof SafetyPlanCreate>, locale: Locale) {
      return gw.tx(ctx, async (tx) => {
        const { studentId } = await activeCase(gw, ctx, tx, caseId)
        if (body.crisisId) {
          const crisis = gw.policies.decide(ctx.actor, 'crisis_events', 'read')
          const found = crisis && await gw.find(tx, crisis, body.crisisId)
          if (!found || found.studentId !== studentId) throw new Validation('unknown_reference', { field: 'crisisId' }, { fields: ['crisisId'] })
        }
        const existing = await tx.select({ id: safetyPlans.id }).from(safetyPlans)
          .where(and(eq(safetyPlans.schoolId, ctx.actor.schoolId!), eq(safetyPlans.caseId, caseId), eq(safetyPlans.status, 'active'))).limit(1)
        if (existing.length) throw new Conflict('safety_plan_exists')
        const plan = await gw.create(tx, ctx, ctx.decision, {
          input: body.crisisId ? { crisisId: body.crisisId } : {},
          values: { schoolId: ctx.actor.schoolId!, caseId, studentId, status: 'active', currentVersion: 1, createdBy: ctx.actor.userId },
        })
        const content = { ...body, professionals: body.professionals ?? await defaultProfessionals(tx, ctx) }
        await gw.create(tx, ctx, gw.decision(ctx, 'safety_plan_versions', 'create'), {
          input: contentOf(content),
          values: { schoolId: ctx.actor.schoolId!, planId: plan.id as string, studentId, version: 1, createdBy: ctx.actor.userId },
        })
        return view(tx, ctx, plan, locale)
      })
    },

    async ofCase(ctx: RequestContext, caseId: string, locale: Locale) {
      return gw.tx(ctx, async (tx) => view(tx, ctx, await activePlanOfCase(tx, ctx, caseId), locale))
    },

    async get(ctx: RequestContext, id: string, locale: Locale) {
      return gw.tx(ctx, async (tx) => view(tx, ctx, await gw.read(tx, ctx.decision, id), locale))
    },

    /** Plans with their version in force, as the caller reads them (a mentor: their paired pupils' part). */
    async list(ctx: RequestContext, q: z.infer<typeof SafetyPlanListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds: SQL[] = []
        const filterFields: string[] = []
        if (q.studentId) { conds.push(eq(safetyPlans.studentId, q.studentId)); filterFields.push('studentId') }
        if (q.status) { conds.push(eq(safetyPlans.status, q.status)); filterFields.push('status') }
        const r = await gw.list(tx, ctx.decision, { where: and(...conds), filterFields, sort: [{ field: 'updatedAt', dir: 'desc' }], limit: q.limit, offset: q.offset })
        const vd = gw.policies.decide(ctx.actor, 'safety_plan_versions', 'list')
        const currents = new Map<string, Row>()
        if (vd && r.items.length) {
          const wanted = r.items.map((p) => sql`(${safetyPlanVersions.planId} = ${p.id as string} and ${safetyPlanVersions.version} = ${p.currentVersion as number})`)
          const v = await gw.list(tx, vd, { where: sql`(${sql.join(wanted, sql` or `)})`, limit: r.items.length, offset: 0 })
          for (const row of v.items) currents.set(row.planId as string, row)
          if (v.items.length) await gw.audit(tx, ctx, { action: 'R', resource: 'safety_plan_versions', recordIds: v.items.map((x) => x.id as string), studentIds: [...new Set(v.items.map((x) => x.studentId as string))], fieldGroups: vd.readGroups() })
        }
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        return {
          items: r.items.map((p) => ({ ...p, ...(currents.has(p.id as string) ? { current: currents.get(p.id as string) } : {}) })),
          total: r.total, limit: q.limit, offset: q.offset,
        }
      })
    },

    /** One earlier (or the current) version of a plan. */
    async version(ctx: RequestContext, id: string, version: number) {
      return gw.tx(ctx, async (tx) => {
        const plan = await gw.read(tx, gw.decision(ctx, 'safety_plans', 'read'), id)
        const r = await gw.list(tx, ctx.decision, {
          where: and(eq(safetyPlanVersions.planId, plan.id as string), eq(safetyPlanVersions.version, version)), filterFields: ['planId', 'version'], limit: 1, offset: 0,
        })
        const row = r.items[0]
        if (!row) throw new NotFound()
        await gw.audit(tx, ctx, { action: 'R', rows: [row] })
        return row
      })
    },

    /** 保存: the whole content as the next version of a plan in force. */
    async saveVersion(ctx: RequestContext, id: string, body: SafetyPlanContentInput, locale: Locale) {
      return gw.tx(ctx, async (tx) => {
        const plan = await lockedActivePlan(tx, ctx, id)
        await saveVersion(tx, ctx, plan, body)
        return view(tx, ctx, await gw.read(tx, gw.decision(ctx, 'safety_plans', 'read'), id), locale)
      })
    },

    /** 停用: the plan stays readable with its versions; the case may then have a new one. */
    async end(ctx: RequestContext, id: string, locale: Locale) {
      return gw.tx(ctx, async (tx) => {
        await lockedActivePlan(tx, ctx, id)
        const row = await gw.update(tx, ctx, ctx.decision, id, {
          values: { status: 'ended', endedAt: new Date(), updatedAt: new Date() }, where: eq(safetyPlans.status, 'active'),
          audit: { fieldGroups: ['status', 'meta'] },
        })
        return view(tx, ctx, row, locale)
      })
    },

    /** 复查: when, at which moment; with new content the plan's next version is saved with it. */
    async review(ctx: RequestContext, id: string, body: z.infer<typeof SafetyPlanReviewCreate>, locale: Locale) {
      const { plan: content, ...fields } = body
      if (fields.reviewedOn > gw.today()) throw new Validation('date_in_future', {}, { fields: ['reviewedOn'] })
      return gw.tx(ctx, async (tx) => {
        const plan = content ? await lockedActivePlan(tx, ctx, id) : await gw.read(tx, gw.decision(ctx, 'safety_plans', 'read'), id)
        const version = content ? await saveVersion(tx, ctx, plan, content) : undefined
        const row = await gw.create(tx, ctx, ctx.decision, {
          input: fields,
          values: {
            schoolId: ctx.actor.schoolId!, planId: id, studentId: plan.studentId as string, reviewerId: ctx.actor.userId,
            newVersion: version ? version.version : null,
          },
        })
        return presentReview(row, locale)
      })
    },

    async reviews(ctx: RequestContext, id: string, locale: Locale) {
      return gw.tx(ctx, async (tx) => {
        const plan = await gw.read(tx, gw.decision(ctx, 'safety_plans', 'read'), id)
        const r = await gw.list(tx, ctx.decision, {
          where: eq(safetyPlanReviews.planId, plan.id as string), filterFields: ['planId'],
          sort: [{ field: 'reviewedOn', dir: 'desc' }, { field: 'createdAt', dir: 'desc' }], limit: 500, offset: 0,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items, studentIds: [plan.studentId as string] })
        return { items: r.items.map((x) => presentReview(x, locale)), total: r.total }
      })
    },

    /**
     * For the 复学 step of a referral: when the case's plan was last reviewed. The plan in force,
     * or else the case's latest ended one; 404 when the case never had a plan the caller reads.
     */
    async lastReviewOfCase(ctx: RequestContext, caseId: string, locale: Locale) {
      return gw.tx(ctx, async (tx) => {
        const d = gw.decision(ctx, 'safety_plans', 'read')
        const r = await gw.list(tx, d, {
          where: eq(safetyPlans.caseId, caseId), filterFields: ['caseId'],
          sort: [{ field: 'status', dir: 'asc' }, { field: 'updatedAt', dir: 'desc' }], limit: 1, offset: 0,
        })
        const plan = r.items[0]
        if (!plan) throw new NotFound()
        const lastReview = (await lastReviewOf(tx, ctx, plan.id as string, locale)) ?? null
        await gw.audit(tx, ctx, { action: 'R', recordIds: lastReview ? [lastReview.id as string] : [], studentIds: [plan.studentId as string] })
        return { planId: plan.id as string, ...(typeof plan.status === 'string' ? { planStatus: plan.status } : {}), lastReview }
      })
    },

    /**
     * 打印: the version in force as the student's card, with the school's and the student's
     * names and the hotlines. Audited as an export of the pupil's record.
     */
    async print(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => {
        const plan = await gw.read(tx, ctx.decision, id)
        const vd = gw.decision(ctx, 'safety_plan_versions', 'read')
        const r = await gw.list(tx, vd, {
          where: and(eq(safetyPlanVersions.planId, id), eq(safetyPlanVersions.version, plan.currentVersion as number)), filterFields: ['planId', 'version'], limit: 1, offset: 0,
        })
        const v = r.items[0]
        if (!v) throw new NotFound()
        const student = await gw.read(tx, gw.decision(ctx, 'students'), plan.studentId as string)
        const sd = gw.policies.decide(ctx.actor, 'school_profile', 'read')
        const school = sd ? await gw.find(tx, sd, ctx.actor.schoolId!) : undefined
        await gw.audit(tx, ctx, {
          action: 'E', recordIds: [id, v.id as string], studentIds: [plan.studentId as string],
          fieldGroups: ['safety_plan_versions.mentorPart', 'safety_plan_versions.clinical', 'students.identity'],
        })
        const list = (x: unknown) => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : [])
        const contacts = (x: unknown) => (Array.isArray(x) ? x.filter((c): c is { name: string; phone?: string } => !!c && typeof c === 'object' && typeof (c as { name?: unknown }).name === 'string') : [])
        return {
          schoolName: textOf(school?.name),
          studentName: textOf(student.name),
          version: v.version as number,
          versionDate: v.createdAt instanceof Date ? gw.today(v.createdAt) : textOf(v.createdAt),
          printedOn: gw.today(),
          warningSigns: list(v.warningSigns),
          copingStrategies: list(v.copingStrategies),
          socialDistractions: list(v.socialDistractions),
          helpContacts: contacts(v.helpContacts),
          professionals: contacts(v.professionals),
          environmentSafety: list(v.environmentSafety),
          reasonsForLiving: list(v.reasonsForLiving),
          hotlines: HOTLINES.map((h) => ({ ...h })),
        }
      })
    },
  }
}

export type SafetyPlanService = ReturnType<typeof createSafetyPlanService>
