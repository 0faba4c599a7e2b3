import { randomUUID } from 'node:crypto'
import { inArray } from 'drizzle-orm'
import type { z } from 'zod'
import { classes, grades, students, userRoles } from '../../../db/schema/index.js'
import type { Gateway } from '../../access/gateway.js'
import { flushAudits } from '../../access/transaction.js'
import type { Tx } from '../../db/database.js'
import { AppError, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import * as repo from './rollover-repository.js'
import { defaultSchoolYear, planRollover, type Plan, type RolloverChanges } from './rollover-plan.js'
import type { RolloverRequest } from './rollover-schemas.js'
import { gradeName } from './grade-names.js'

/** The preview's answer and the apply's: the same plan, in words the screen can show. */
function present(schoolYear: string, plan: Plan) {
  return {
    schoolYear,
    stages: plan.stages,
    // Bottom grade first, as people read a school (the apply moves them top-down).
    moves: plan.moves.slice().sort((a, b) => a.fromLevel - b.fromLevel),
    graduations: plan.graduations,
    graduatingStudents: plan.graduations.reduce((n, g) => n + g.students, 0),
    entryClasses: plan.entryClasses,
    entryDefaults: plan.entryDefaults,
    newGrades: plan.newGrades,
    grantsEnding: plan.grantsEnding,
  }
}


function countsOf(body: z.infer<typeof RolloverRequest>): Map<number, number> {
  return new Map((body.entryClasses ?? []).map((e) => [e.level, e.count]))
}

/** A count for a grade that takes no new classes would be silently ignored: name it instead. */
function checkCounts(plan: Plan, counts: Map<number, number>): void {
  for (const level of counts.keys()) {
    if (!plan.stages.some((s) => s.entry === level)) {
      throw new Validation('rollover_not_entry_grade', { grade: gradeName(level), grades: plan.stages.map((s) => gradeName(s.entry)).join('、') }, { fields: ['entryClasses'] })
    }
  }
}

/**
 * 升年级. Preview and apply compute one plan from the same snapshot; the apply
 * writes it in one transaction with its audit rows and keeps what it changed on the rollover's
 * row, from which the undo restores exactly — while the new year has no records yet.
 * Every batch is one statement through the gateway (the school's scope in it); the audit rows
 * are written by the service, one per kind of record changed, so their order says what the
 * rollover did and the rollover's own row comes last.
 */
export function createRolloverService(gw: Gateway) {
  const yearOf = (body: z.infer<typeof RolloverRequest>): string => body.schoolYear ?? defaultSchoolYear(gw.today())

  /** Classes moved to another grade (and renamed with it), one statement each. */
  async function moveClass(tx: Tx, ctx: RequestContext, id: string, gradeId: string, name: string) {
    await gw.update(tx, ctx, gw.decision(ctx, 'classes', 'update'), id, { values: { gradeId, name }, audit: false })
  }

  async function setClassesEnded(tx: Tx, ctx: RequestContext, ids: string[], endedAt: Date | null) {
    if (ids.length) await gw.updateWhere(tx, ctx, gw.decision(ctx, 'classes', 'update'), inArray(classes.id, ids), { values: { endedAt }, audit: false })
  }

  async function setStudents(tx: Tx, ctx: RequestContext, ids: string[], status: 'graduated' | 'enrolled', leftAt: string | null) {
    if (ids.length) {
      await gw.updateWhere(tx, ctx, gw.decision(ctx, 'students', 'update'), inArray(students.id, ids), {
        values: { status, leftAt, updatedAt: new Date() }, audit: false,
      })
    }
  }

  async function removeAll(tx: Tx, ctx: RequestContext, resource: 'classes' | 'grades' | 'user_roles', ids: string[]) {
    if (ids.length === 0) return []
    const column = { classes: classes.id, grades: grades.id, user_roles: userRoles.id }[resource]
    return gw.removeWhere(tx, ctx, gw.decision(ctx, resource, 'delete'), inArray(column, ids), { audit: false })
  }

  async function refuseSecond(tx: Tx, schoolId: string, schoolYear: string) {
    if (await repo.activeRollover(tx, schoolId, schoolYear)) throw new AppError(409, 'rollover_done', { year: schoolYear }, { fields: ['schoolYear'] })
  }

  return {
    async preview(ctx: RequestContext, body: z.infer<typeof RolloverRequest>) {
      const schoolId = ctx.actor.schoolId!
      const schoolYear = yearOf(body)
      return gw.tx(ctx, async (tx) => {
        await refuseSecond(tx, schoolId, schoolYear)
        const counts = countsOf(body)
        const plan = planRollover(await repo.snapshot(tx, schoolId), counts)
        checkCounts(plan, counts)
        // The preview names the staff whose grants would end: a read of their accounts.
        await gw.audit(tx, ctx, { action: 'R', resource: 'user_roles', recordIds: plan.grantsEnding.map((g) => g.id), fieldGroups: ['grant'] })
        return present(schoolYear, plan)
      })
    },

    async apply(ctx: RequestContext, body: z.infer<typeof RolloverRequest>) {
      const schoolId = ctx.actor.schoolId!
      const schoolYear = yearOf(body)
      const today = gw.today()
      return gw.tx(ctx, async (tx) => {
        await repo.lockSchool(tx, schoolId)
        await refuseSecond(tx, schoolId, schoolYear)
        const snap = await repo.snapshot(tx, schoolId)
        const counts = countsOf(body)
        const plan = planRollover(snap, counts)
        checkCounts(plan, counts)
        if (plan.moves.length + plan.graduations.length + plan.entryClasses.length === 0) throw new AppError(409, 'rollover_nothing')
        const now = new Date()

        const createdGrades = plan.newGrades.length === 0 ? [] : (await gw.createMany(tx, ctx, gw.decision(ctx, 'grades', 'create'),
          plan.newGrades.map((g) => ({ input: { level: g.level, name: g.name }, values: { schoolId } })), false))
          .map((g) => ({ id: g.id as string, level: g.level as number }))
        const gradeIdOf = new Map([...snap.grades, ...createdGrades].map((g) => [g.level, g.id]))
        const classById = new Map(snap.classes.map((c) => [c.id, c]))

        // Graduating classes leave their grade's numbering first, then each grade moves up
        // from the top down, so no two current classes ever share a grade and number.
        const graduatingIds = plan.graduations.map((g) => g.classId)
        const pupils = await repo.enrolledIn(tx, schoolId, graduatingIds)
        await setClassesEnded(tx, ctx, graduatingIds, now)
        await setStudents(tx, ctx, pupils.map((p) => p.id), 'graduated', today)
        const moved: RolloverChanges['moved'] = []
        for (const m of plan.moves) {
          const toGradeId = gradeIdOf.get(m.toLevel)!
          await moveClass(tx, ctx, m.classId, toGradeId, m.toName)
          moved.push({ id: m.classId, fromGradeId: classById.get(m.classId)!.gradeId, toGradeId, fromName: m.fromName, toName: m.toName, fromLevel: m.fromLevel })
        }
        const created = plan.entryClasses.length === 0 ? [] : await gw.createMany(tx, ctx, gw.decision(ctx, 'classes', 'create'),
          plan.entryClasses.map((e) => ({ input: { gradeId: gradeIdOf.get(e.level)!, seq: e.seq, name: e.name }, values: { schoolId } })), false)

        // The deleted grants come back as they were, which the undo puts back exactly.
        const grantIds = plan.grantsEnding.map((g) => g.id)
        const grants = await removeAll(tx, ctx, 'user_roles', grantIds)

        const id = randomUUID()
        const changes: RolloverChanges = {
          moved,
          ended: plan.graduations.map((g) => ({ id: g.classId, level: g.level })),
          graduated: pupils.map((p) => ({ id: p.id, leftAt: p.leftAt })),
          createdClasses: created.map((c) => c.id as string),
          createdGrades: createdGrades.map((g) => g.id),
          endedGrants: grants.map((g) => ({
            id: g.id as string, userId: g.userId as string, role: g.role as string, classId: g.classId as string, createdAt: (g.createdAt as Date).toISOString(),
          })),
          summary: {
            moved: moved.length, graduatedClasses: graduatingIds.length, graduatedStudents: pupils.length,
            entryClasses: created.length, grantsEnded: grants.length,
          },
        }
        // One audit row per kind of record changed (ids only), the rollover's own last: its
        // sequence number is where "the new year has records" starts counting.
        if (createdGrades.length) await gw.audit(tx, ctx, { action: 'C', resource: 'grades', recordIds: changes.createdGrades, fieldGroups: ['info'] })
        await gw.audit(tx, ctx, { action: 'U', resource: 'classes', recordIds: [...moved.map((m) => m.id), ...graduatingIds], fieldGroups: ['info', 'meta'] })
        if (created.length) await gw.audit(tx, ctx, { action: 'C', resource: 'classes', recordIds: changes.createdClasses, fieldGroups: ['info'] })
        if (pupils.length) await gw.audit(tx, ctx, { action: 'U', resource: 'students', recordIds: pupils.map((p) => p.id), studentIds: pupils.map((p) => p.id), fieldGroups: ['identity', 'personal'] })
        if (grants.length) await gw.audit(tx, ctx, { action: 'D', resource: 'user_roles', recordIds: grantIds, fieldGroups: [] })
        await gw.audit(tx, ctx, { action: 'C', recordIds: [id], fieldGroups: ['year', 'info', 'changes'] })
        const auditSeq = await flushAudits(tx)
        await gw.create(tx, ctx, ctx.decision, {
          input: { schoolYear }, values: { schoolId, id, appliedAt: now, appliedBy: ctx.actor.userId, auditSeq, changes }, audit: false,
        })
        return { id, ...present(schoolYear, plan) }
      })
    },

    async list(ctx: RequestContext, q: { limit: number; offset: number }) {
      return gw.tx(ctx, async (tx) => {
        const r = await gw.list(tx, ctx.decision, { sort: [{ field: 'appliedAt', dir: 'desc' }], limit: q.limit, offset: q.offset })
        const latest = await repo.latestActive(tx, ctx.actor.schoolId!)
        const items = []
        for (const row of r.items) items.push({ ...itemOf(row), undo: await undoState(gw, tx, ctx.actor.schoolId!, row, latest?.id) })
        return { items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async undo(ctx: RequestContext, id: string) {
      const schoolId = ctx.actor.schoolId!
      return gw.tx(ctx, async (tx) => {
        await repo.lockSchool(tx, schoolId)
        const row = await gw.read(tx, ctx.decision, id)
        const state = await undoState(gw, tx, schoolId, row, (await repo.latestActive(tx, schoolId))?.id)
        if (!state.allowed) throw new AppError(409, state.reason!, state.params ?? {})
        const c = row.changes as RolloverChanges
        // Reverse order of the apply: the new classes go, each grade moves back down from the
        // bottom up, then the graduated classes take their numbers back.
        // A pupil put into a new class without an audited write would make the delete fail anyway.
        if (await repo.studentsIn(tx, schoolId, c.createdClasses) > 0) throw new AppError(409, 'in_use')
        await removeAll(tx, ctx, 'classes', c.createdClasses)
        for (const m of [...c.moved].sort((a, b) => a.fromLevel - b.fromLevel)) await moveClass(tx, ctx, m.id, m.fromGradeId, m.fromName)
        await setClassesEnded(tx, ctx, c.ended.map((e) => e.id), null)
        // Grouped by the date they had before (almost always none), one statement per date.
        const byDate = new Map<string | null, string[]>()
        for (const g of c.graduated) byDate.set(g.leftAt, [...(byDate.get(g.leftAt) ?? []), g.id])
        for (const [leftAt, ids] of byDate) await setStudents(tx, ctx, ids, 'enrolled', leftAt)
        if (c.endedGrants.length) {
          await gw.createMany(tx, ctx, gw.decision(ctx, 'user_roles', 'create'), c.endedGrants.map((g) => ({
            input: { role: g.role, classId: g.classId }, values: { id: g.id, userId: g.userId, schoolId, createdAt: new Date(g.createdAt) },
          })), false)
        }
        await removeAll(tx, ctx, 'grades', c.createdGrades)
        const undone = await gw.update(tx, ctx, ctx.decision, id, { values: { undoneAt: new Date(), undoneBy: ctx.actor.userId }, audit: false })

        if (c.createdClasses.length) await gw.audit(tx, ctx, { action: 'D', resource: 'classes', recordIds: c.createdClasses, fieldGroups: [] })
        await gw.audit(tx, ctx, { action: 'U', resource: 'classes', recordIds: [...c.moved.map((m) => m.id), ...c.ended.map((e) => e.id)], fieldGroups: ['info', 'meta'] })
        if (c.graduated.length) await gw.audit(tx, ctx, { action: 'U', resource: 'students', recordIds: c.graduated.map((g) => g.id), studentIds: c.graduated.map((g) => g.id), fieldGroups: ['identity', 'personal'] })
        if (c.endedGrants.length) await gw.audit(tx, ctx, { action: 'C', resource: 'user_roles', recordIds: c.endedGrants.map((g) => g.id), fieldGroups: ['grant'] })
        if (c.createdGrades.length) await gw.audit(tx, ctx, { action: 'D', resource: 'grades', recordIds: c.createdGrades, fieldGroups: [] })
        await gw.audit(tx, ctx, { action: 'U', recordIds: [id], fieldGroups: ['info'] })
        return { ...itemOf(undone), undo: { allowed: false, reason: 'rollover_undone' } }
      })
    },
  }
}

function itemOf(row: Record<string, unknown>) {
  const c = row.changes as RolloverChanges | undefined
  return {
    id: row.id as string,
    schoolYear: row.schoolYear as string,
    appliedAt: row.appliedAt as Date,
    undoneAt: (row.undoneAt as Date | null) ?? null,
    summary: c?.summary ?? { moved: 0, graduatedClasses: 0, graduatedStudents: 0, entryClasses: 0, grantsEnded: 0 },
  }
}

interface UndoState { allowed: boolean; reason?: string; params?: Record<string, string> }

async function undoState(gw: Gateway, tx: Tx, schoolId: string, row: Record<string, unknown>, latestId: string | undefined): Promise<UndoState> {
  if (row.undoneAt) return { allowed: false, reason: 'rollover_undone' }
  if (row.id !== latestId) return { allowed: false, reason: 'rollover_not_latest' }
  const first = await repo.firstWriteAfter(tx, schoolId, Number(row.auditSeq))
  if (first) return { allowed: false, reason: 'rollover_locked', params: { date: gw.today(first.ts) } }
  return { allowed: true }
}

export type RolloverService = ReturnType<typeof createRolloverService>
