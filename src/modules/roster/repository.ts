import { and, asc, count, eq, isNull, sql } from 'drizzle-orm'
import {
  classes, grades, guardians, holidays, schools, students, terms, userRoles, users,
} from '../../../db/schema/index.js'
import type { Executor } from '../../db/database.js'

/**
 * Drizzle queries of the roster, nothing else: no access rules, no audit (the services hold
 * those). Every statement names the school as well as the id, even where row-level
 * security would also catch it; `users` and `user_roles` have no RLS at all.
 */

// ── grades & classes ──────────────────────────────────────────────────────────────────

export function insertGrade(ex: Executor, v: typeof grades.$inferInsert) {
  return ex.insert(grades).values(v).returning({ id: grades.id }).then((r) => r[0]!.id)
}

export function gradesOfSchool(ex: Executor, schoolId: string) {
  return ex.select({ id: grades.id, level: grades.level, name: grades.name }).from(grades).where(eq(grades.schoolId, schoolId))
}

export function insertGrades(ex: Executor, rows: Array<typeof grades.$inferInsert>) {
  return rows.length ? ex.insert(grades).values(rows).returning({ id: grades.id, level: grades.level, name: grades.name }) : Promise.resolve([])
}

export function insertClass(ex: Executor, v: typeof classes.$inferInsert) {
  return ex.insert(classes).values(v).returning({ id: classes.id }).then((r) => r[0]!.id)
}

export function updateClass(ex: Executor, schoolId: string, id: string, v: Partial<Pick<typeof classes.$inferInsert, 'gradeId' | 'name' | 'seq'>>) {
  return ex.update(classes).set(v).where(and(eq(classes.schoolId, schoolId), eq(classes.id, id)))
}

export function deleteClass(ex: Executor, schoolId: string, id: string) {
  return ex.delete(classes).where(and(eq(classes.schoolId, schoolId), eq(classes.id, id)))
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

export function insertClasses(ex: Executor, rows: Array<typeof classes.$inferInsert>) {
  return rows.length
    ? ex.insert(classes).values(rows).returning({ id: classes.id, gradeId: classes.gradeId, seq: classes.seq, name: classes.name })
    : Promise.resolve([])
}

export async function studentsInClass(ex: Executor, schoolId: string, classId: string): Promise<number> {
  const r = await ex.select({ n: count() }).from(students).where(and(eq(students.schoolId, schoolId), eq(students.classId, classId)))
  return Number(r[0]?.n ?? 0)
}

// ── students ──────────────────────────────────────────────────────────────────────────

export type StudentWrite = Partial<Pick<typeof students.$inferInsert,
  'studentNo' | 'name' | 'gender' | 'birthDate' | 'classId' | 'status' | 'leftAt'>>

export function insertStudent(ex: Executor, v: typeof students.$inferInsert) {
  return ex.insert(students).values(v).returning({ id: students.id }).then((r) => r[0]!.id)
}

export function updateStudent(ex: Executor, schoolId: string, id: string, v: StudentWrite) {
  return ex.update(students).set({ ...v, updatedAt: new Date() }).where(and(eq(students.schoolId, schoolId), eq(students.id, id)))
}

export function deleteStudent(ex: Executor, schoolId: string, id: string) {
  return ex.delete(students).where(and(eq(students.schoolId, schoolId), eq(students.id, id)))
}

/** The school's students with these 学号; the list travels as one JSON parameter. */
export function studentsByNo(ex: Executor, schoolId: string, studentNos: string[]) {
  return ex.select({
    id: students.id, studentNo: students.studentNo, name: students.name, gender: students.gender,
    birthDate: students.birthDate, classId: students.classId, status: students.status,
  }).from(students)
    .where(and(eq(students.schoolId, schoolId), sql`${students.studentNo} in (select json_array_elements_text(${JSON.stringify(studentNos)}::json))`))
}

export interface BulkStudent {
  id: string
  student_no: string
  name: string
  gender: string
  birth_date: string | null
  class_id: string
  status: string
}

/**
 * One INSERT … SELECT for any number of rows. COPY would be faster, but PostgreSQL refuses
 * COPY FROM into a table with row-level security, and the import runs under it.
 */
export function insertStudentsBulk(ex: Executor, schoolId: string, rows: BulkStudent[]) {
  if (!rows.length) return Promise.resolve()
  return ex.execute(sql`insert into students (school_id, id, student_no, name, gender, birth_date, class_id, status)
    select ${schoolId}::uuid, v.id, v.student_no, v.name, v.gender, v.birth_date, v.class_id, v.status
    from json_to_recordset(${JSON.stringify(rows)}::json)
      as v(id uuid, student_no text, name text, gender text, birth_date date, class_id uuid, status text)`).then(() => undefined)
}

export function updateStudentsBulk(ex: Executor, schoolId: string, rows: BulkStudent[]) {
  if (!rows.length) return Promise.resolve()
  return ex.execute(sql`update students s set name = v.name, gender = v.gender, birth_date = v.birth_date,
      class_id = v.class_id, status = v.status, updated_at = now()
    from json_to_recordset(${JSON.stringify(rows)}::json)
      as v(id uuid, student_no text, name text, gender text, birth_date date, class_id uuid, status text)
    where s.school_id = ${schoolId}::uuid and s.id = v.id`).then(() => undefined)
}

// ── guardians ─────────────────────────────────────────────────────────────────────────

export type GuardianWrite = Partial<Pick<typeof guardians.$inferInsert, 'name' | 'relation' | 'phone' | 'isPrimary'>>

export function insertGuardian(ex: Executor, v: typeof guardians.$inferInsert) {
  return ex.insert(guardians).values(v).returning({ id: guardians.id }).then((r) => r[0]!.id)
}

export function updateGuardian(ex: Executor, schoolId: string, id: string, v: GuardianWrite) {
  return ex.update(guardians).set(v).where(and(eq(guardians.schoolId, schoolId), eq(guardians.id, id)))
}

export function deleteGuardian(ex: Executor, schoolId: string, id: string) {
  return ex.delete(guardians).where(and(eq(guardians.schoolId, schoolId), eq(guardians.id, id)))
}

/** A student has one primary guardian: setting one clears the flag on the others. */
export function clearPrimaryGuardian(ex: Executor, schoolId: string, studentId: string) {
  return ex.update(guardians).set({ isPrimary: false })
    .where(and(eq(guardians.schoolId, schoolId), eq(guardians.studentId, studentId), eq(guardians.isPrimary, true)))
}

export function guardiansOfStudents(ex: Executor, schoolId: string, studentIds: string[]) {
  return ex.select({
    id: guardians.id, studentId: guardians.studentId, name: guardians.name, relation: guardians.relation,
    phone: guardians.phone, isPrimary: guardians.isPrimary,
  }).from(guardians)
    .where(and(eq(guardians.schoolId, schoolId), sql`${guardians.studentId} in (select (json_array_elements_text(${JSON.stringify(studentIds)}::json))::uuid)`))
    .orderBy(asc(guardians.studentId), sql`${guardians.isPrimary} desc`, asc(guardians.createdAt))
}

export interface BulkGuardian {
  id: string
  student_id: string
  name: string
  relation: string
  phone: string | null
  is_primary: boolean
}

export function insertGuardiansBulk(ex: Executor, schoolId: string, rows: BulkGuardian[]) {
  if (!rows.length) return Promise.resolve()
  return ex.execute(sql`insert into guardians (school_id, id, student_id, name, relation, phone, is_primary)
    select ${schoolId}::uuid, v.id, v.student_id, v.name, v.relation, v.phone, v.is_primary
    from json_to_recordset(${JSON.stringify(rows)}::json)
      as v(id uuid, student_id uuid, name text, relation text, phone text, is_primary boolean)`).then(() => undefined)
}

export function updateGuardiansBulk(ex: Executor, schoolId: string, rows: BulkGuardian[]) {
  if (!rows.length) return Promise.resolve()
  return ex.execute(sql`update guardians g set relation = v.relation, phone = v.phone
    from json_to_recordset(${JSON.stringify(rows)}::json)
      as v(id uuid, student_id uuid, name text, relation text, phone text, is_primary boolean)
    where g.school_id = ${schoolId}::uuid and g.id = v.id`).then(() => undefined)
}

// ── users & roles ─────────────────────────────────────────────────────────────────────

export function districtOfSchool(ex: Executor, schoolId: string) {
  return ex.select({ districtId: schools.districtId }).from(schools).where(eq(schools.id, schoolId)).then((r) => r[0]?.districtId)
}

export function insertUser(ex: Executor, v: typeof users.$inferInsert) {
  return ex.insert(users).values(v).returning({ id: users.id }).then((r) => r[0]!.id)
}

export function updateUser(ex: Executor, schoolId: string, id: string, v: Partial<Pick<typeof users.$inferInsert, 'displayName' | 'status' | 'locale'>>) {
  return ex.update(users).set(v).where(and(eq(users.schoolId, schoolId), eq(users.id, id)))
}

export function insertUserRoles(ex: Executor, rows: Array<typeof userRoles.$inferInsert>) {
  return rows.length ? ex.insert(userRoles).values(rows).returning({ id: userRoles.id }) : Promise.resolve([])
}

export function grantsOfUser(ex: Executor, schoolId: string, userId: string) {
  return ex.select({ id: userRoles.id, role: userRoles.role, classId: userRoles.classId }).from(userRoles)
    .where(and(eq(userRoles.schoolId, schoolId), eq(userRoles.userId, userId)))
}

export function deleteUserRole(ex: Executor, schoolId: string, id: string) {
  return ex.delete(userRoles).where(and(eq(userRoles.schoolId, schoolId), eq(userRoles.id, id)))
}

// ── calendar ──────────────────────────────────────────────────────────────────────────

export type TermWrite = Partial<Pick<typeof terms.$inferInsert, 'schoolYear' | 'semester' | 'name' | 'startDate' | 'endDate'>>
export type HolidayWrite = Partial<Pick<typeof holidays.$inferInsert, 'name' | 'kind' | 'startDate' | 'endDate' | 'major'>>

export function insertTerm(ex: Executor, v: typeof terms.$inferInsert) {
  return ex.insert(terms).values(v).returning({ id: terms.id }).then((r) => r[0]!.id)
}

export function updateTerm(ex: Executor, schoolId: string, id: string, v: TermWrite) {
  return ex.update(terms).set(v).where(and(eq(terms.schoolId, schoolId), eq(terms.id, id)))
}

export function deleteTerm(ex: Executor, schoolId: string, id: string) {
  return ex.delete(terms).where(and(eq(terms.schoolId, schoolId), eq(terms.id, id)))
}

export function insertHoliday(ex: Executor, v: typeof holidays.$inferInsert) {
  return ex.insert(holidays).values(v).returning({ id: holidays.id }).then((r) => r[0]!.id)
}

export function updateHoliday(ex: Executor, schoolId: string, id: string, v: HolidayWrite) {
  return ex.update(holidays).set(v).where(and(eq(holidays.schoolId, schoolId), eq(holidays.id, id)))
}

export function deleteHoliday(ex: Executor, schoolId: string, id: string) {
  return ex.delete(holidays).where(and(eq(holidays.schoolId, schoolId), eq(holidays.id, id)))
}
