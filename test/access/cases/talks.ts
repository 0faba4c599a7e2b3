import { cases, notifications, talkDuties, talkLogs } from '../../../db/schema/index.js'
import { createUser, rid } from '../../helpers/app.js'
import { itemsContain, type Catalogue } from '../catalogue.js'
import type { StudentRef, Variant, World, WorldUser } from '../world.js'

/**
 * Matrix entries of 三个必谈 and notifications.
 *
 * - Talk logs are written by the world's homeroom teacher about a student with an open case,
 *   so the service's extra row conditions (homeroom: own logs; psychology teacher: students
 *   with an open case) reach exactly what the policy's scopes say.
 * - Duties carry a unique window key, so a list answer can be searched for the target even
 *   by a school admin, who reads windows and states but no ids.
 * - Notifications are `own`: the caller's in ownClass, another teacher's (school A) or
 *   school B's admin's elsewhere.
 */

const others = new WeakMap<World, Promise<string>>()
function otherTeacherOf(w: World): Promise<string> {
  let p = others.get(w)
  if (!p) {
    p = createUser(w.database, w.schoolA, [{ role: 'psych_teacher' }]).then((u) => u.id)
    others.set(w, p)
  }
  return p
}

async function dutyFor(w: World, s: StudentRef): Promise<string> {
  const windowKey = `t:${rid()}`
  await w.database.db.insert(talkDuties).values({
    schoolId: s.schoolId, studentId: s.id, classId: s.classId, kind: 'semester', windowKey,
    windowStart: '2025-09-01', dueDate: '2026-01-16',
  })
  return windowKey
}

async function logFor(w: World, v: Variant): Promise<string> {
  const s = await w.newStudent(v)
  await w.database.db.insert(cases).values({ schoolId: s.schoolId, studentId: s.id, source: 'other', riskLevel: 'yellow', state: 'open' })
  const teacherId = v === 'otherSchool' ? w.adminB.id : w.users.homeroom_teacher.id
  const row = (await w.database.db.insert(talkLogs).values({
    schoolId: s.schoolId, studentId: s.id, classId: s.classId, teacherId, talkDate: '2025-10-10', kind: 'holiday_return',
    place: '心理辅导室', summary: '返校后情绪平稳', concerned: false,
  }).returning({ id: talkLogs.id }))[0]!
  return row.id
}

async function notificationFor(w: World, v: Variant, caller: WorldUser): Promise<string> {
  const [schoolId, userId] = v === 'ownClass'
    ? [w.schoolA.schoolId, caller.id]
    : v === 'otherClass' ? [w.schoolA.schoolId, await otherTeacherOf(w)] : [w.schoolB.schoolId, w.adminB.id]
  const row = (await w.database.db.insert(notifications).values({
    schoolId, userId, kind: 'talk_concerned', params: { urgency: 'medium' },
  }).returning({ id: notifications.id }))[0]!
  return row.id
}

const windowListed = (body: unknown, key: string) =>
  ((body as { items?: Array<{ windowKey?: string }> }).items ?? []).some((i) => i.windowKey === key)

export const talksCases: Catalogue = {
  'GET /api/v1/talks/rules': {
    kind: 'collection',
    ok: 200,
    async request() { return { url: '/api/v1/talks/rules' } },
  },
  'PUT /api/v1/talks/rules': {
    kind: 'collection',
    ok: 200,
    async request() {
      return { url: '/api/v1/talks/rules', payload: { rules: [{ kind: 'holiday_return', target: 'all', withinSchoolDays: 5, active: true }] } }
    },
  },
  'GET /api/v1/talks/duties': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      const key = await dutyFor(w, await w.newStudent(v))
      return { url: '/api/v1/talks/duties?limit=500', targetId: key }
    },
    contains: windowListed,
  },
  'GET /api/v1/talks/compliance': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      const key = await dutyFor(w, await w.newStudent(v))
      return { url: '/api/v1/talks/compliance', targetId: key }
    },
    contains: windowListed,
  },
  'POST /api/v1/talks/logs': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      const s = await w.newStudent(v)
      return {
        url: '/api/v1/talks/logs',
        payload: { studentId: s.id, talkDate: '2025-11-03', kind: 'semester', place: '办公室', summary: '学习压力较大，已沟通', followUpNeeded: false, concerned: false },
        targetId: s.id,
      }
    },
  },
  'GET /api/v1/talks/logs': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      return { url: '/api/v1/talks/logs?limit=500', targetId: await logFor(w, v) }
    },
    contains: itemsContain,
  },
  'GET /api/v1/talks/logs/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await logFor(w, v)
      return { url: `/api/v1/talks/logs/${id}`, targetId: id }
    },
  },
  'GET /api/v1/notifications': {
    kind: 'collection',
    ok: 200,
    async request(w, v, caller) {
      return { url: '/api/v1/notifications?limit=500', targetId: await notificationFor(w, v, caller) }
    },
    contains: itemsContain,
  },
  'POST /api/v1/notifications/:id/read': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const id = await notificationFor(w, v, caller)
      return { url: `/api/v1/notifications/${id}/read`, payload: {}, targetId: id }
    },
  },
}
