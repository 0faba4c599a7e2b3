import { and, eq } from 'drizzle-orm'
import type { z } from 'zod'
import { guardians } from '../../../db/schema/index.js'
import { sentKeys, type Gateway } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import type { RequestContext } from '../../plugins/access.js'
import * as repo from './repository.js'
import type { GuardianCreate, GuardianPatch } from './schemas.js'

export function createGuardianService(gw: Gateway) {
  /**
   * A student has one primary guardian: setting one clears the flag on the others. Part of the
   * caller's create or update, whose own audit row names the change.
   */
  function clearPrimary(tx: Tx, ctx: RequestContext, studentId: string) {
    return gw.updateWhere(tx, ctx, gw.decision(ctx, 'guardians', 'update'),
      and(eq(guardians.studentId, studentId), eq(guardians.isPrimary, true))!, { values: { isPrimary: false }, audit: false })
  }

  return {
    async listOfStudent(ctx: RequestContext, studentId: string) {
      return gw.tx(ctx, async (tx) => {
        // The student answers 404 for a caller who cannot see them, even with no guardians on file.
        await gw.read(tx, gw.decision(ctx, 'students'), studentId)
        const r = await gw.list(tx, ctx.decision, {
          where: eq(guardians.studentId, studentId),
          filterFields: ['studentId'],
          sort: [{ field: 'isPrimary', dir: 'desc' }, { field: 'name', dir: 'asc' }],
          limit: 100,
          offset: 0,
        })
        await gw.audit(tx, ctx, { action: 'R', rows: r.items, studentIds: [studentId] })
        return { items: r.items, total: r.total }
      })
    },

    async create(ctx: RequestContext, studentId: string, body: z.infer<typeof GuardianCreate>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        await gw.read(tx, gw.decision(ctx, 'students'), studentId)
        const schoolId = ctx.actor.schoolId!
        const existing = await repo.guardiansOfStudents(tx, schoolId, [studentId])
        // The first guardian on file is the primary contact unless the caller says otherwise.
        const isPrimary = body.isPrimary ?? existing.length === 0
        if (isPrimary) await clearPrimary(tx, ctx, studentId)
        return gw.create(tx, ctx, ctx.decision, { input: body, values: { isPrimary, schoolId, studentId } })
      })
    },

    async update(ctx: RequestContext, id: string, body: z.infer<typeof GuardianPatch>) {
      ctx.decision.assertWritable(sentKeys(body))
      return gw.tx(ctx, async (tx) => {
        const before = await gw.read(tx, ctx.decision, id)
        if (body.isPrimary === true && typeof before.studentId === 'string') await clearPrimary(tx, ctx, before.studentId)
        return gw.update(tx, ctx, ctx.decision, id, { input: body })
      })
    },

    async remove(ctx: RequestContext, id: string) {
      await gw.tx(ctx, (tx) => gw.remove(tx, ctx, ctx.decision, id))
    },
  }
}

export type GuardianService = ReturnType<typeof createGuardianService>
