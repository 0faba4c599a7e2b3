import { sql } from 'drizzle-orm'
import type { z } from 'zod'
import { talkRules } from '../../../db/schema/index.js'
import type { Decision } from '../../access/engine.js'
import type { Gateway } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { DEFAULT_RULES, DutyKinds } from './rules.js'
import type { RulesPut } from './schemas.js'

type RuleRow = Record<string, unknown> & { kind: string; isDefault: boolean }

/** 三个必谈 rules of the caller's school: the school's own, the default for each kind it has not set. */
export function createRulesService(gw: Gateway) {
  /** The rules in force, read through `d` (the caller's list decision). */
  async function current(tx: Tx, d: Decision): Promise<RuleRow[]> {
    const { items } = await gw.list(tx, d, { limit: DutyKinds.length, offset: 0 })
    const byKind = new Map(items.map((r) => [r.kind, r]))
    return DutyKinds.map((kind) => {
      const own = byKind.get(kind)
      return own ? { ...own, kind, isDefault: false } : { kind, ...DEFAULT_RULES[kind], isDefault: true }
    })
  }

  return {
    list(ctx: RequestContext) {
      return gw.tx(ctx, async (tx) => {
        const items = await current(tx, ctx.decision)
        await gw.audit(tx, ctx, { action: 'R', recordIds: items.map((r) => r.id).filter((id): id is string => typeof id === 'string') })
        return { items, total: items.length }
      })
    },

    /** Sets the given kinds (others keep what they had); the next generation run applies them. */
    async put(ctx: RequestContext, body: z.infer<typeof RulesPut>) {
      const kinds = body.rules.map((r) => r.kind)
      if (new Set(kinds).size !== kinds.length) throw new Validation('talk_rule_duplicate_kind', {}, { fields: ['kind'] })
      for (const r of body.rules) ctx.decision.assertWritable(Object.keys(r))
      for (const r of body.rules) {
        if (r.kind !== 'holiday_return' && r.withinSchoolDays != null) {
          throw new Validation('talk_rule_within_days_holiday_only', {}, { fields: ['withinSchoolDays'] })
        }
      }
      // The answer is what now applies, read like any read (the update decision reads the same groups).
      const readDecision = gw.policies.decide(ctx.actor, 'talk_rules', 'list') ?? ctx.decision
      return gw.tx(ctx, async (tx) => {
        const ids: string[] = []
        for (const r of body.rules) {
          // A kind the school has set is replaced, inside the caller's scope.
          const row = await gw.upsert(tx, ctx, ctx.decision, [talkRules.schoolId, talkRules.kind], {
            input: r,
            values: {
              schoolId: ctx.actor.schoolId!,
              withinSchoolDays: r.kind === 'holiday_return' ? (r.withinSchoolDays ?? DEFAULT_RULES.holiday_return.withinSchoolDays) : null,
              active: r.active ?? true,
            },
            onConflict: { target: sql`excluded.target`, withinSchoolDays: sql`excluded.within_school_days`, active: sql`excluded.active` },
            audit: false,
          })
          ids.push(row!.id as string)
        }
        await gw.audit(tx, ctx, { action: 'U', recordIds: ids, fieldGroups: ['rule'] })
        const items = await current(tx, readDecision)
        return { items, total: items.length }
      })
    },
  }
}

export type RulesService = ReturnType<typeof createRulesService>
