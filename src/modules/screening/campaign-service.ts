import { and, eq, inArray, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { classes, screeningCampaigns } from '../../../db/schema/index.js'
import { audit, readMany } from '../../access/query.js'
import type { Tx } from '../../db/database.js'
import { lockRow } from '../../db/row-lock.js'
import { Conflict, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { groupsOf, mustRead, sentKeys } from '../roster/record-access.js'
import { inTx, type ModuleDeps } from './module-access.js'
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

export function createCampaignService(deps: ModuleDeps) {
  return {
    async list(ctx: RequestContext, q: z.infer<typeof CampaignListQuery>) {
      return inTx(deps, ctx, async (tx) => {
        const conds: SQL[] = []
        const filterFields: string[] = []
        if (q.schoolYear) { conds.push(eq(screeningCampaigns.schoolYear, q.schoolYear)); filterFields.push('schoolYear') }
        if (q.status) { conds.push(eq(screeningCampaigns.status, q.status)); filterFields.push('status') }
        const r = await readMany(tx, ctx.decision, {
          where: and(...conds), filterFields, sort: [{ field: 'startDate', dir: 'desc' }], limit: q.limit, offset: q.offset,
        })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async get(ctx: RequestContext, id: string) {
      return inTx(deps, ctx, (tx) => mustRead(tx, ctx.decision, id))
    },

    async create(ctx: RequestContext, body: z.infer<typeof CampaignCreate>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      if (body.startDate > body.endDate) throw new Validation('date_range_invalid')
      const schoolId = ctx.actor.schoolId!
      return inTx(deps, ctx, async (tx) => {
        await checkInstruments(tx, schoolId, body.instrumentIds)
        const id = await repo.insertCampaign(tx, {
          ...body, gradeLevels: [...new Set(body.gradeLevels)].sort((a, b) => a - b), schoolId, createdBy: ctx.actor.userId,
        })
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'C', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    /** Instruments are fixed once answers exist: a response must keep meaning what it meant. */
    async update(ctx: RequestContext, id: string, body: z.infer<typeof CampaignPatch>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      const schoolId = ctx.actor.schoolId!
      return inTx(deps, ctx, async (tx) => {
        // Before the check for answers: answers being saved hold the campaign shared (openCampaign),
        // so this waits for them and counts them; answers after it wait and read the new campaign.
        await lockRow(tx, screeningCampaigns, schoolId, id)
        const cur = await mustRead(tx, ctx.decision, id)
        const start = body.startDate ?? (cur.startDate as string)
        const end = body.endDate ?? (cur.endDate as string)
        if (start > end) throw new Validation('date_range_invalid')
        if (body.instrumentIds) {
          if (await repo.hasResponses(tx, schoolId, id)) throw new Conflict('campaign_has_responses')
          await checkInstruments(tx, schoolId, body.instrumentIds)
        }
        await repo.updateCampaign(tx, schoolId, id, {
          ...body, ...(body.gradeLevels ? { gradeLevels: [...new Set(body.gradeLevels)].sort((a, b) => a - b) } : {}),
        })
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'U', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    /**
     * 覆盖率 per class: screened / enrolled. Counts, never a student; class names come
     * through the caller's own policy on classes.
     */
    async coverage(ctx: RequestContext, id: string) {
      const schoolId = ctx.actor.schoolId!
      return inTx(deps, ctx, async (tx) => {
        const campaign = await mustRead(tx, ctx.decision, id)
        const levels = Array.isArray(campaign.gradeLevels) ? (campaign.gradeLevels as number[]) : []
        const rows = await repo.coverage(tx, schoolId, id, levels)
        const names = new Map<string, string>()
        const classDecision = deps.policies.decide(ctx.actor, 'classes', 'list')
        if (classDecision && rows.length) {
          const r = await readMany(tx, classDecision, { where: inArray(classes.id, rows.map((c) => c.class_id)), limit: 500, offset: 0 })
          for (const c of r.items) if (typeof c.id === 'string' && typeof c.name === 'string') names.set(c.id, c.name)
        }
        const rate = (s: number, e: number) => (e > 0 ? Math.round((s / e) * 1000) / 1000 : null)
        const enrolled = rows.reduce((n, r) => n + r.enrolled, 0)
        const screened = rows.reduce((n, r) => n + r.screened, 0)
        return {
          campaignId: id,
          classes: rows.map((r) => ({
            classId: r.class_id,
            ...(names.has(r.class_id) ? { className: names.get(r.class_id)! } : {}),
            gradeLevel: r.level,
            enrolled: r.enrolled,
            screened: r.screened,
            rate: rate(r.screened, r.enrolled),
          })),
          totals: { enrolled, screened, rate: rate(screened, enrolled) },
        }
      })
    },
  }
}

export type CampaignService = ReturnType<typeof createCampaignService>
