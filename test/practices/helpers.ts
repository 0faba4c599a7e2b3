import type { FastifyInstance } from 'fastify'
import type { Database } from '../../src/db/database.js'
import type { Role } from '../../src/access/roles.js'
import { students } from '../../db/schema/index.js'
import { createSchool, createUser, injectAs, login, rid, type SchoolFixture } from '../helpers/app.js'

export interface Actor { id: string; token: string }

/** A school with one account per role the practices use, and a student in each class. */
export async function practiceWorld(app: FastifyInstance, database: Database, school?: SchoolFixture) {
  const s = school ?? await createSchool(database)
  const make = async (role: Role, classId?: string): Promise<Actor> => {
    const u = await createUser(database, s, [{ role, ...(classId ? { classId } : {}) }])
    return { id: u.id, token: (await login(app, u.username)).accessToken }
  }
  const psych = await make('psych_teacher')
  const admin = await make('school_admin')
  const homeroom = await make('homeroom_teacher', s.classIds[0])
  const monitor = await make('peer_monitor', s.classIds[0])
  const student = async (classId = s.classIds[0]) => (await database.db.insert(students).values({
    schoolId: s.schoolId, classId, studentNo: `P${rid()}`, name: `学生${rid()}`, gender: 'F',
  }).returning())[0]!.id
  return { school: s, psych, admin, homeroom, monitor, student }
}

export function as(app: FastifyInstance, who: Actor, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
  return injectAs(app, who.token, { method, url, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) })
}
