import { and, eq, gte, ne } from 'drizzle-orm'
import type { z } from 'zod'
import { crisisDisclosures, crisisEvents, parentContacts, safetyAssessments, safetyFormWordings } from '../../../db/schema/index.js'
import type { Gateway, Row } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { AppError, Conflict, NotFound, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { assertCaseOfStudent } from '../support/case-links.js'
import { NOT_TOLD_CHANNEL } from '../support/parent-contact-schemas.js'
import { proposeReferral } from '../support/referral-service.js'
import * as repo from './repository.js'
import type { AssessmentCreate, WordingPut } from './safety-assessment-schemas.js'
import { AssessmentItemInvalid, checkAnswers, itemsOf, type SafetyFormDefinition } from './safety-form.js'
import { CURRENT_SAFETY_FORM } from './safety-forms/index.js'

/** What still stands between a crisis event and its resolution, beyond the checklist. */
export const SafetyMissing = ['assessment', 'homeroom_told', 'guardian_told_or_reason', 'parent_contact'] as const
export type SafetyMissing = (typeof SafetyMissing)[number]

const MISSING_WORDS: Record<SafetyMissing, { 'zh-CN': string; en: string }> = {
  assessment: { 'zh-CN': '简要自杀安全评估', en: 'the brief suicide safety assessment' },
  homeroom_told: { 'zh-CN': '告知班主任的记录', en: 'a record that the homeroom teacher was told' },
  guardian_told_or_reason: { 'zh-CN': '告知监护人的记录（或未告知的原因）', en: 'a record that a guardian was told (or why not)' },
  parent_contact: { 'zh-CN': '紧急转介当天的家校沟通记录', en: 'the same-day parent contact the emergency disposition requires' },
}

export interface CrisisSafetyStatus {
  assessed: boolean
  disposition: string | null
  homeroomTold: boolean
  /** told · not_told (with its reason) · null when nothing is recorded */
  guardian: 'told' | 'not_told' | null
  parentContactDueOn: string | null
  /** Only with an emergency disposition: a parent contact of the pupil logged since the assessment. */
  parentContactLogged: boolean | null
  /** In the order the work is done; empty when the safety steps allow resolution. */
  missing: SafetyMissing[]
}

/**
 * The safety steps of a crisis event as the caller reads them (辅导室指南: the 班主任 and the
 * guardians are told when there is a risk of harm, and it is recorded; an emergency disposition
 * needs the parents contacted the same school day). undefined when the caller reads none of it.
 * Every read goes through the gateway with the caller's own grants.
 */
export async function crisisSafetyStatus(gw: Gateway, tx: Tx, ctx: RequestContext,
  crisis: { id: string; studentId: string; parentContactDueOn?: unknown }): Promise<CrisisSafetyStatus | undefined> {
  const da = gw.policies.decide(ctx.actor, 'safety_assessments', 'read')
  const dd = gw.policies.decide(ctx.actor, 'crisis_disclosures', 'list')
  if (!da || !dd) return undefined
  const a = (await gw.list(tx, da, { where: eq(safetyAssessments.crisisId, crisis.id), filterFields: ['crisisId'], limit: 1, offset: 0 })).items[0]
  const told = (await gw.list(tx, dd, { where: eq(crisisDisclosures.crisisId, crisis.id), filterFields: ['crisisId'], limit: 200, offset: 0 })).items
  const homeroomTold = told.some((r) => r.role === 'homeroom_teacher' && !r.notToldReason)
  const guardian = told.some((r) => r.role === 'guardian' && !r.notToldReason) ? 'told'
    : told.some((r) => r.role === 'guardian' && r.notToldReason) ? 'not_told' : null
  let parentContactLogged: boolean | null = null
  if (a?.disposition === 'emergency') {
    const dp = gw.policies.decide(ctx.actor, 'parent_contacts', 'list')
    // A record that the parents were deliberately not told does not meet the duty to contact them.
    parentContactLogged = !!dp && (await gw.list(tx, dp, {
      where: and(eq(parentContacts.studentId, crisis.studentId), ne(parentContacts.channel, NOT_TOLD_CHANNEL), gte(parentContacts.createdAt, a.assessedAt as Date)),
      filterFields: ['studentId', 'channel', 'createdAt'], limit: 1, offset: 0,
    })).total > 0
  }
  const missing: SafetyMissing[] = []
  if (!a) missing.push('assessment')
  if (!homeroomTold) missing.push('homeroom_told')
  if (!guardian) missing.push('guardian_told_or_reason')
  if (parentContactLogged === false) missing.push('parent_contact')
  const due = crisis.parentContactDueOn
  return {
    assessed: !!a,
    disposition: typeof a?.disposition === 'string' ? a.disposition : null,
    homeroomTold,
    guardian,
    parentContactDueOn: typeof due === 'string' ? due : null,
    parentContactLogged,
    missing,
  }
}

/** 409 naming, in both languages, what the resolution still needs. */
export function safetyIncomplete(missing: readonly SafetyMissing[]): AppError {
  const words = (l: 'zh-CN' | 'en') => missing.map((m) => MISSING_WORDS[m][l]).join(l === 'en' ? '; ' : '、')
  return new AppError(409, 'crisis_safety_incomplete', { missing_zh: words('zh-CN'), missing_en: words('en') }, { missing })
}

/** The form as a school asks it: a replaced label carries the school's Chinese, flagged 本校措辞, not 待临床审核. */
export function withSchoolWording(def: SafetyFormDefinition, texts: Record<string, string>) {
  return {
    ...def,
    sections: def.sections.map((s) => ({
      ...s,
      items: s.items.map((i) => {
        const zh = texts[i.key]
        return zh ? { ...i, label: { ...i.label, 'zh-CN': zh }, zhPendingReview: false, zhSchoolWording: true } : i
      }),
    })),
  }
}

function textsOf(row: Row | undefined): Record<string, string> {
  const t = row?.texts
  if (!t || typeof t !== 'object') return {}
  return Object.fromEntries(Object.entries(t as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'))
}

function unprocessable(code: string, field: string): Validation {
  return new Validation(code, {}, { fields: [field] }, 422)
}

/**
 * 简要自杀安全评估 of a crisis event, recorded once, and the next step its disposition sets in
 * the same transaction: emergency opens an urgent referral and makes a parent contact due the
 * same school day; safety_plan sets the crisis's follow-up date; none keeps its reason.
 */
export function createSafetyAssessmentService(gw: Gateway) {
  /** The crisis in the caller's scope (404 otherwise), locked against a concurrent assessment or resolution. */
  async function crisisOf(tx: Tx, ctx: RequestContext, crisisId: string) {
    const row = await gw.read(tx, gw.decision(ctx, 'crisis_events'), crisisId)
    const cur = await repo.crisisState(tx, ctx.actor.schoolId!, crisisId, 'update')
    if (!cur) throw new NotFound()
    return { row, status: cur.status, studentId: cur.studentId }
  }

  async function existing(tx: Tx, ctx: RequestContext, crisisId: string): Promise<Row | undefined> {
    const r = await gw.list(tx, gw.decision(ctx, 'safety_assessments', 'read'), {
      where: eq(safetyAssessments.crisisId, crisisId), filterFields: ['crisisId'], limit: 1, offset: 0,
    })
    return r.items[0]
  }

  /** The school's wording of the current form, when the caller reads it (nobody else's school: the policy's scope). */
  async function wordingRow(tx: Tx, ctx: RequestContext): Promise<Row | undefined> {
    const d = gw.policies.decide(ctx.actor, 'safety_form_wordings', 'list')
    if (!d) return undefined
    const r = await gw.list(tx, d, {
      where: eq(safetyFormWordings.formCode, CURRENT_SAFETY_FORM.code), filterFields: ['formCode'], limit: 1, offset: 0,
    })
    return r.items[0]
  }

  const service = {
    /** The form a new assessment is recorded on (labels, options, the review flag, the notice), in the school's wording. */
    async form(ctx: RequestContext) {
      return gw.tx(ctx, async (tx) => withSchoolWording(CURRENT_SAFETY_FORM, textsOf(await wordingRow(tx, ctx))))
    },

    /**
     * Replaces the Chinese wording of the named items (an empty text goes back to the form's
     * own); items not named keep what they had. An item the form does not have answers 422
     * naming it. The answer is the form as the school now asks it.
     */
    async putWording(ctx: RequestContext, body: z.infer<typeof WordingPut>) {
      const def = CURRENT_SAFETY_FORM
      const items = itemsOf(def)
      for (const key of Object.keys(body.texts)) if (!items.has(key)) throw new AssessmentItemInvalid(key, 'unknown')
      return gw.tx(ctx, async (tx) => {
        const texts = textsOf(await wordingRow(tx, ctx))
        for (const [key, zh] of Object.entries(body.texts)) {
          if (zh === '') delete texts[key]
          else texts[key] = zh
        }
        await gw.upsert(tx, ctx, ctx.decision, [safetyFormWordings.schoolId, safetyFormWordings.formCode], {
          input: { texts },
          values: { schoolId: ctx.actor.schoolId!, formCode: def.code, updatedBy: ctx.actor.userId, updatedAt: new Date() },
          onConflict: { texts, updatedBy: ctx.actor.userId, updatedAt: new Date() },
          audit: { action: 'U' },
        })
        return withSchoolWording(def, texts)
      })
    },

    /** Records the assessment of a crisis event; a second one answers 409. */
    async assess(ctx: RequestContext, crisisId: string, body: z.infer<typeof AssessmentCreate>) {
      const def = CURRENT_SAFETY_FORM
      const answers = checkAnswers(def, body.answers)
      const today = gw.today()
      switch (body.disposition) {
        case 'emergency':
          if (!body.referral) throw unprocessable('emergency_needs_referral', 'referral')
          if (body.followUpOn) throw unprocessable('follow_up_only_for_safety_plan', 'followUpOn')
          if (body.referral.followUpDate && body.referral.followUpDate < today) throw unprocessable('date_in_past', 'followUpDate')
          break
        case 'safety_plan':
          if (!body.followUpOn) throw unprocessable('follow_up_required', 'followUpOn')
          if (body.followUpOn < today) throw unprocessable('date_in_past', 'followUpOn')
          break
        case 'none':
          if (!body.reason) throw unprocessable('no_action_needs_reason', 'reason')
          if (body.followUpOn) throw unprocessable('follow_up_only_for_safety_plan', 'followUpOn')
          break
      }
      if (body.disposition !== 'emergency' && body.referral) throw unprocessable('referral_only_for_emergency', 'referral')
      return gw.tx(ctx, async (tx) => {
        const crisis = await crisisOf(tx, ctx, crisisId)
        if (crisis.status === 'resolved') throw new Conflict('crisis_resolved')
        if (await existing(tx, ctx, crisisId)) throw new Conflict('safety_assessment_exists')
        const schoolId = ctx.actor.schoolId!
        const caseId = body.caseId ?? (typeof crisis.row.caseId === 'string' ? crisis.row.caseId : undefined)
        await assertCaseOfStudent(tx, schoolId, crisis.studentId, caseId)
        let referralId: string | null = null
        if (body.disposition === 'emergency') {
          const r = body.referral!
          const referral = await proposeReferral(gw, tx, ctx, crisis.studentId, {
            institutionId: r.institutionId, reason: r.reason, followUpDate: r.followUpDate ?? today, urgent: true,
            ...(caseId ? { caseId } : {}),
          })
          referralId = referral.id as string
        }
        const row = await gw.create(tx, ctx, ctx.decision, {
          input: {
            answers, disposition: body.disposition, followUpOn: body.followUpOn, reason: body.reason, caseId,
          },
          values: {
            schoolId, crisisId, studentId: crisis.studentId, formCode: def.code, formVersion: def.version, referralId, assessedBy: ctx.actor.userId,
          },
        })
        // The crisis carries the next step's date, so the crisis screen and the resolution rule read it there.
        const next = body.disposition === 'emergency' ? { parentContactDueOn: today }
          : body.disposition === 'safety_plan' ? { followUpOn: body.followUpOn } : undefined
        if (next) await gw.recordUpdate(tx, ctx, 'crisis_events', eq(crisisEvents.id, crisisId), next, { fieldGroups: ['followUp'] })
        return row
      })
    },

    async get(ctx: RequestContext, crisisId: string) {
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, gw.decision(ctx, 'crisis_events'), crisisId)
        const row = await existing(tx, ctx, crisisId)
        if (!row) throw new AppError(404, 'safety_assessment_missing')
        await gw.audit(tx, ctx, { action: 'R', rows: [row] })
        return row
      })
    },
  }
  return service
}

export type SafetyAssessmentService = ReturnType<typeof createSafetyAssessmentService>
