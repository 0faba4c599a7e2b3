import type { Gateway } from '../../access/gateway.js'
import type { Tx } from '../../db/database.js'
import { Conflict, NotFound } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { lockClass } from './repository.js'

/**
 * A class a pupil or a class-bound role may be put into: one the actor may read (else 404)
 * and not graduated (升年级 sets ended_at; the class stays for its records only). The row
 * stays share-locked to commit, so the rollover cannot end it and DELETE /classes/:id cannot
 * remove it between this check and the insert.
 */
export async function assignableClass(gw: Gateway, ctx: RequestContext, tx: Tx, classId: string): Promise<void> {
  await gw.read(tx, gw.decision(ctx, 'classes'), classId)
  const cls = await lockClass(tx, ctx.actor.schoolId!, classId, 'share')
  if (!cls) throw new NotFound()
  if (cls.endedAt) throw new Conflict('class_ended', { name: cls.name })
}
