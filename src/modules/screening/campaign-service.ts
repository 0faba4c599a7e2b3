import { and, eq, inArray, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { classes, screeningCampaigns } from '../../../db/schema/index.js'
import { sentKeys, type Gateway } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { lockRow } from '../../db/row-lock.js'
import { Conflict, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import * as repo from './repository.js'
import type { CampaignCreate, CampaignListQuery, CampaignPatch } from './schemas.js'

/** Two instruments of one campaign may not claim the same import column prefix. */
async function checkInstruments(tx: Tx, schoolId: string, ids: string[]): Promise<void> {
  const unique = [...new Set(ids)]
  if (unique.length !== ids.length) throw new Validation('validation_failed', {}, { fields: ['instrumentIds'] })
  const defs = await repo.definitionsOf(tx, schoolId, unique)
  const missing = unique.filter((id) => !defs.has(id))
  if (missing.length) throw new Validation('instrument_unknown', {}, { instrumentIds: missing })
  const seen = new Map<string, string>()
  for (const { code, definition } of defs.values()) {
    for (const p of definition.columnPrefixes.map((x) => x.toUpperCase())) {
      const other = seen.get(p)
      if (other) throw new Validation('instrument_prefix_clash', { a: other, b: code, prefix: p })
      seen.set(p, code)
    }
  }
}

/** Grade levels once each, in order. */
const gradeLevelsOf = (levels: number[]) => [...new Set(levels)].sort((a, b) => a - b)

export function createCampaignService(gw: Gateway) {
  return {
    async list(ctx: RequestContext, q: z.infer<typeof CampaignListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const conds: SQL[] = []
        const filterFields: string[] = []
        if (q.schoolYear) { conds.push(eq(screeningCampaigns.schoolYear, q.schoolYear)); filterFields.push('schoolYear') }
        if (q.status) { conds.push(eq(screeningCampaigns.status, q.status)); filterFields.push('status') }
        const r = await gw.list(tx, ctx.decision, {
          where: and(...conds), filterFields, sort: [{ field: 'startDate', dir: 'desc' }], limit: q.limit, offset: q.offset,
        })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async get(ctx: RequestContext, id: string) {
      return gw.tx(ctx, (tx) => gw.read(tx, ctx.decision, id))
    },

    async create(ctx: RequestContext, body: z.infer<typeof CampaignCreate>) {
      ctx.decision.assertWritable(sentKeys(body))
      if (body.startDate > body.endDate) throw new Validation('date_range_invalid')
      const schoolId = ctx.actor.schoolId!
      return gw.tx(ctx, async (tx) => {
        await checkInstruments(tx, schoolId, body.instrumentIds)
        return gw.create(tx, ctx, ctx.decision, {
          input: body, values: { gradeLevels: gradeLevelsOf(body.gradeLevels), schoolId, createdBy: ctx.actor.userId },
        })
      })
    },

    /** Instruments are fixed once answers exist: a response must keep meaning what it meant. */
    async update(ctx: RequestContext, id: string, body: z.infer<typeof CampaignPatch>) {
      ctx.decision.assertWritable(sentKeys(body))
      const schoolId = ctx.actor.schoolId!
      return gw.tx(ctx, async (tx) => {
        // Before the check for answers: answers being saved hold the campaign shared (openCampaign),
        // so this waits for them and counts them; answers after it wait and read the new campaign.
        await lockRow(tx, screeningCampaigns, schoolId, id)
        const cur = await gw.read(tx, ctx.decision, id)
        const start = body.startDate ?? (cur.startDate as string)
        const end = body.endDate ?? (cur.endDate as string)
        if (start > end) throw new Validation('date_range_invalid')
        if (body.instrumentIds) {
          if (await repo.hasResponses(tx, schoolId, id)) throw new Conflict('campaign_has_responses')
          await checkInstruments(tx, schoolId, body.instrumentIds)
        }
        return gw.update(tx, ctx, ctx.decision, id, {
          input: body, values: body.gradeLevels ? { gradeLevels: gradeLevelsOf(body.gradeLevels) } : {},
        })
      })
    },

    /**
     * 覆盖率 per class: screened / enrolled, with those not screened split into 未获同意 (no
     * consent, when the campaign requires it) and 未测. Counts, never a student; class names come
     * through the caller's own policy on classes.
     */
    async coverage(ctx: RequestContext, id: string) {
      const schoolId = ctx.actor.schoolId!
      return gw.tx(ctx, async (tx) => {
        const campaign = await gw.read(tx, ctx.decision, id)
        const levels = Array.isArray(campaign.gradeLevels) ? (campaign.gradeLevels as number[]) : []
        const rows = await repo.coverage(tx, schoolId, id, levels, campaign.consentRequired !== false)
        const names = new Map<string, string>()
        const classDecision = gw.policies.decide(ctx.actor, 'classes', 'list')
        if (classDecision && rows.length) {
          const r = await gw.list(tx, classDecision, { where: inArray(classes.id, rows.map((c) => c.class_id)), limit: 500, offset: 0 })
          for (const c of r.items) if (typeof c.id === 'string' && typeof c.name === 'string') names.set(c.id, c.name)
        }
        const rate = (s: number, e: number) => (e > 0 ? Math.round((s / e) * 1000) / 1000 : null)
        const enrolled = rows.reduce((n, r) => n + r.enrolled, 0)
        const screened = rows.reduce((n, r) => n + r.screened, 0)
        const noConsent = rows.reduce((n, r) => n + r.no_consent, 0)
        return {
          campaignId: id,
          classes: rows.map((r) => ({
            classId: r.class_id,
            ...(names.has(r.class_id) ? { className: names.get(r.class_id)! } : {}),
            gradeLevel: r.level,
            enrolled: r.enrolled,
            screened: r.screened,
            noConsent: r.no_consent,
            notScreened: Math.max(0, r.enrolled - r.screened - r.no_consent),
            rate: rate(r.screened, r.enrolled),
          })),
          totals: { enrolled, screened, noConsent, notScreened: Math.max(0, enrolled - screened - noConsent), rate: rate(screened, enrolled) },
        }
      })
    },
  }
}

export type CampaignService = ReturnType<typeof createCampaignService>
