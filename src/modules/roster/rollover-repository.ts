import { and, asc, count, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm'
import {
  auditLog, classes, grades, schoolYearRollovers, schools, students, userRoles, users,
} from '../../../db/schema/index.js'
import type { Executor } from '../../db/database.js'
import { ClassBoundRoles } from './schemas.js'
import type { Snapshot } from './rollover-plan.js'

/** Drizzle reads of the rollover, nothing else (its writes go through the access gateway); every statement names the school. */

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

/** Pupils still enrolled in the graduating classes, with what the undo must put back. */
export function enrolledIn(ex: Executor, schoolId: string, classIds: string[]) {
  return classIds.length
    ? ex.select({ id: students.id, leftAt: students.leftAt }).from(students)
      .where(and(eq(students.schoolId, schoolId), eq(students.status, 'enrolled'), inArray(students.classId, classIds)))
    : Promise.resolve([])
}

export function studentsIn(ex: Executor, schoolId: string, classIds: string[]) {
  return classIds.length
    ? ex.select({ n: count() }).from(students).where(and(eq(students.schoolId, schoolId), inArray(students.classId, classIds))).then((r) => Number(r[0]?.n ?? 0))
    : Promise.resolve(0)
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
