import { eq } from 'drizzle-orm'
import type { z } from 'zod'
import { guardians } from '../../../db/schema/index.js'
import { audit, readMany } from '../../access/query.js'
import type { RequestContext } from '../../plugins/access.js'
import * as repo from './repository.js'
import { decisionOn, groupsOf, inActorTx, mustRead, sentKeys, type RosterDeps } from './record-access.js'
import type { GuardianCreate, GuardianPatch } from './schemas.js'

export function createGuardianService(deps: RosterDeps) {
  return {
    async listOfStudent(ctx: RequestContext, studentId: string) {
      return inActorTx(deps, ctx, async (tx) => {
        // The student answers 404 for a caller who cannot see them, even with no guardians on file.
        await mustRead(tx, decisionOn(deps, ctx, 'students'), studentId)
        const r = await readMany(tx, ctx.decision, {
          where: eq(guardians.studentId, studentId),
          filterFields: ['studentId'],
          sort: [{ field: 'isPrimary', dir: 'desc' }, { field: 'name', dir: 'asc' }],
          limit: 100,
          offset: 0,
        })
        await audit(tx, ctx, { action: 'R', rows: r.items, studentIds: [studentId] })
        return { items: r.items, total: r.total }
      })
    },

    async create(ctx: RequestContext, studentId: string, body: z.infer<typeof GuardianCreate>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(deps, ctx, async (tx) => {
        await mustRead(tx, decisionOn(deps, ctx, 'students'), studentId)
        const schoolId = ctx.actor.schoolId!
        const existing = await repo.guardiansOfStudents(tx, schoolId, [studentId])
        // The first guardian on file is the primary contact unless the caller says otherwise.
        const isPrimary = body.isPrimary ?? existing.length === 0
        if (isPrimary) await repo.clearPrimaryGuardian(tx, schoolId, studentId)
        const id = await repo.insertGuardian(tx, { ...body, isPrimary, schoolId, studentId })
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'C', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    async update(ctx: RequestContext, id: string, body: z.infer<typeof GuardianPatch>) {
      const keys = sentKeys(body)
      ctx.decision.assertWritable(keys)
      return inActorTx(deps, ctx, async (tx) => {
        const before = await mustRead(tx, ctx.decision, id)
        const schoolId = ctx.actor.schoolId!
        if (body.isPrimary === true && typeof before.studentId === 'string') await repo.clearPrimaryGuardian(tx, schoolId, before.studentId)
        await repo.updateGuardian(tx, schoolId, id, body)
        const row = await mustRead(tx, ctx.decision, id)
        await audit(tx, ctx, { action: 'U', rows: [row], fieldGroups: groupsOf(ctx.decision, keys) })
        return row
      })
    },

    async remove(ctx: RequestContext, id: string) {
      return inActorTx(deps, ctx, async (tx) => {
        const row = await mustRead(tx, ctx.decision, id)
        await repo.deleteGuardian(tx, ctx.actor.schoolId!, id)
        await audit(tx, ctx, { action: 'D', rows: [row], fieldGroups: [] })
      })
    },
  }
}

export type GuardianService = ReturnType<typeof createGuardianService>
