import type { FastifyInstance } from 'fastify'
import type { Database } from '../../src/db/database.js'
import { students, guardians, pairings } from '../../db/schema/index.js'
import type { Role } from '../../src/access/roles.js'
import { createSchool, createUser, login, rid, type SchoolFixture } from '../helpers/app.js'
import { withNotesSchool } from '../../src/crypto/notes-keys.js'

/**
 * Where a target record sits relative to the caller in the authorization matrix: a student of the
 * caller's own class (and paired with the mentor), of another class of the same school,
 * or of another school.
 */
export const Variants = ['ownClass', 'otherClass', 'otherSchool'] as const
export type Variant = (typeof Variants)[number]

export interface StudentRef { schoolId: string; id: string; classId: string }

export interface WorldUser { id: string; username: string; token: string; role: Role }

export interface World {
  app: FastifyInstance
  database: Database
  schoolA: SchoolFixture
  schoolB: SchoolFixture
  /** Class of the homeroom teacher and the monitor in school A. */
  ownClassId: string
  otherClassId: string
  /** One user per role in school A (district staff: school A's district). */
  users: Record<Role, WorldUser>
  /** An admin of school B, to make records there through the API when a case needs it. */
  adminB: WorldUser
  /** Makes a fresh student in the given place (direct insert, as the owner). */
  newStudent(variant: Variant): Promise<StudentRef>
  /** A fixed student per variant, made once. */
  student: Record<Variant, StudentRef>
  /**
   * Whether the mentor is paired with every ownClass student the world makes (it is; the
   * flag keeps the expectation explicit).
   */
  pairedReach: boolean
}

export const MatrixRoles: Role[] = ['psych_teacher', 'homeroom_teacher', 'mentor', 'peer_monitor', 'district_staff', 'school_admin']

export async function buildWorld(app: FastifyInstance, database: Database): Promise<World> {
  const schoolA = await createSchool(database)
  const schoolB = await createSchool(database, schoolA.districtId)
  const [ownClassId, otherClassId] = schoolA.classIds
  const users = {} as Record<Role, WorldUser>
  for (const role of MatrixRoles) {
    const grants = role === 'homeroom_teacher' || role === 'peer_monitor' ? [{ role, classId: ownClassId }] : [{ role }]
    const u = await createUser(database, schoolA, grants)
    users[role] = { ...u, role, token: (await login(app, u.username)).accessToken }
  }
  const b = await createUser(database, schoolB, [{ role: 'school_admin' }])
  const adminB: WorldUser = { ...b, role: 'school_admin', token: (await login(app, b.username)).accessToken }

  async function newStudent(variant: Variant): Promise<StudentRef> {
    const schoolId = variant === 'otherSchool' ? schoolB.schoolId : schoolA.schoolId
    const classId = variant === 'ownClass' ? ownClassId : variant === 'otherClass' ? otherClassId : schoolB.classIds[0]
    const row = (await database.db.insert(students).values({
      schoolId, classId, studentNo: `N${rid()}${rid()}`, name: `学生${rid()}`, gender: 'F', birthDate: '2013-05-01',
    }).returning())[0]!
    await database.db.insert(guardians).values({ schoolId, studentId: row.id, name: `家长${rid()}`, relation: '母亲', phone: '13900000000' })
    // The mentor is paired with every student of the own class (师生结对), so `paired` reaches ownClass.
    if (variant === 'ownClass') {
      await database.db.insert(pairings).values({ schoolId, studentId: row.id, mentorId: users.mentor.id, purpose: '学业与情绪支持', startDate: '2020-01-01' })
    }
    return { schoolId, id: row.id, classId }
  }
  const student = {
    ownClass: await newStudent('ownClass'),
    otherClass: await newStudent('otherClass'),
    otherSchool: await newStudent('otherSchool'),
  }
  return { app, database, schoolA, schoolB, ownClassId: ownClassId!, otherClassId: otherClassId!, users, adminB, newStudent, student, pairedReach: true }
}

/**
 * Runs a fixture's direct insert with the school's notes key: sealed columns (notes, summaries,
 * letters) are sealed for a named school, as the app's transactions do.
 */
export function inSchool<T>(w: World, schoolId: string, fn: () => Promise<T>): Promise<T> {
  return withNotesSchool(w.database.db, schoolId, fn)
}
