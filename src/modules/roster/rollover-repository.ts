import { and, asc, count, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm'
import {
  auditLog, classes, grades, schoolYearRollovers, schools, students, userRoles, users,
} from '../../../db/schema/index.js'
import type { Executor } from '../../db/database.js'
import { ClassBoundRoles } from './schemas.js'
import type { RolloverChanges, Snapshot } from './rollover-plan.js'

/** Drizzle queries of the rollover, nothing else; every statement names the school. */

export async function snapshot(ex: Executor, schoolId: string): Promise<Snapshot> {
  const [school] = await ex.select({ stage: schools.stage }).from(schools).where(eq(schools.id, schoolId))
  const gradeRows = await ex.select({ id: grades.id, level: grades.level, name: grades.name }).from(grades).where(eq(grades.schoolId, schoolId))
  const classRows = await ex.select({ id: classes.id, gradeId: classes.gradeId, seq: classes.seq, name: classes.name })
    .from(classes).where(and(eq(classes.schoolId, schoolId), isNull(classes.endedAt)))
  const counts = await ex.select({ classId: students.classId, n: count() }).from(students)
    .where(and(eq(students.schoolId, schoolId), eq(students.status, 'enrolled'))).groupBy(students.classId)
  const grants = classRows.length === 0 ? [] : await ex
    .select({ id: userRoles.id, userId: userRoles.userId, role: userRoles.role, classId: userRoles.classId, displayName: users.displayName })
    .from(userRoles).innerJoin(users, eq(users.id, userRoles.userId))
    .where(and(eq(userRoles.schoolId, schoolId), inArray(userRoles.role, [...ClassBoundRoles]), inArray(userRoles.classId, classRows.map((c) => c.id))))
  return {
    stage: school?.stage ?? 'complete',
    grades: gradeRows,
    classes: classRows,
    enrolled: new Map(counts.map((c) => [c.classId, Number(c.n)])),
    grants: grants.map((g) => ({ ...g, classId: g.classId! })),
  }
}

export function insertGrades(ex: Executor, rows: Array<typeof grades.$inferInsert>) {
  return rows.length ? ex.insert(grades).values(rows).returning({ id: grades.id, level: grades.level }) : Promise.resolve([])
}

export function insertClasses(ex: Executor, rows: Array<typeof classes.$inferInsert>) {
  return rows.length ? ex.insert(classes).values(rows).returning({ id: classes.id }) : Promise.resolve([])
}

export function moveClass(ex: Executor, schoolId: string, id: string, gradeId: string, name: string) {
  return ex.update(classes).set({ gradeId, name }).where(and(eq(classes.schoolId, schoolId), eq(classes.id, id)))
}

export function setClassesEnded(ex: Executor, schoolId: string, ids: string[], endedAt: Date | null) {
  return ids.length ? ex.update(classes).set({ endedAt }).where(and(eq(classes.schoolId, schoolId), inArray(classes.id, ids))) : Promise.resolve()
}

/** Pupils still enrolled in the graduating classes, with what the undo must put back. */
export function enrolledIn(ex: Executor, schoolId: string, classIds: string[]) {
  return classIds.length
    ? ex.select({ id: students.id, leftAt: students.leftAt }).from(students)
      .where(and(eq(students.schoolId, schoolId), eq(students.status, 'enrolled'), inArray(students.classId, classIds)))
    : Promise.resolve([])
}

export function graduate(ex: Executor, schoolId: string, ids: string[], on: string) {
  return ids.length
    ? ex.update(students).set({ status: 'graduated', leftAt: on, updatedAt: new Date() })
      .where(and(eq(students.schoolId, schoolId), inArray(students.id, ids)))
    : Promise.resolve()
}

export async function ungraduate(ex: Executor, schoolId: string, rows: RolloverChanges['graduated']) {
  // Grouped by the date they had before (almost always none), one statement per date.
  const byDate = new Map<string | null, string[]>()
  for (const r of rows) byDate.set(r.leftAt, [...(byDate.get(r.leftAt) ?? []), r.id])
  for (const [leftAt, ids] of byDate) {
    await ex.update(students).set({ status: 'enrolled', leftAt, updatedAt: new Date() })
      .where(and(eq(students.schoolId, schoolId), inArray(students.id, ids)))
  }
}

export function grantsById(ex: Executor, schoolId: string, ids: string[]) {
  return ids.length
    ? ex.select().from(userRoles).where(and(eq(userRoles.schoolId, schoolId), inArray(userRoles.id, ids)))
    : Promise.resolve([])
}

export function deleteGrants(ex: Executor, schoolId: string, ids: string[]) {
  return ids.length ? ex.delete(userRoles).where(and(eq(userRoles.schoolId, schoolId), inArray(userRoles.id, ids))) : Promise.resolve()
}

export function restoreGrants(ex: Executor, schoolId: string, rows: RolloverChanges['endedGrants']) {
  return rows.length
    ? ex.insert(userRoles).values(rows.map((g) => ({ ...g, schoolId, createdAt: new Date(g.createdAt) })))
    : Promise.resolve()
}

export function deleteClasses(ex: Executor, schoolId: string, ids: string[]) {
  return ids.length ? ex.delete(classes).where(and(eq(classes.schoolId, schoolId), inArray(classes.id, ids))) : Promise.resolve()
}

export function deleteGrades(ex: Executor, schoolId: string, ids: string[]) {
  return ids.length ? ex.delete(grades).where(and(eq(grades.schoolId, schoolId), inArray(grades.id, ids))) : Promise.resolve()
}

export function studentsIn(ex: Executor, schoolId: string, classIds: string[]) {
  return classIds.length
    ? ex.select({ n: count() }).from(students).where(and(eq(students.schoolId, schoolId), inArray(students.classId, classIds))).then((r) => Number(r[0]?.n ?? 0))
    : Promise.resolve(0)
}

export function insertRollover(ex: Executor, v: typeof schoolYearRollovers.$inferInsert) {
  return ex.insert(schoolYearRollovers).values(v)
}

export function activeRollover(ex: Executor, schoolId: string, schoolYear: string) {
  return ex.select({ id: schoolYearRollovers.id }).from(schoolYearRollovers)
    .where(and(eq(schoolYearRollovers.schoolId, schoolId), eq(schoolYearRollovers.schoolYear, schoolYear), isNull(schoolYearRollovers.undoneAt)))
    .then((r) => r[0])
}

/** The school's latest rollover still in force: only that one can be undone. */
export function latestActive(ex: Executor, schoolId: string) {
  return ex.select({ id: schoolYearRollovers.id }).from(schoolYearRollovers)
    .where(and(eq(schoolYearRollovers.schoolId, schoolId), isNull(schoolYearRollovers.undoneAt)))
    .orderBy(desc(schoolYearRollovers.appliedAt)).limit(1).then((r) => r[0])
}

export function markUndone(ex: Executor, schoolId: string, id: string, by: string) {
  return ex.update(schoolYearRollovers).set({ undoneAt: new Date(), undoneBy: by })
    .where(and(eq(schoolYearRollovers.schoolId, schoolId), eq(schoolYearRollovers.id, id)))
}

/**
 * The first change audited for the school after the rollover (a talk log, a case, a new pupil,
 * a renamed class, a new grant…): from then on the new year has records and the undo is refused.
 * Reads and refused requests do not count.
 */
export function firstWriteAfter(ex: Executor, schoolId: string, seq: number) {
  return ex.select({ ts: auditLog.ts, resource: auditLog.resource }).from(auditLog)
    .where(and(eq(auditLog.schoolId, schoolId), gt(auditLog.seq, seq), inArray(auditLog.action, ['C', 'U', 'D']), eq(auditLog.outcome, 'ok')))
    .orderBy(asc(auditLog.seq)).limit(1).then((r) => r[0])
}

/** Locks the school's rollovers so two admins applying at once get one rollover and one 409. */
export function lockSchool(ex: Executor, schoolId: string) {
  return ex.execute(sql`select pg_advisory_xact_lock(hashtext('school_year_rollover'), hashtext(${schoolId}))`)
}
