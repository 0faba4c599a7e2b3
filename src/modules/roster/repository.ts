import { and, asc, count, eq, isNull, sql } from 'drizzle-orm'
import { classes, grades, guardians, schools, students, userRoles } from '../../../db/schema/index.js'
import type { Executor } from '../../db/database.js'

/**
 * Drizzle reads of the roster, nothing else: no access rules, no audit, no writes of the
 * roster's records (those go through the access gateway in the services). Every statement
 * names the school as well as the id, even where row-level security would also catch it;
 * `users` and `user_roles` have no RLS at all.
 */

// ── grades & classes ──────────────────────────────────────────────────────────────────

export function gradesOfSchool(ex: Executor, schoolId: string) {
  return ex.select({ id: grades.id, level: grades.level, name: grades.name }).from(grades).where(eq(grades.schoolId, schoolId))
}

/**
 * The class row, locked until the transaction ends: `share` by whoever puts a pupil or a
 * class-bound role into it (the rollover's ended_at and a delete wait for them, and they for
 * those), `update` by the delete itself. A student insert's foreign key check alone takes
 * KEY SHARE, which lets ended_at change under it. Undefined when there is no such class.
 */
export function lockClass(ex: Executor, schoolId: string, id: string, mode: 'share' | 'update') {
  return ex.select({ id: classes.id, name: classes.name, endedAt: classes.endedAt }).from(classes)
    .where(and(eq(classes.schoolId, schoolId), eq(classes.id, id)))
    .for(mode === 'share' ? 'share' : 'update')
    .then((r) => r[0])
}

export function classesOfSchool(ex: Executor, schoolId: string) {
  // A graduated class (升年级) keeps its grade and number for its records, but is no longer one to put pupils in.
  // Shared to commit, like lockClass: the import's classes cannot end or go while it fills them.
  return ex.select({ id: classes.id, gradeId: classes.gradeId, seq: classes.seq, name: classes.name }).from(classes)
    .where(and(eq(classes.schoolId, schoolId), isNull(classes.endedAt))).for('share')
}

export async function studentsInClass(ex: Executor, schoolId: string, classId: string): Promise<number> {
  const r = await ex.select({ n: count() }).from(students).where(and(eq(students.schoolId, schoolId), eq(students.classId, classId)))
  return Number(r[0]?.n ?? 0)
}

// ── students ──────────────────────────────────────────────────────────────────────────

/** The school's students with these 学号; the list travels as one JSON parameter. */
export function studentsByNo(ex: Executor, schoolId: string, studentNos: string[]) {
  return ex.select({
    id: students.id, studentNo: students.studentNo, nationalId: students.nationalId, name: students.name, gender: students.gender,
    birthDate: students.birthDate, classId: students.classId, status: students.status,
  }).from(students)
    .where(and(eq(students.schoolId, schoolId), sql`${students.studentNo} in (select json_array_elements_text(${JSON.stringify(studentNos)}::json))`))
}

/** Students of the school holding any of these 学籍号 (every status: a returning pupil is matched too). */
export function studentsByNationalId(ex: Executor, schoolId: string, nationalIds: string[]) {
  return ex.select({
    id: students.id, studentNo: students.studentNo, nationalId: students.nationalId, name: students.name, gender: students.gender,
    birthDate: students.birthDate, classId: students.classId, status: students.status,
  }).from(students)
    .where(and(eq(students.schoolId, schoolId), sql`${students.nationalId} in (select json_array_elements_text(${JSON.stringify(nationalIds)}::json))`))
}

// ── guardians ─────────────────────────────────────────────────────────────────────────

export function guardiansOfStudents(ex: Executor, schoolId: string, studentIds: string[]) {
  return ex.select({
    id: guardians.id, studentId: guardians.studentId, name: guardians.name, relation: guardians.relation,
    phone: guardians.phone, isPrimary: guardians.isPrimary,
  }).from(guardians)
    .where(and(eq(guardians.schoolId, schoolId), sql`${guardians.studentId} in (select (json_array_elements_text(${JSON.stringify(studentIds)}::json))::uuid)`))
    .orderBy(asc(guardians.studentId), sql`${guardians.isPrimary} desc`, asc(guardians.createdAt))
}

// ── users & roles ─────────────────────────────────────────────────────────────────────

export function districtOfSchool(ex: Executor, schoolId: string) {
  return ex.select({ districtId: schools.districtId }).from(schools).where(eq(schools.id, schoolId)).then((r) => r[0]?.districtId)
}

export function grantsOfUser(ex: Executor, schoolId: string, userId: string) {
  return ex.select({ id: userRoles.id, role: userRoles.role, classId: userRoles.classId }).from(userRoles)
    .where(and(eq(userRoles.schoolId, schoolId), eq(userRoles.userId, userId)))
}
