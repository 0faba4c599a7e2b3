import { and, eq, inArray } from 'drizzle-orm'
import type { z } from 'zod'
import { screeningConsents, students } from '../../../db/schema/index.js'
import { sentKeys, type Gateway, type Row } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { NotFound, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { consentBlock } from './consent-rules.js'
import * as repo from './repository.js'
import type { ConsentBulk, ConsentSet } from './schemas.js'

type States = { guardianConsent?: string | undefined; studentAssent?: string | undefined }

/** Who recorded each state the caller sent, and when: set by the server beside the state. */
function stamps(ctx: RequestContext, body: States): Record<string, unknown> {
  const now = new Date()
  return {
    ...(body.guardianConsent !== undefined ? { guardianRecordedBy: ctx.actor.userId, guardianRecordedAt: now } : {}),
    ...(body.studentAssent !== undefined ? { assentRecordedBy: ctx.actor.userId, assentRecordedAt: now } : {}),
  }
}

const statesOf = (body: States): States => ({
  ...(body.guardianConsent !== undefined ? { guardianConsent: body.guardianConsent } : {}),
  ...(body.studentAssent !== undefined ? { studentAssent: body.studentAssent } : {}),
})

export function createConsentService(gw: Gateway) {
  /**
   * The campaign of the caller's school. Read as reference facts, not through the campaign
   * policy: homeroom teachers record the slips of a campaign whose plan they do not read.
   */
  async function campaignOf(tx: Tx, ctx: RequestContext, id: string) {
    const c = await repo.campaignFacts(tx, ctx.actor.schoolId!, id)
    if (!c) throw new NotFound()
    return c
  }

  /** Students by id through the caller's policy on students; one out of reach is a 404 for all. */
  async function studentsOf(tx: Tx, ctx: RequestContext, ids: string[], gradeLevels: number[]): Promise<Row[]> {
    const unique = [...new Set(ids)]
    const r = await gw.list(tx, gw.decision(ctx, 'students', 'list'), { where: inArray(students.id, unique), limit: 500, offset: 0 })
    if (r.items.length !== unique.length) throw new NotFound()
    const levels = await repo.classLevels(tx, ctx.actor.schoolId!)
    const outside = r.items.filter((s) => !gradeLevels.includes(levels.get(s.classId as string) ?? -1))
    if (outside.length) throw new Validation('student_not_in_campaign', {}, { studentIds: outside.map((s) => s.id) })
    return r.items
  }

  /** The class through the caller's policy on classes (a homeroom teacher reaches their own). */
  async function classOf(tx: Tx, ctx: RequestContext, classId: string): Promise<Row> {
    return gw.read(tx, gw.decision(ctx, 'classes'), classId)
  }

  return {
    /** 单个录入: one student's slip (and/or their own assent), created or changed. */
    async set(ctx: RequestContext, campaignId: string, studentId: string, body: z.infer<typeof ConsentSet>) {
      const schoolId = ctx.actor.schoolId!
      return gw.tx(ctx, async (tx) => {
        const campaign = await campaignOf(tx, ctx, campaignId)
        await studentsOf(tx, ctx, [studentId], campaign.gradeLevels)
        const states = statesOf(body)
        const row = await gw.upsert(tx, ctx, ctx.decision, [screeningConsents.schoolId, screeningConsents.campaignId, screeningConsents.studentId], {
          input: states,
          values: { schoolId, campaignId, studentId, ...stamps(ctx, body) },
          onConflict: { ...states, ...stamps(ctx, body) },
          audit: { fieldGroups: gw.groupsOf(ctx.decision, [...sentKeys(states), 'guardianRecordedBy']) },
        })
        if (!row) throw new NotFound()
        return row
      })
    },

    /**
     * 批量录入: the same states for the selected students of a class list, in one transaction —
     * every student in the caller's reach and the campaign's grades, or nothing is written.
     */
    async bulk(ctx: RequestContext, campaignId: string, body: z.infer<typeof ConsentBulk>) {
      const schoolId = ctx.actor.schoolId!
      const states = statesOf(body)
      return gw.tx(ctx, async (tx) => {
        const campaign = await campaignOf(tx, ctx, campaignId)
        const ids = [...new Set(body.studentIds ?? [])]
        await studentsOf(tx, ctx, ids, campaign.gradeLevels)
        const existing = await repo.consentRowsOf(tx, schoolId, campaignId, ids)
        const groups = gw.groupsOf(ctx.decision, [...sentKeys(states), 'guardianRecordedBy'])
        const fresh = ids.filter((id) => !existing.has(id))
        const created = await gw.createMany(tx, ctx, ctx.decision, fresh.map((studentId) => ({
          input: states, values: { schoolId, campaignId, studentId, ...stamps(ctx, body) },
        })), { fieldGroups: groups })
        const changed = existing.size === 0 ? [] : await gw.updateWhere(tx, ctx, gw.decision(ctx, 'screening_consents', 'update'),
          and(eq(screeningConsents.campaignId, campaignId), inArray(screeningConsents.studentId, [...existing]))!,
          { input: states, values: stamps(ctx, body), audit: { fieldGroups: groups } })
        // A row the caller may not change (another class's) was left out by the statement's scope: nothing is kept.
        if (changed.length !== existing.size) throw new NotFound()
        return { created: created.length, updated: changed.length, items: [...created, ...changed] }
      })
    },

    /** 知情同意名单: a class's enrolled students with their consent states (psychology teachers). */
    async roster(ctx: RequestContext, campaignId: string, classId: string) {
      const schoolId = ctx.actor.schoolId!
      return gw.tx(ctx, async (tx) => {
        const campaign = await campaignOf(tx, ctx, campaignId)
        const cls = await classOf(tx, ctx, classId)
        const pupils = await gw.list(tx, gw.decision(ctx, 'students', 'list'), {
          where: and(eq(students.classId, classId), eq(students.status, 'enrolled')), filterFields: ['classId', 'status'],
          sort: [{ field: 'studentNo', dir: 'asc' }], limit: 500, offset: 0,
        })
        const ids = pupils.items.map((s) => s.id as string)
        const consents = ids.length ? await gw.list(tx, ctx.decision, {
          where: and(eq(screeningConsents.campaignId, campaignId), inArray(screeningConsents.studentId, ids)), filterFields: ['campaignId', 'studentId'], limit: 500, offset: 0,
        }) : { items: [] as Row[] }
        if (consents.items.length) await gw.audit(tx, ctx, { action: 'R', rows: consents.items })
        const byStudent = new Map(consents.items.map((c) => [c.studentId as string, c]))
        const screened = await repo.screenedStudents(tx, schoolId, campaignId, ids)
        return {
          campaignId, classId, ...(typeof cls.name === 'string' ? { className: cls.name } : {}), consentRequired: campaign.consentRequired,
          items: pupils.items.map((s) => {
            const c = byStudent.get(s.id as string)
            const guardian = typeof c?.guardianConsent === 'string' ? c.guardianConsent : 'not_returned'
            const assent = typeof c?.studentAssent === 'string' ? c.studentAssent : 'not_asked'
            return {
              studentId: s.id as string,
              ...(typeof s.studentNo === 'string' ? { studentNo: s.studentNo } : {}),
              ...(typeof s.name === 'string' ? { name: s.name } : {}),
              guardianConsent: guardian,
              studentAssent: assent,
              guardianRecordedBy: (c?.guardianRecordedBy as string | null | undefined) ?? null,
              guardianRecordedAt: (c?.guardianRecordedAt as Date | null | undefined) ?? null,
              assentRecordedBy: (c?.assentRecordedBy as string | null | undefined) ?? null,
              assentRecordedAt: (c?.assentRecordedAt as Date | null | undefined) ?? null,
              consentOk: consentBlock(c ? { guardian, assent } : undefined) === null,
              screened: screened.has(s.id as string),
            }
          }),
        }
      })
    },

    /**
     * Consent counts of one class. The split of those without consent (refused, not returned)
     * and the assent counts go only to a caller who reads the states themselves: a homeroom
     * teacher learns how many of the class may be screened, not how many families said no.
     */
    async summary(ctx: RequestContext, campaignId: string, classId: string) {
      return gw.tx(ctx, async (tx) => {
        const campaign = await campaignOf(tx, ctx, campaignId)
        await classOf(tx, ctx, classId)
        const n = await repo.consentCounts(tx, ctx.actor.schoolId!, campaignId, classId)
        const detail = ctx.decision.readableEverywhere().has('guardianConsent')
        return {
          campaignId, classId, consentRequired: campaign.consentRequired,
          enrolled: n.enrolled, given: n.given, notGiven: n.enrolled - n.given,
          ...(detail ? { refused: n.refused, notReturned: n.not_returned, assentRefused: n.assent_refused, assentGiven: n.assent_given } : {}),
        }
      })
    },
  }
}

export type ConsentService = ReturnType<typeof createConsentService>
