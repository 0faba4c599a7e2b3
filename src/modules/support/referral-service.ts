import { and, eq, not, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { parentContacts, referralEvents, referrals } from '../../../db/schema/index.js'
import { sentKeys, type Gateway, type Row } from '../../access/gateway.js'
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

/** The institution must be in the school's directory as the caller reads it. */
async function assertInstitution(gw: Gateway, tx: Tx, ctx: RequestContext, institutionId: string | undefined) {
  if (!institutionId) return
  const d = gw.policies.decide(ctx.actor, 'institutions', 'read')
  const found = d && (await gw.find(tx, d, institutionId))
  if (!found) throw new Validation('unknown_reference', { field: 'institutionId' }, { fields: ['institutionId'] })
}

/** Consent is a parent contact of this pupil that records consent given. */
async function assertConsent(gw: Gateway, tx: Tx, ctx: RequestContext, studentId: string, contactId: string) {
  const d = gw.policies.decide(ctx.actor, 'parent_contacts', 'read')
  const found = d && (await gw.find(tx, d, contactId, and(eq(parentContacts.studentId, studentId), eq(parentContacts.referralConsent, 'given'))))
  if (!found) throw new Validation('consent_not_given', {}, { fields: ['consentContactId'] })
}

/** Each step's record (referral_events): written by the service as the consequence of the caller's step. */
async function logEvent(gw: Gateway, tx: Tx, ctx: RequestContext, r: Row, from: string | null, to: ReferralState, note?: string) {
  await gw.record(tx, ctx, 'referral_events', {
    schoolId: ctx.actor.schoolId!, referralId: r.id as string, studentId: r.studentId as string,
    fromState: from, toState: to, actorId: ctx.actor.userId, note: note ?? null,
  }, { fieldGroups: note ? ['note', 'transition'] : ['transition'] })
}

/**
 * Proposes a referral inside the caller's transaction: the same checks, record, event and audit
 * as POST /students/:id/referrals, for a rule that opens one as part of a larger change (a safety
 * assessment's emergency disposition). The caller's grant on referrals decides, whatever route
 * it came through.
 */
export async function proposeReferral(gw: Gateway, tx: Tx, caller: RequestContext, studentId: string,
  body: z.infer<typeof ReferralCreate>): Promise<Row> {
  const ctx: RequestContext = { ...caller, decision: gw.decision(caller, 'referrals', 'create') }
  const schoolId = ctx.actor.schoolId!
  await gw.read(tx, gw.decision(ctx, 'students'), studentId)
  await assertInstitution(gw, tx, ctx, body.institutionId)
  await assertCaseOfStudent(tx, schoolId, studentId, body.caseId)
  const row = await gw.create(tx, ctx, ctx.decision, {
    input: body,
    values: { schoolId, studentId, caseId: body.caseId ?? null, state: 'proposed', createdBy: ctx.actor.userId },
  })
  await logEvent(gw, tx, ctx, row, null, 'proposed')
  return row
}

export function createReferralService(gw: Gateway) {
  return {
    create(ctx: RequestContext, studentId: string, body: z.infer<typeof ReferralCreate>, locale: Locale) {
      ctx.decision.assertWritable(sentKeys(body))
      const today = gw.today()
      if (body.followUpDate < today) throw new Validation('validation_failed', {}, { fields: ['followUpDate'] })
      return gw.tx(ctx, async (tx) => withReferralDerived(await proposeReferral(gw, tx, ctx, studentId, body), locale, today))
    },

    list(ctx: RequestContext, q: z.infer<typeof ReferralListQuery>, locale: Locale) {
      return gw.tx(ctx, async (tx) => {
        const conds: SQL[] = []
        const filterFields: string[] = []
        if (q.studentId) { conds.push(eq(referrals.studentId, q.studentId)); filterFields.push('studentId') }
        if (q.caseId) { conds.push(eq(referrals.caseId, q.caseId)); filterFields.push('caseId') }
        if (q.state) { conds.push(eq(referrals.state, q.state)); filterFields.push('state') }
        if (q.overdue !== undefined) {
          const overdue = referralOverdueCondition(gw.todaySql())
          conds.push(q.overdue ? overdue : not(overdue))
          filterFields.push('state', 'followUpDate')
        }
        const r = await gw.list(tx, ctx.decision, {
          where: and(...conds), filterFields, sort: [{ field: 'followUpDate', dir: 'asc' }], limit: q.limit, offset: q.offset,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        const today = gw.today()
        return { items: r.items.map((row) => withReferralDerived(row, locale, today)), total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    get(ctx: RequestContext, id: string, locale: Locale) {
      return gw.tx(ctx, async (tx) => {
        const row = await gw.read(tx, ctx.decision, id)
        await gw.audit(tx, ctx, { action: 'R', rows: [row] })
        return withReferralDerived(row, locale, gw.today())
      })
    },

    update(ctx: RequestContext, id: string, body: z.infer<typeof ReferralPatch>, locale: Locale) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        // Locked: an edit of what is sent cannot slip in while the referral is being sent.
        await lockRow(tx, referrals, ctx.actor.schoolId!, id)
        const before = await gw.read(tx, ctx.decision, id)
        const state = before.state as ReferralState
        if (state === 'closed' || state === 'withdrawn') throw new Conflict('invalid_transition', { state })
        // What was sent to the institution is what the form said: it no longer changes.
        if ((body.reason !== undefined || body.institutionId !== undefined) && !EDITABLE_STATES.includes(state)) throw new Conflict('referral_locked')
        await assertInstitution(gw, tx, ctx, body.institutionId)
        await assertCaseOfStudent(tx, ctx.actor.schoolId!, before.studentId as string, body.caseId)
        const row = await gw.update(tx, ctx, ctx.decision, id, { input: body, values: { updatedAt: new Date() } })
        return withReferralDerived(row, locale, gw.today())
      })
    },

    transition(ctx: RequestContext, id: string, body: z.infer<typeof ReferralTransition>, locale: Locale) {
      const { to, ...fields } = body
      const note = 'note' in fields ? fields.note : undefined
      const written = sentKeys(fields).filter((k) => k !== 'note')
      ctx.decision.assertWritable(written)
      return gw.tx(ctx, async (tx) => {
        // Locked before the state is read: each step is taken once, by one of concurrent callers.
        await lockRow(tx, referrals, ctx.actor.schoolId!, id)
        const before = await gw.read(tx, ctx.decision, id)
        const from = before.state as ReferralState
        if (!REFERRAL_TRANSITIONS[from]?.includes(to)) throw new Conflict('invalid_transition', { state: from })
        const now = new Date()
        const today = gw.today()
        const set: Partial<typeof referrals.$inferInsert> = { state: to, updatedAt: now }
        switch (body.to) {
          case 'consented':
            await assertConsent(gw, tx, ctx, before.studentId as string, body.consentContactId)
            set.consentContactId = body.consentContactId
            break
          case 'sent':
            set.sentAt = now
            break
          case 'received':
            if (body.receivedOn > today) throw new Validation('date_in_future', {}, { fields: ['receivedOn'] })
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
        const row = await gw.update(tx, ctx, ctx.decision, id, {
          input: Object.fromEntries(written.map((k) => [k, fields[k as keyof typeof fields]])),
          values: set,
          audit: { fieldGroups: ['progress', ...gw.groupsOf(ctx.decision, written)] },
        })
        await logEvent(gw, tx, ctx, row, from, to, note)
        return withReferralDerived(row, locale, today)
      })
    },

    events(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => {
        const referral = await gw.read(tx, gw.decision(ctx, 'referrals'), id)
        const r = await gw.list(tx, ctx.decision, {
          where: eq(referralEvents.referralId, id), filterFields: ['referralId'], sort: [{ field: 'at', dir: 'asc' }], limit: 500, offset: 0,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items, studentIds: [referral.studentId as string] })
        return { items: r.items, total: r.total }
      })
    },
  }
}

export type ReferralService = ReturnType<typeof createReferralService>
