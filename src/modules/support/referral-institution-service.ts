import { and, eq } from 'drizzle-orm'
import type { z } from 'zod'
import { institutions } from '../../../db/schema/index.js'
import { audit, readMany } from '../../access/query.js'
import type { RequestContext } from '../../plugins/access.js'
import type { InstitutionCreate, InstitutionListQuery, InstitutionPatch } from './referral-institution-schemas.js'
import { groupsOf, inActorTx, mustRead, sentKeys, type SupportDeps } from './support-access.js'

/** The school's directory of receiving institutions: no personal data, so reads are not audited per row. */
export function createInstitutionService(deps: SupportDeps) {
  return {
    create(ctx: RequestContext, body: z.infer<typeof InstitutionCreate>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(deps, ctx, async (tx) => {
        const [ins] = await tx.insert(institutions).values({ ...body, schoolId: ctx.actor.schoolId! }).returning({ id: institutions.id })
        const row = await mustRead(tx, ctx.decision, ins!.id)
        await audit(tx, ctx, { action: 'C', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    list(ctx: RequestContext, q: z.infer<typeof InstitutionListQuery>) {
      return inActorTx(deps, ctx, async (tx) => {
        const r = await readMany(tx, ctx.decision, {
          where: q.kind ? eq(institutions.kind, q.kind) : undefined,
          filterFields: q.kind ? ['kind'] : [],
          sort: [{ field: 'name', dir: 'asc' }], limit: q.limit, offset: q.offset,
        })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    get(ctx: RequestContext, id: string) {
      return inActorTx(deps, ctx, async (tx) => mustRead(tx, ctx.decision, id))
    },

    update(ctx: RequestContext, id: string, body: z.infer<typeof InstitutionPatch>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(deps, ctx, async (tx) => {
        await mustRead(tx, ctx.decision, id)
        await tx.update(institutions).set(body).where(and(eq(institutions.schoolId, ctx.actor.schoolId!), eq(institutions.id, id)))
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'U', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },
  }
}

export type InstitutionService = ReturnType<typeof createInstitutionService>
