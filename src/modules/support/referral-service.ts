import { and, eq, not, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { parentContacts, referralEvents, referrals } from '../../../db/schema/index.js'
import { audit, readMany } from '../../access/query.js'
import type { Tx } from '../../db/database.js'
import { lockRow } from '../../db/row-lock.js'
import { Conflict, Validation } from '../../lib/errors.js'
import type { Locale } from '../../lib/i18n.js'
import type { RequestContext } from '../../plugins/access.js'
import { assertCaseOfStudent } from './case-links.js'
import {
  EDITABLE_STATES, REFERRAL_TRANSITIONS, referralOverdueCondition, withReferralDerived, type ReferralState,
} from './referral-rules.js'
import type { ReferralCreate, ReferralListQuery, ReferralPatch, ReferralTransition } from './referral-schemas.js'
import { decisionOn, groupsOf, inActorTx, mustRead, schoolToday, sentKeys, type Row, type SupportDeps } from './support-access.js'

export function createReferralService(deps: SupportDeps) {
  /** The institution must be in the school's directory as the caller reads it. */
  async function assertInstitution(tx: Tx, ctx: RequestContext, institutionId: string | undefined) {
    if (!institutionId) return
    const d = deps.policies.decide(ctx.actor, 'institutions', 'read')
    const found = d && (await mustRead(tx, d, institutionId).catch(() => null))
    if (!found) throw new Validation('unknown_reference', { field: 'institutionId' }, { fields: ['institutionId'] })
  }

  /** Consent is a parent contact of this pupil that records consent given. */
  async function assertConsent(tx: Tx, ctx: RequestContext, studentId: string, contactId: string) {
    const d = deps.policies.decide(ctx.actor, 'parent_contacts', 'read')
    const found = d && (await mustRead(tx, d, contactId, and(eq(parentContacts.studentId, studentId), eq(parentContacts.referralConsent, 'given'))).catch(() => null))
    if (!found) throw new Validation('consent_not_given', {}, { fields: ['consentContactId'] })
  }

  async function logEvent(tx: Tx, ctx: RequestContext, r: Row, from: string | null, to: ReferralState, note?: string) {
    await tx.insert(referralEvents).values({
      schoolId: ctx.actor.schoolId!, referralId: r.id as string, studentId: r.studentId as string,
      fromState: from, toState: to, actorId: ctx.actor.userId, note: note ?? null,
    })
  }

  function where(id: string, schoolId: string): SQL {
    return and(eq(referrals.schoolId, schoolId), eq(referrals.id, id))!
  }

  return {
    create(ctx: RequestContext, studentId: string, body: z.infer<typeof ReferralCreate>, locale: Locale) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      if (body.followUpDate < schoolToday()) throw new Validation('validation_failed', {}, { fields: ['followUpDate'] })
      return inActorTx(deps, ctx, async (tx) => {
        const schoolId = ctx.actor.schoolId!
        await mustRead(tx, decisionOn(deps, ctx, 'students'), studentId)
        await assertInstitution(tx, ctx, body.institutionId)
        await assertCaseOfStudent(tx, schoolId, studentId, body.caseId)
        const [ins] = await tx.insert(referrals).values({
          schoolId, studentId, institutionId: body.institutionId, reason: body.reason, followUpDate: body.followUpDate,
          caseId: body.caseId ?? null, state: 'proposed', createdBy: ctx.actor.userId,
        }).returning({ id: referrals.id })
        const row = await mustRead(tx, ctx.decision, ins!.id)
        await logEvent(tx, ctx, row, null, 'proposed')
        await audit(tx, ctx, { action: 'C', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return withReferralDerived(row, locale)
      })
    },

    list(ctx: RequestContext, q: z.infer<typeof ReferralListQuery>, locale: Locale) {
      return inActorTx(deps, ctx, async (tx) => {
        const conds: SQL[] = []
        const filterFields: string[] = []
        if (q.studentId) { conds.push(eq(referrals.studentId, q.studentId)); filterFields.push('studentId') }
        if (q.caseId) { conds.push(eq(referrals.caseId, q.caseId)); filterFields.push('caseId') }
        if (q.state) { conds.push(eq(referrals.state, q.state)); filterFields.push('state') }
        if (q.overdue !== undefined) {
          conds.push(q.overdue ? referralOverdueCondition() : not(referralOverdueCondition()))
          filterFields.push('state', 'followUpDate')
        }
        const r = await readMany(tx, ctx.decision, {
          where: and(...conds), filterFields, sort: [{ field: 'followUpDate', dir: 'asc' }], limit: q.limit, offset: q.offset,
        })
        await audit(tx, ctx, { action: 'R', rows: r.items })
        const today = schoolToday()
        return { items: r.items.map((row) => withReferralDerived(row, locale, today)), total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    get(ctx: RequestContext, id: string, locale: Locale) {
      return inActorTx(deps, ctx, async (tx) => {
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'R', rows: [row] })
        return withReferralDerived(row, locale)
      })
    },

    update(ctx: RequestContext, id: string, body: z.infer<typeof ReferralPatch>, locale: Locale) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(deps, ctx, async (tx) => {
        // Locked: an edit of what is sent cannot slip in while the referral is being sent.
        await lockRow(tx, referrals, ctx.actor.schoolId!, id)
        const before = await mustRead(tx, ctx.decision, id)
        const state = before.state as ReferralState
        if (state === 'closed' || state === 'withdrawn') throw new Conflict('invalid_transition', { state })
        // What was sent to the institution is what the form said: it no longer changes.
        if ((body.reason !== undefined || body.institutionId !== undefined) && !EDITABLE_STATES.includes(state)) throw new Conflict('referral_locked')
        await assertInstitution(tx, ctx, body.institutionId)
        await assertCaseOfStudent(tx, ctx.actor.schoolId!, before.studentId as string, body.caseId)
        await tx.update(referrals).set({ ...body, updatedAt: new Date() }).where(where(id, ctx.actor.schoolId!))
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'U', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return withReferralDerived(row, locale)
      })
    },

    transition(ctx: RequestContext, id: string, body: z.infer<typeof ReferralTransition>, locale: Locale) {
      const { to, ...fields } = body
      const note = 'note' in fields ? fields.note : undefined
      const written = sentKeys(fields).filter((k) => k !== 'note')
      ctx.decision.assertWritable(written)
      return inActorTx(deps, ctx, async (tx) => {
        // Locked before the state is read: each step is taken once, by one of concurrent callers.
        await lockRow(tx, referrals, ctx.actor.schoolId!, id)
        const before = await mustRead(tx, ctx.decision, id)
        const from = before.state as ReferralState
        if (!REFERRAL_TRANSITIONS[from]?.includes(to)) throw new Conflict('invalid_transition', { state: from })
        const now = new Date()
        const set: Partial<typeof referrals.$inferInsert> = { state: to, updatedAt: now }
        switch (body.to) {
          case 'consented':
            await assertConsent(tx, ctx, before.studentId as string, body.consentContactId)
            set.consentContactId = body.consentContactId
            break
          case 'sent':
            set.sentAt = now
            break
          case 'received':
            if (body.receivedOn > schoolToday()) throw new Validation('date_in_future', {}, { fields: ['receivedOn'] })
            set.receivedOn = body.receivedOn
            if (body.followUpDate) set.followUpDate = body.followUpDate
            break
          case 'feedback':
            set.feedback = body.feedback
            set.feedbackAt = now
            if (body.followUpDate) set.followUpDate = body.followUpDate
            break
          case 'reassessed':
            set.reassessmentResult = body.reassessmentResult
            set.reassessedRisk = body.reassessedRisk
            set.reassessedAt = now
            break
          case 'closed':
            set.closedAt = now
            break
          case 'withdrawn':
            set.closedAt = now
            break
        }
        await tx.update(referrals).set(set).where(where(id, ctx.actor.schoolId!))
        const row = await mustRead(tx, ctx.decision, id)
        await logEvent(tx, ctx, row, from, to, note)
        await audit(tx, ctx, { action: 'U', rows: [row], fieldGroups: ['progress', ...groupsOf(ctx.decision, written)] })
        return withReferralDerived(row, locale)
      })
    },

    events(ctx: RequestContext, id: string) {
      return inActorTx(deps, ctx, async (tx) => {
        const referral = await mustRead(tx, decisionOn(deps, ctx, 'referrals'), id)
        const r = await readMany(tx, ctx.decision, {
          where: eq(referralEvents.referralId, id), filterFields: ['referralId'], sort: [{ field: 'at', dir: 'asc' }], limit: 500, offset: 0,
        })
        await audit(tx, ctx, { action: 'R', rows: r.items, studentIds: [referral.studentId as string] })
        return { items: r.items, total: r.total }
      })
    },
  }
}

export type ReferralService = ReturnType<typeof createReferralService>
