import { lessonRecords, pairings, schoolActivities, supportTeams } from '../../../db/schema/index.js'
import { createUser, rid } from '../../helpers/app.js'
import { itemsContain, type Catalogue, type RouteCase } from '../catalogue.js'
import type { Role } from '../../../src/access/roles.js'
import type { Variant, World, WorldUser } from '../world.js'

const TEACHERS: readonly Role[] = ['psych_teacher', 'homeroom_teacher', 'school_admin', 'mentor']

/**
 * Matrix entries of 课程与活动 and 多帮一 teams. Lessons and activities hang off the
 * variant's class (school A's own or other class, school B's first); a team hangs off a fresh
 * student of the variant, with one member no matrix caller is.
 */

const schoolOf = (w: World, v: Variant) => (v === 'otherSchool' ? w.schoolB.schoolId : w.schoolA.schoolId)
const classOf = (w: World, v: Variant) => (v === 'ownClass' ? w.ownClassId : v === 'otherClass' ? w.otherClassId : w.schoolB.classIds[0]!)

/** A different past day for every lesson a case makes (one lesson of a kind per class and day). */
let dayNo = 0
function nextDay(): string {
  const d = new Date(Date.UTC(2020, 0, 1) + (dayNo++) * 86_400_000)
  return d.toISOString().slice(0, 10)
}

async function freshLesson(w: World, v: Variant): Promise<string> {
  return (await w.database.db.insert(lessonRecords).values({
    schoolId: schoolOf(w, v), classId: classOf(w, v), kind: 'mental_health', heldOn: nextDay(), periods: 1, topic: `主题${rid()}`,
  }).returning())[0]!.id
}

async function freshActivity(w: World, v: Variant): Promise<string> {
  return (await w.database.db.insert(schoolActivities).values({
    schoolId: schoolOf(w, v), kind: 'other', title: `活动${rid()}`, startsOn: '2026-10-10', reach: 'class', classId: classOf(w, v), participants: 40,
  }).returning())[0]!.id
}

const teamMembers = new WeakMap<World, Promise<string>>()
/** A teacher of school A who is no matrix caller: the member of every fresh team. */
function memberOf(w: World): Promise<string> {
  let p = teamMembers.get(w)
  if (!p) {
    p = createUser(w.database, w.schoolA, [{ role: 'mentor' }]).then((u) => u.id)
    teamMembers.set(w, p)
  }
  return p
}

/**
 * Every teacher holds the implied mentor role, so a team's `paired` reach is the caller's own
 * pairing: in the ownClass variant the caller is paired with the student (as support.ts does).
 */
async function freshTeam(w: World, v: Variant, caller?: WorldUser): Promise<{ teamId: string; memberId: string }> {
  const s = await w.newStudent(v)
  if (v === 'ownClass' && caller && TEACHERS.includes(caller.role) && caller.id !== w.users.mentor.id) {
    await w.database.db.insert(pairings).values({ schoolId: s.schoolId, studentId: s.id, mentorId: caller.id, purpose: '学业与情绪支持', startDate: '2020-01-01' })
  }
  const team = (await w.database.db.insert(supportTeams).values({ schoolId: s.schoolId, studentId: s.id, purpose: '学业与情绪支持', startDate: '2020-01-01' }).returning())[0]!
  const member = (await w.database.db.insert(pairings).values({
    schoolId: s.schoolId, studentId: s.id, mentorId: await memberOf(w), purpose: '学业与情绪支持', startDate: '2020-01-01', teamId: team.id, teamRole: 'subject_teacher',
  }).returning())[0]!
  return { teamId: team.id, memberId: member.id }
}

const item = (ok: number, url: (id: string) => string, fresh: (w: World, v: Variant) => Promise<string>, payload?: unknown): RouteCase => ({
  kind: 'item', ok,
  async request(w, v) { const id = await fresh(w, v); return { url: url(id), targetId: id, ...(payload !== undefined ? { payload } : {}) } },
})
const teamItem = (ok: number, suffix: (t: { teamId: string; memberId: string }) => string, payload?: (w: World) => Promise<unknown>): RouteCase => ({
  kind: 'item', ok,
  async request(w, v, caller) {
    const t = await freshTeam(w, v, caller)
    return { url: `/api/v1/support-teams/${t.teamId}${suffix(t)}`, targetId: t.teamId, ...(payload ? { payload: await payload(w) } : {}) }
  },
})

export const lessonsCases: Catalogue = {
  'POST /api/v1/lessons': {
    kind: 'create', ok: 201,
    async request(w, v) {
      return { url: '/api/v1/lessons', payload: { classId: classOf(w, v), heldOn: nextDay(), lessons: [{ kind: 'sunshine' }] }, targetId: classOf(w, v) }
    },
  },
  'GET /api/v1/lessons': {
    kind: 'collection', ok: 200,
    async request(w, v) { const id = await freshLesson(w, v); return { url: '/api/v1/lessons?limit=500', targetId: id } },
    contains: itemsContain,
  },
  'PATCH /api/v1/lessons/:id': item(200, (id) => `/api/v1/lessons/${id}`, freshLesson, { periods: 2 }),
  'DELETE /api/v1/lessons/:id': item(204, (id) => `/api/v1/lessons/${id}`, freshLesson),
  'POST /api/v1/lessons/timetable': {
    kind: 'create', ok: 200,
    async request(w, v) {
      return {
        url: '/api/v1/lessons/timetable', targetId: classOf(w, v),
        payload: { classIds: [classOf(w, v)], from: '2026-09-01', to: '2026-09-30', pattern: [{ weekday: 1, kind: 'life_safety' }], dryRun: true },
      }
    },
  },
  'GET /api/v1/lessons/summary': {
    kind: 'collection', ok: 200,
    async request() { return { url: '/api/v1/lessons/summary?from=2026-09-01&to=2026-09-30' } },
  },

  'GET /api/v1/lessons/summary.xlsx': {
    kind: 'collection', ok: 200,
    async request() { return { url: '/api/v1/lessons/summary.xlsx?from=2026-09-01&to=2026-09-30' } },
  },

  'GET /api/v1/school-activities': {
    kind: 'collection', ok: 200,
    async request(w, v) { const id = await freshActivity(w, v); return { url: '/api/v1/school-activities?limit=500', targetId: id } },
    contains: itemsContain,
  },
  'GET /api/v1/school-activities/:id': item(200, (id) => `/api/v1/school-activities/${id}`, freshActivity),
  'PATCH /api/v1/school-activities/:id': item(200, (id) => `/api/v1/school-activities/${id}`, freshActivity, { participants: 41 }),
  'DELETE /api/v1/school-activities/:id': item(204, (id) => `/api/v1/school-activities/${id}`, freshActivity),
  'POST /api/v1/school-activities': {
    kind: 'create', ok: 201,
    async request(w, v) {
      return { url: '/api/v1/school-activities', targetId: classOf(w, v), payload: { kind: 'opening_ceremony', title: '开学礼', startsOn: '2026-09-01', reach: 'class', classId: classOf(w, v), participants: 42 } }
    },
  },

  'POST /api/v1/students/:id/support-teams': {
    kind: 'create', ok: 201,
    async request(w, v) {
      const s = await w.newStudent(v)
      return { url: `/api/v1/students/${s.id}/support-teams`, targetId: s.id, payload: { purpose: '多帮一', members: [{ userId: await memberOf(w), teamRole: 'leader' }] } }
    },
  },
  'GET /api/v1/support-teams': {
    kind: 'collection', ok: 200,
    async request(w, v, caller) { const t = await freshTeam(w, v, caller); return { url: '/api/v1/support-teams?limit=500', targetId: t.teamId } },
    contains: itemsContain,
  },
  'GET /api/v1/support-teams/:id': teamItem(200, () => ''),
  'POST /api/v1/support-teams/:id/members': teamItem(201, () => '/members', async (w) => ({ userId: w.users.homeroom_teacher.id, teamRole: 'homeroom' })),
  'POST /api/v1/support-teams/:id/members/:memberId/end': teamItem(200, (t) => `/members/${t.memberId}/end`),
  'POST /api/v1/support-teams/:id/end': teamItem(200, () => '/end', async () => ({ endedReason: '目标达成' })),
}
