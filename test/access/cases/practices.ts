import { eq } from 'drizzle-orm'
import { barometerEntries, groupSessions, letterBoxes, letters, roomVisits, staffProfiles } from '../../../db/schema/index.js'
import { newBoxKey, newSlug } from '../../../src/modules/practices/letter-codes.js'
import { rid } from '../../helpers/app.js'
import { itemsContain, type Catalogue } from '../catalogue.js'
import { inSchool, type Variant, type World, type WorldUser } from '../world.js'

/**
 * Matrix entries of the practices module. Letters, sessions and staff profiles
 * are school-wide records: the ownClass and otherClass variants place them in school A,
 * otherSchool in school B. Visits hang off a student of the variant; barometer entries off
 * the variant's class, made by the caller in the ownClass variant (own scope) and by
 * someone else otherwise. The anonymous letter-box routes are public and tested in
 * test/practices/letterbox.test.ts.
 */

const schoolOf = (w: World, v: Variant) => (v === 'otherSchool' ? w.schoolB.schoolId : w.schoolA.schoolId)
const classOf = (w: World, v: Variant) => (v === 'ownClass' ? w.ownClassId : v === 'otherClass' ? w.otherClassId : w.schoolB.classIds[0])

async function boxOf(w: World, schoolId: string): Promise<string> {
  const found = await w.database.db.select({ id: letterBoxes.id }).from(letterBoxes).where(eq(letterBoxes.schoolId, schoolId))
  if (found[0]) return found[0].id
  return (await w.database.db.insert(letterBoxes).values({ schoolId, slug: newSlug(), codeKey: newBoxKey(), open: true }).returning())[0]!.id
}

async function freshLetter(w: World, v: Variant): Promise<string> {
  const schoolId = schoolOf(w, v)
  const boxId = await boxOf(w, schoolId)
  return (await inSchool(w, schoolId, () => w.database.db.insert(letters).values({
    schoolId, boxId, writtenOn: '2026-10-08', body: `来信${rid()}`, writerName: '匿名', replyCodeHash: `${rid()}${rid()}`,
  }).returning()))[0]!.id
}

async function freshVisit(w: World, v: Variant): Promise<string> {
  const s = await w.newStudent(v)
  return (await w.database.db.insert(roomVisits).values({ schoolId: s.schoolId, studentId: s.id, visitDate: '2026-10-09', durationMin: 30, topic: 'study' }).returning())[0]!.id
}

async function freshSession(w: World, v: Variant): Promise<string> {
  return (await w.database.db.insert(groupSessions).values({ schoolId: schoolOf(w, v), sessionDate: '2026-10-10', topic: `团体辅导${rid()}`, attendance: 20 }).returning())[0]!.id
}

async function freshStaff(w: World, v: Variant): Promise<string> {
  return (await w.database.db.insert(staffProfiles).values({ schoolId: schoolOf(w, v), name: `教师${rid()}`, employment: 'part_time', trainingYear: 2026 }).returning())[0]!.id
}

/** Own scope: the caller's own entry in the ownClass variant, someone else's in the others. */
async function freshEntry(w: World, v: Variant, caller: WorldUser): Promise<string> {
  const someoneElse = caller.id === w.users.school_admin.id ? w.users.psych_teacher.id : w.users.school_admin.id
  const submittedBy = v === 'ownClass' ? caller.id : v === 'otherClass' ? someoneElse : w.adminB.id
  return (await w.database.db.insert(barometerEntries).values({
    schoolId: schoolOf(w, v), classId: classOf(w, v)!, periodKey: `T-${rid()}`, submittedBy, submitterRole: 'homeroom_teacher', mood: 3, events: '运动会',
  }).returning())[0]!.id
}

const letterItem = (ok: number, method: string, suffix: string, payload?: (w: World, v: Variant) => unknown) => ({
  [`${method} /api/v1/letters/:id${suffix}`]: {
    kind: 'item' as const,
    ok,
    async request(w: World, v: Variant) {
      const id = await freshLetter(w, v)
      return { url: `/api/v1/letters/${id}${suffix}`, targetId: id, ...(payload ? { payload: payload(w, v) } : {}) }
    },
  },
})

const fixed = (url: string, ok = 200, payload?: unknown) => ({
  kind: 'collection' as const,
  ok,
  async request() { return { url, ...(payload !== undefined ? { payload } : {}) } },
})

export const practicesCases: Catalogue = {
  // 解忧树洞: psychology teachers.
  'GET /api/v1/letters': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      const id = await freshLetter(w, v)
      return { url: '/api/v1/letters?limit=500', targetId: id }
    },
    contains: itemsContain,
  },
  ...letterItem(200, 'GET', ''),
  ...letterItem(200, 'PATCH', '', () => ({ category: 'family' })),
  ...letterItem(200, 'PUT', '/reply', () => ({ replyText: '谢谢你的来信。' })),
  ...letterItem(201, 'POST', '/alert', (w, v) => ({ studentId: w.student[v].id })),
  ...letterItem(201, 'POST', '/case', (w, v) => ({ studentId: w.student[v].id, riskLevel: 'green' })),
  ...letterItem(200, 'POST', '/danger', (w, v) => ({ studentId: w.student[v].id })),

  // The box: psychology teachers and admins of the school; always the caller's own school.
  'GET /api/v1/letterbox-admin': fixed('/api/v1/letterbox-admin'),
  'PATCH /api/v1/letterbox-admin': fixed('/api/v1/letterbox-admin', 200, { closedMessage: '假期暂停' }),
  'POST /api/v1/letterbox-admin/rotate': fixed('/api/v1/letterbox-admin/rotate', 200, {}),
  'GET /api/v1/letterbox-admin/qr.svg': fixed('/api/v1/letterbox-admin/qr.svg'),

  // 心理晴雨表.
  'GET /api/v1/barometer/settings': fixed('/api/v1/barometer/settings'),
  'PUT /api/v1/barometer/settings': fixed('/api/v1/barometer/settings', 200, { period: 'weekly' }),
  'POST /api/v1/barometer': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      return { url: '/api/v1/barometer', payload: { classId: classOf(w, v), mood: 4, events: '秋游' } }
    },
  },
  'GET /api/v1/barometer': {
    kind: 'collection',
    ok: 200,
    async request(w, v, caller) {
      const id = await freshEntry(w, v, caller)
      return { url: '/api/v1/barometer?limit=500', targetId: id }
    },
    contains: itemsContain,
  },
  'GET /api/v1/barometer/classes/:id/trend': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      await freshEntry(w, v, caller)
      const classId = classOf(w, v)!
      return { url: `/api/v1/barometer/classes/${classId}/trend`, targetId: classId }
    },
  },

  // 心理辅导室.
  'GET /api/v1/counselling-room/settings': fixed('/api/v1/counselling-room/settings'),
  'PUT /api/v1/counselling-room/settings': fixed('/api/v1/counselling-room/settings', 200, { openingHours: '周一至周五 12:00–13:30' }),
  'GET /api/v1/counselling-room/summary': fixed('/api/v1/counselling-room/summary'),
  'GET /api/v1/counselling-room/visits': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      const id = await freshVisit(w, v)
      return { url: '/api/v1/counselling-room/visits?limit=500', targetId: id }
    },
    contains: itemsContain,
  },
  'POST /api/v1/counselling-room/visits': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      const s = await w.newStudent(v)
      return { url: '/api/v1/counselling-room/visits', payload: { studentId: s.id, visitDate: '2026-10-11', durationMin: 30, topic: 'emotion' } }
    },
  },
  'GET /api/v1/counselling-room/visits/:id': {
    kind: 'item', ok: 200,
    async request(w, v) { const id = await freshVisit(w, v); return { url: `/api/v1/counselling-room/visits/${id}`, targetId: id } },
  },
  'PATCH /api/v1/counselling-room/visits/:id': {
    kind: 'item', ok: 200,
    async request(w, v) { const id = await freshVisit(w, v); return { url: `/api/v1/counselling-room/visits/${id}`, targetId: id, payload: { durationMin: 25 } } },
  },
  'DELETE /api/v1/counselling-room/visits/:id': {
    kind: 'item', ok: 204,
    async request(w, v) { const id = await freshVisit(w, v); return { url: `/api/v1/counselling-room/visits/${id}`, targetId: id } },
  },
  'GET /api/v1/counselling-room/sessions': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      const id = await freshSession(w, v)
      return { url: '/api/v1/counselling-room/sessions?limit=500', targetId: id }
    },
    contains: itemsContain,
  },
  'POST /api/v1/counselling-room/sessions': fixed('/api/v1/counselling-room/sessions', 201, { sessionDate: '2026-10-12', topic: '情绪管理', attendance: 18 }),
  'GET /api/v1/counselling-room/sessions/:id': {
    kind: 'item', ok: 200,
    async request(w, v) { const id = await freshSession(w, v); return { url: `/api/v1/counselling-room/sessions/${id}`, targetId: id } },
  },
  'PATCH /api/v1/counselling-room/sessions/:id': {
    kind: 'item', ok: 200,
    async request(w, v) { const id = await freshSession(w, v); return { url: `/api/v1/counselling-room/sessions/${id}`, targetId: id, payload: { attendance: 21 } } },
  },
  'DELETE /api/v1/counselling-room/sessions/:id': {
    kind: 'item', ok: 204,
    async request(w, v) { const id = await freshSession(w, v); return { url: `/api/v1/counselling-room/sessions/${id}`, targetId: id } },
  },

  // 心理健康教师基本情况.
  'GET /api/v1/staff-profiles': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      const id = await freshStaff(w, v)
      return { url: '/api/v1/staff-profiles?limit=500', targetId: id }
    },
    contains: itemsContain,
  },
  'POST /api/v1/staff-profiles': {
    kind: 'collection',
    ok: 201,
    async request() { return { url: '/api/v1/staff-profiles', payload: { name: `兼职教师${rid()}`, employment: 'part_time' } } },
  },
  'GET /api/v1/staff-profiles/:id': {
    kind: 'item', ok: 200,
    async request(w, v) { const id = await freshStaff(w, v); return { url: `/api/v1/staff-profiles/${id}`, targetId: id } },
  },
  'PATCH /api/v1/staff-profiles/:id': {
    kind: 'item', ok: 200,
    async request(w, v) { const id = await freshStaff(w, v); return { url: `/api/v1/staff-profiles/${id}`, targetId: id, payload: { trainingHoursYear: 20 } } },
  },
  'DELETE /api/v1/staff-profiles/:id': {
    kind: 'item', ok: 204,
    async request(w, v) { const id = await freshStaff(w, v); return { url: `/api/v1/staff-profiles/${id}`, targetId: id } },
  },
}
