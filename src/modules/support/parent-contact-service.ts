import { and, eq, gte, lte, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { guardians, parentContacts } from '../../../db/schema/index.js'
import { sentKeys, type Gateway } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { assertCaseOfStudent } from './case-links.js'
import { NOT_TOLD_CHANNEL, type ParentContactCreate, type ParentContactListQuery, type ParentContactPatch } from './parent-contact-schemas.js'

export function createParentContactService(gw: Gateway) {
  /** The guardian must be one of this pupil's, as the caller may read them. */
  async function assertGuardianOfStudent(tx: Tx, ctx: RequestContext, studentId: string, guardianId: string | null | undefined) {
    if (!guardianId) return
    const d = gw.policies.decide(ctx.actor, 'guardians', 'read')
    const ok = d && (await gw.find(tx, d, guardianId, eq(guardians.studentId, studentId)))
    if (!ok) throw new Validation('unknown_reference', { field: 'guardianId' }, { fields: ['guardianId'] })
  }

  return {
    create(ctx: RequestContext, studentId: string, body: z.infer<typeof ParentContactCreate>) {
      const { notTold: flag, ...fields } = body
      const notTold = flag ?? fields.notToldReason !== undefined
      const keys = sentKeys(fields)
      ctx.decision.assertWritable(notTold ? [...keys, 'notToldReason'] : keys)
      // 未告知家长 needs its reason; a contact that told them needs its channel.
      if (notTold && !fields.notToldReason) throw new Validation('not_told_reason_required', {}, { fields: ['notToldReason'] })
      if (!notTold && fields.notToldReason) throw new Validation('validation_failed', {}, { fields: ['notTold', 'notToldReason'] })
      if (!notTold && !fields.channel) throw new Validation('channel_required', {}, { fields: ['channel'] })
      if (notTold && (fields.referralConsent === 'given' || fields.referralConsent === 'refused')) {
        throw new Validation('validation_failed', {}, { fields: ['referralConsent', 'notTold'] })
      }
      const today = gw.today()
      const contactDate = fields.contactDate ?? today
      if (contactDate > today) throw new Validation('date_in_future', {}, { fields: ['contactDate'] })
      return gw.tx(ctx, async (tx) => {
        const schoolId = ctx.actor.schoolId!
        await gw.read(tx, gw.decision(ctx, 'students'), studentId)
        await assertGuardianOfStudent(tx, ctx, studentId, fields.guardianId)
        await assertCaseOfStudent(tx, schoolId, studentId, fields.caseId)
        return gw.create(tx, ctx, ctx.decision, {
          input: fields,
          values: {
            schoolId, studentId, guardianId: fields.guardianId ?? null, caseId: fields.caseId ?? null,
            channel: fields.channel ?? NOT_TOLD_CHANNEL, contactDate, content: fields.content ?? null, outcome: fields.outcome ?? null,
            referralConsent: fields.referralConsent ?? 'not_asked', notToldReason: notTold ? fields.notToldReason! : null,
            createdBy: ctx.actor.userId,
          },
        })
      })
    },

    list(ctx: RequestContext, q: z.infer<typeof ParentContactListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds: SQL[] = []
        const filterFields: string[] = []
        if (q.studentId) { conds.push(eq(parentContacts.studentId, q.studentId)); filterFields.push('studentId') }
        if (q.caseId) { conds.push(eq(parentContacts.caseId, q.caseId)); filterFields.push('caseId') }
        if (q.from) { conds.push(gte(parentContacts.contactDate, q.from)); filterFields.push('contactDate') }
        if (q.to) { conds.push(lte(parentContacts.contactDate, q.to)); filterFields.push('contactDate') }
        const r = await gw.list(tx, ctx.decision, {
          where: and(...conds), filterFields, sort: [{ field: 'contactDate', dir: 'desc' }], limit: q.limit, offset: q.offset,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    get(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => {
        const row = await gw.read(tx, ctx.decision, id)
        await gw.audit(tx, ctx, { action: 'R', rows: [row] })
        return row
      })
    },

    update(ctx: RequestContext, id: string, body: z.infer<typeof ParentContactPatch>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        const before = await gw.read(tx, ctx.decision, id)
        const studentId = before.studentId as string
        if (body.contactDate && body.contactDate > gw.today()) throw new Validation('date_in_future', {}, { fields: ['contactDate'] })
        const channel = body.channel ?? (before.channel as string)
        const reason = body.notToldReason === undefined ? (before.notToldReason as string | null) : body.notToldReason
        // A record of parents not told keeps its reason until it names how they were told.
        if (channel === NOT_TOLD_CHANNEL && !reason) throw new Validation('not_told_reason_required', {}, { fields: ['notToldReason'] })
        await assertGuardianOfStudent(tx, ctx, studentId, body.guardianId)
        await assertCaseOfStudent(tx, ctx.actor.schoolId!, studentId, body.caseId)
        return gw.update(tx, ctx, ctx.decision, id, { input: body })
      })
    },
  }
}

export type ParentContactService = ReturnType<typeof createParentContactService>
