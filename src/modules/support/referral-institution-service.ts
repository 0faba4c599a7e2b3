import { eq } from 'drizzle-orm'
import type { z } from 'zod'
import { institutions } from '../../../db/schema/index.js'
import { sentKeys, type Gateway } from '../../access/gateway.js'
import type { RequestContext } from '../../plugins/access.js'
import type { InstitutionCreate, InstitutionListQuery, InstitutionPatch } from './referral-institution-schemas.js'

/** The school's directory of receiving institutions: no personal data, so reads are not audited per row. */
export function createInstitutionService(gw: Gateway) {
  return {
    create(ctx: RequestContext, body: z.infer<typeof InstitutionCreate>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, (tx) => gw.create(tx, ctx, ctx.decision, { input: body, values: { schoolId: ctx.actor.schoolId! } }))
    },

    list(ctx: RequestContext, q: z.infer<typeof InstitutionListQuery>) {
      return gw.tx(ctx, async (tx) => {
        const r = await gw.list(tx, ctx.decision, {
          where: q.kind ? eq(institutions.kind, q.kind) : undefined,
          filterFields: q.kind ? ['kind'] : [],
          sort: [{ field: 'name', dir: 'asc' }], limit: q.limit, offset: q.offset,
        })
        return { items: r.items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    get(ctx: RequestContext, id: string) {
      return gw.tx(ctx, (tx) => gw.read(tx, ctx.decision, id))
    },

    update(ctx: RequestContext, id: string, body: z.infer<typeof InstitutionPatch>) {
      ctx.decision.assertWritable(sentKeys(body))
      // The scope is in the statement: an institution out of scope changes nothing and answers 404.
      return gw.tx(ctx, (tx) => gw.update(tx, ctx, ctx.decision, id, { input: body }))
    },
  }
}

export type InstitutionService = ReturnType<typeof createInstitutionService>
