import { and, desc, eq, sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { auditLog, users } from '../../../db/schema/index.js'
import { withActorTx } from '../../access/transaction.js'
import { audit, readOne } from '../../access/query.js'
import { verifyAuditChain } from '../../audit/audit.js'
import { NotFound } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'

export function createAuditService(app: FastifyInstance) {
  const { db } = app.database
  return {
    async verify(ctx: RequestContext) {
      // The chain spans every school, so it is checked as the owner; the answer holds no rows.
      const result = await verifyAuditChain(db)
      await withActorTx(db, ctx.actor, (tx) => audit(tx, ctx, { action: 'R', recordIds: [], fieldGroups: ['chain'] }))
      return { ...result, checkedAt: new Date().toISOString() }
    },

    /** Who opened this student's records: actor, role, action and time; never what they saw. */
    async accessLog(ctx: RequestContext, studentId: string, limit: number, offset: number) {
      return withActorTx(db, ctx.actor, async (tx) => {
        // The student must be one the caller may read at all; otherwise it does not exist for them.
        const studentDecision = app.policies.decide(ctx.actor, 'students', 'read')
        if (!studentDecision || !(await readOne(tx, studentDecision, studentId))) throw new NotFound()
        const where = and(eq(auditLog.schoolId, ctx.actor.schoolId!), sql`${auditLog.studentIds} @> array[${studentId}]::uuid[]`)
        const rows = await tx.select({
          seq: auditLog.seq, ts: auditLog.ts, actorId: auditLog.actorId, actorName: users.displayName,
          actorRoles: auditLog.actorRoles, action: auditLog.action, resource: auditLog.resource,
          outcome: auditLog.outcome, purpose: auditLog.purpose, total: sql<number>`count(*) over()`,
        }).from(auditLog).leftJoin(users, eq(users.id, auditLog.actorId))
          .where(where).orderBy(desc(auditLog.seq)).limit(limit).offset(offset)
        await audit(tx, ctx, { action: 'R', recordIds: [studentId], studentIds: [studentId], fieldGroups: ['who', 'what'] })
        return {
          items: rows.map(({ total: _t, ts, ...r }) => ({ ...r, ts: ts.toISOString() })),
          total: rows.length ? Number(rows[0]!.total) : 0,
          limit,
          offset,
        }
      })
    },
  }
}
