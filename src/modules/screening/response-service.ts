import { and, eq, type SQL } from 'drizzle-orm'
import type { z } from 'zod'
import { screeningCampaigns, screeningResponses } from '../../../db/schema/index.js'
import { sentKeys, type Gateway, type Row } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { lockRow } from '../../db/row-lock.js'
import { AppError, Conflict, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { newCrisis, RULE_CRISIS_GROUPS } from '../cases/crisis-service.js'
import { consentBlock } from './consent-rules.js'
import * as repo from './repository.js'
import { withRiskText } from './risk-levels.js'
import type { ResponseConfirm, ResponseCreate, ResponseListQuery } from './schemas.js'
import { answerProblems, safetySummary, scoreAnswers } from './scoring.js'

export const RESPONSE_RISK_KEYS = ['suggestedRisk', 'confirmedRisk'] as const

export const presentResponse = (row: Row, codes?: Map<string, string>) => {
  const out = withRiskText(row, RESPONSE_RISK_KEYS)
  const code = typeof row.instrumentId === 'string' ? codes?.get(row.instrumentId) : undefined
  return code ? { ...out, instrumentCode: code } : out
}

/** Instrument codes beside the ids the caller reads. */
async function codesOf(tx: Tx, schoolId: string, rows: Row[]) {
  return repo.instrumentCodes(tx, schoolId, rows.map((r) => r.instrumentId).filter((v): v is string => typeof v === 'string'))
}

/**
 * A campaign the caller may read and still accepts answers. Share-locked to commit: a change
 * of its instruments or its closing (campaign-service update) waits for the answers being
 * saved and then sees them, and answers after it read the campaign as changed.
 */
export async function openCampaign(gw: Gateway, ctx: RequestContext, tx: Tx, id: string): Promise<Row> {
  await lockRow(tx, screeningCampaigns, ctx.actor.schoolId!, id, 'share')
  const campaign = await gw.read(tx, gw.decision(ctx, 'screening_campaigns'), id)
  if (campaign.status === 'closed') throw new Conflict('campaign_closed')
  return campaign
}

export function createResponseService(gw: Gateway) {
  return {
    /**
     * One response entered through the API: scored here, and when a safety item is crossed
     * (PHQ item 9 ≥ 1, any yes on the ASQ) a crisis event is opened in the same transaction,
     * whatever the total. A campaign that requires consent takes answers only from a student
     * with it (422 naming the student's consent), or with an override reason, which is kept
     * and named in the audit row.
     * A second response of the student to the instrument in the campaign is refused by the
     * database's unique key (409 naming the response).
     */
    async create(ctx: RequestContext, campaignId: string, body: z.infer<typeof ResponseCreate>) {
      const schoolId = ctx.actor.schoolId!
      const today = gw.today()
      return gw.tx(ctx, async (tx) => {
        const campaign = await openCampaign(gw, ctx, tx, campaignId)
        const student = await gw.read(tx, gw.decision(ctx, 'students'), body.studentId)
        const instrumentIds = (campaign.instrumentIds as string[] | undefined) ?? []
        if (!instrumentIds.includes(body.instrumentId)) throw new Validation('instrument_not_in_campaign')
        const level = (await repo.classLevels(tx, schoolId)).get(student.classId as string)
        if (level === undefined || !((campaign.gradeLevels as number[] | undefined) ?? []).includes(level)) throw new Validation('student_not_in_campaign')
        const screenedOn = body.screenedOn ?? today
        if (screenedOn < (campaign.startDate as string) || screenedOn > (campaign.endDate as string) || screenedOn > today) {
          throw new Validation('screened_on_out_of_window')
        }
        const loaded = (await repo.definitionsOf(tx, schoolId, [body.instrumentId])).get(body.instrumentId)
        if (!loaded) throw new Validation('instrument_unknown')
        const problems = answerProblems(loaded.definition, body.answers)
        if (problems.length) throw new AppError(400, 'answers_invalid', {}, { problems })
        const score = scoreAnswers(loaded.definition, body.answers)
        // 知情同意: without consent the answers are refused, unless the teacher says why they take them anyway.
        let overridden = false
        if (campaign.consentRequired !== false) {
          const block = consentBlock((await repo.consentStates(tx, schoolId, campaignId, [body.studentId])).get(body.studentId))
          if (block && !body.consentOverrideReason) {
            throw new Validation(block, { studentNo: typeof student.studentNo === 'string' ? student.studentNo : '' }, { fields: ['studentId'], consent: block }, 422)
          }
          overridden = block !== null
        }

        const row = await gw.create(tx, ctx, ctx.decision, {
          input: body,
          values: {
            schoolId, campaignId, screenedOn, source: 'api', enteredBy: ctx.actor.userId,
            totalScore: score.totalScore, band: score.band, suggestedRisk: score.suggestedRisk, safetyFlag: score.safetyFlag,
            // A reason sent where consent was given overrides nothing and is not kept.
            consentOverrideReason: overridden ? body.consentOverrideReason : null,
          },
          audit: { fieldGroups: gw.groupsOf(ctx.decision, [...sentKeys(body).filter((k) => overridden || k !== 'consentOverrideReason'), 'totalScore']) },
        })
        let crisisEventId: string | undefined
        if (score.safetyFlag) {
          const [crisis] = await gw.record(tx, ctx, 'crisis_events', newCrisis({
            schoolId, studentId: body.studentId, source: 'safety_rule', sourceRef: row.id as string,
            summary: safetySummary(loaded.definition, score.safetyItems), openedBy: ctx.actor.userId, ackMinutes: gw.config.CRISIS_ACK_MINUTES,
          }), { fieldGroups: RULE_CRISIS_GROUPS })
          crisisEventId = crisis!.id as string
        }
        return { ...presentResponse(row, await codesOf(tx, schoolId, [row])), ...(crisisEventId ? { crisisEventId } : {}) }
      })
    },

    async listOfCampaign(ctx: RequestContext, campaignId: string, q: z.infer<typeof ResponseListQuery>) {
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, gw.decision(ctx, 'screening_campaigns'), campaignId)
        const conds: SQL[] = [eq(screeningResponses.campaignId, campaignId)]
        const filterFields = ['campaignId']
        if (q.studentId) { conds.push(eq(screeningResponses.studentId, q.studentId)); filterFields.push('studentId') }
        if (q.instrumentId) { conds.push(eq(screeningResponses.instrumentId, q.instrumentId)); filterFields.push('instrumentId') }
        if (q.band) { conds.push(eq(screeningResponses.band, q.band)); filterFields.push('band') }
        if (q.safetyFlag) { conds.push(eq(screeningResponses.safetyFlag, q.safetyFlag === 'true')); filterFields.push('safetyFlag') }
        const r = await gw.list(tx, ctx.decision, {
          where: and(...conds), filterFields, sort: [{ field: 'screenedOn', dir: 'desc' }], limit: q.limit, offset: q.offset,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items })
        const codes = await codesOf(tx, ctx.actor.schoolId!, r.items)
        return { items: r.items.map((row) => presentResponse(row, codes)), total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async get(ctx: RequestContext, id: string) {
      return gw.tx(ctx, async (tx) => {
        const row = await gw.read(tx, ctx.decision, id)
        await gw.audit(tx, ctx, { action: 'R', rows: [row] })
        return presentResponse(row, await codesOf(tx, ctx.actor.schoolId!, [row]))
      })
    },

    /** 风险确认: the psychology teacher confirms the suggested level or changes it, with a reason. */
    async confirm(ctx: RequestContext, id: string, body: z.infer<typeof ResponseConfirm>) {
      return gw.tx(ctx, async (tx) => {
        const cur = await gw.read(tx, ctx.decision, id)
        if (body.confirmedRisk !== cur.suggestedRisk && !body.confirmReason) throw new Validation('risk_change_needs_reason')
        const row = await gw.update(tx, ctx, ctx.decision, id, {
          input: body,
          values: { confirmReason: body.confirmReason ?? null, confirmedBy: ctx.actor.userId, confirmedAt: new Date() },
          audit: { fieldGroups: ['confirmation'] },
        })
        return presentResponse(row, await codesOf(tx, ctx.actor.schoolId!, [row]))
      })
    },
  }
}

export type ResponseService = ReturnType<typeof createResponseService>
