import { randomUUID } from 'node:crypto'
import type { z } from 'zod'
import { audit, readMany } from '../../access/query.js'
import { flushAudits } from '../../access/transaction.js'
import type { Tx } from '../../db/database.js'
import { AppError, Validation } from '../../lib/errors.js'
import type { RequestContext } from '../../plugins/access.js'
import { dayIn } from '../district/school-year.js'
import * as repo from './rollover-repository.js'
import { defaultSchoolYear, planRollover, type Plan, type RolloverChanges } from './rollover-plan.js'
import type { RolloverRequest } from './rollover-schemas.js'
import { inActorTx, mustRead, type RosterDeps } from './record-access.js'
import { gradeName } from './grade-names.js'

const TIME_ZONE = 'Asia/Shanghai'

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

function yearOf(body: z.infer<typeof RolloverRequest>): string {
  return body.schoolYear ?? defaultSchoolYear(dayIn(TIME_ZONE))
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
 */
export function createRolloverService(deps: RosterDeps) {
  async function refuseSecond(tx: Tx, schoolId: string, schoolYear: string) {
    if (await repo.activeRollover(tx, schoolId, schoolYear)) throw new AppError(409, 'rollover_done', { year: schoolYear }, { fields: ['schoolYear'] })
  }

  return {
    async preview(ctx: RequestContext, body: z.infer<typeof RolloverRequest>) {
      const schoolId = ctx.actor.schoolId!
      const schoolYear = yearOf(body)
      return inActorTx(deps, ctx, async (tx) => {
        await refuseSecond(tx, schoolId, schoolYear)
        const counts = countsOf(body)
        const plan = planRollover(await repo.snapshot(tx, schoolId), counts)
        checkCounts(plan, counts)
        // The preview names the staff whose grants would end: a read of their accounts.
        await audit(tx, ctx, { action: 'R', resource: 'user_roles', recordIds: plan.grantsEnding.map((g) => g.id), fieldGroups: ['grant'] })
        return present(schoolYear, plan)
      })
    },

    async apply(ctx: RequestContext, body: z.infer<typeof RolloverRequest>) {
      const schoolId = ctx.actor.schoolId!
      const schoolYear = yearOf(body)
      const today = dayIn(TIME_ZONE)
      return inActorTx(deps, ctx, async (tx) => {
        await repo.lockSchool(tx, schoolId)
        await refuseSecond(tx, schoolId, schoolYear)
        const snap = await repo.snapshot(tx, schoolId)
        const counts = countsOf(body)
        const plan = planRollover(snap, counts)
        checkCounts(plan, counts)
        if (plan.moves.length + plan.graduations.length + plan.entryClasses.length === 0) throw new AppError(409, 'rollover_nothing')
        const now = new Date()

        const createdGrades = await repo.insertGrades(tx, plan.newGrades.map((g) => ({ schoolId, level: g.level, name: g.name })))
        const gradeIdOf = new Map([...snap.grades, ...createdGrades].map((g) => [g.level, g.id]))
        const classById = new Map(snap.classes.map((c) => [c.id, c]))

        // Graduating classes leave their grade's numbering first, then each grade moves up
        // from the top down, so no two current classes ever share a grade and number.
        const graduatingIds = plan.graduations.map((g) => g.classId)
        const pupils = await repo.enrolledIn(tx, schoolId, graduatingIds)
        await repo.setClassesEnded(tx, schoolId, graduatingIds, now)
        await repo.graduate(tx, schoolId, pupils.map((p) => p.id), today)
        const moved: RolloverChanges['moved'] = []
        for (const m of plan.moves) {
          const toGradeId = gradeIdOf.get(m.toLevel)!
          await repo.moveClass(tx, schoolId, m.classId, toGradeId, m.toName)
          moved.push({ id: m.classId, fromGradeId: classById.get(m.classId)!.gradeId, toGradeId, fromName: m.fromName, toName: m.toName, fromLevel: m.fromLevel })
        }
        const created = await repo.insertClasses(tx, plan.entryClasses.map((e) => ({ schoolId, gradeId: gradeIdOf.get(e.level)!, seq: e.seq, name: e.name })))

        const grantIds = plan.grantsEnding.map((g) => g.id)
        const grants = await repo.grantsById(tx, schoolId, grantIds)
        await repo.deleteGrants(tx, schoolId, grantIds)

        const id = randomUUID()
        const changes: RolloverChanges = {
          moved,
          ended: plan.graduations.map((g) => ({ id: g.classId, level: g.level })),
          graduated: pupils.map((p) => ({ id: p.id, leftAt: p.leftAt })),
          createdClasses: created.map((c) => c.id),
          createdGrades: createdGrades.map((g) => g.id),
          endedGrants: grants.map((g) => ({ id: g.id, userId: g.userId, role: g.role, classId: g.classId!, createdAt: g.createdAt.toISOString() })),
          summary: {
            moved: moved.length, graduatedClasses: graduatingIds.length, graduatedStudents: pupils.length,
            entryClasses: created.length, grantsEnded: grants.length,
          },
        }
        // One audit row per kind of record changed (ids only), the rollover's own last: its
        // sequence number is where "the new year has records" starts counting.
        if (createdGrades.length) await audit(tx, ctx, { action: 'C', resource: 'grades', recordIds: changes.createdGrades, fieldGroups: ['info'] })
        await audit(tx, ctx, { action: 'U', resource: 'classes', recordIds: [...moved.map((m) => m.id), ...graduatingIds], fieldGroups: ['info', 'meta'] })
        if (created.length) await audit(tx, ctx, { action: 'C', resource: 'classes', recordIds: changes.createdClasses, fieldGroups: ['info'] })
        if (pupils.length) await audit(tx, ctx, { action: 'U', resource: 'students', recordIds: pupils.map((p) => p.id), studentIds: pupils.map((p) => p.id), fieldGroups: ['identity', 'personal'] })
        if (grants.length) await audit(tx, ctx, { action: 'D', resource: 'user_roles', recordIds: grantIds, fieldGroups: [] })
        await audit(tx, ctx, { action: 'C', recordIds: [id], fieldGroups: ['year', 'info', 'changes'] })
        const auditSeq = await flushAudits(tx)
        await repo.insertRollover(tx, { schoolId, id, schoolYear, appliedAt: now, appliedBy: ctx.actor.userId, auditSeq, changes })
        return { id, ...present(schoolYear, plan) }
      })
    },

    async list(ctx: RequestContext, q: { limit: number; offset: number }) {
      return inActorTx(deps, ctx, async (tx) => {
        const r = await readMany(tx, ctx.decision, { sort: [{ field: 'appliedAt', dir: 'desc' }], limit: q.limit, offset: q.offset })
        const latest = await repo.latestActive(tx, ctx.actor.schoolId!)
        const items = []
        for (const row of r.items) items.push({ ...itemOf(row), undo: await undoState(tx, ctx.actor.schoolId!, row, latest?.id) })
        return { items, total: r.total, limit: q.limit, offset: q.offset }
      })
    },

    async undo(ctx: RequestContext, id: string) {
      const schoolId = ctx.actor.schoolId!
      return inActorTx(deps, ctx, async (tx) => {
        await repo.lockSchool(tx, schoolId)
        const row = await mustRead(tx, ctx.decision, id)
        const state = await undoState(tx, schoolId, row, (await repo.latestActive(tx, schoolId))?.id)
        if (!state.allowed) throw new AppError(409, state.reason!, state.params ?? {})
        const c = row.changes as RolloverChanges
        // Reverse order of the apply: the new classes go, each grade moves back down from the
        // bottom up, then the graduated classes take their numbers back.
        // A pupil put into a new class without an audited write would make the delete fail anyway.
        if (await repo.studentsIn(tx, schoolId, c.createdClasses) > 0) throw new AppError(409, 'in_use')
        await repo.deleteClasses(tx, schoolId, c.createdClasses)
        for (const m of [...c.moved].sort((a, b) => a.fromLevel - b.fromLevel)) await repo.moveClass(tx, schoolId, m.id, m.fromGradeId, m.fromName)
        await repo.setClassesEnded(tx, schoolId, c.ended.map((e) => e.id), null)
        await repo.ungraduate(tx, schoolId, c.graduated)
        await repo.restoreGrants(tx, schoolId, c.endedGrants)
        await repo.deleteGrades(tx, schoolId, c.createdGrades)
        await repo.markUndone(tx, schoolId, id, ctx.actor.userId)

        if (c.createdClasses.length) await audit(tx, ctx, { action: 'D', resource: 'classes', recordIds: c.createdClasses, fieldGroups: [] })
        await audit(tx, ctx, { action: 'U', resource: 'classes', recordIds: [...c.moved.map((m) => m.id), ...c.ended.map((e) => e.id)], fieldGroups: ['info', 'meta'] })
        if (c.graduated.length) await audit(tx, ctx, { action: 'U', resource: 'students', recordIds: c.graduated.map((g) => g.id), studentIds: c.graduated.map((g) => g.id), fieldGroups: ['identity', 'personal'] })
        if (c.endedGrants.length) await audit(tx, ctx, { action: 'C', resource: 'user_roles', recordIds: c.endedGrants.map((g) => g.id), fieldGroups: ['grant'] })
        if (c.createdGrades.length) await audit(tx, ctx, { action: 'D', resource: 'grades', recordIds: c.createdGrades, fieldGroups: [] })
        await audit(tx, ctx, { action: 'U', recordIds: [id], fieldGroups: ['info'] })
        return { ...itemOf(await mustRead(tx, ctx.decision, id)), undo: { allowed: false, reason: 'rollover_undone' } }
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

async function undoState(tx: Tx, schoolId: string, row: Record<string, unknown>, latestId: string | undefined): Promise<UndoState> {
  if (row.undoneAt) return { allowed: false, reason: 'rollover_undone' }
  if (row.id !== latestId) return { allowed: false, reason: 'rollover_not_latest' }
  const first = await repo.firstWriteAfter(tx, schoolId, Number(row.auditSeq))
  if (first) return { allowed: false, reason: 'rollover_locked', params: { date: dayIn(TIME_ZONE, first.ts) } }
  return { allowed: true }
}

export type RolloverService = ReturnType<typeof createRolloverService>
