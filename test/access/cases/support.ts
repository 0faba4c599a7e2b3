import { and, eq } from 'drizzle-orm'
import {
  homeSchoolActivities, institutions, mentorContacts, pairings, parentContacts, peerAlerts, peerWatchNotes, peerWatchRequests, referralEvents, referrals,
} from '../../../db/schema/index.js'
import type { Role } from '../../../src/access/roles.js'
import { createUser } from '../../helpers/app.js'
import { itemsContain, type Catalogue } from '../catalogue.js'
import { inSchool, type StudentRef, type Variant, type World, type WorldUser } from '../world.js'

/**
 * Matrix entries of 师生结对, 同伴跟防, 家校协同 and 及时转介.
 *
 * Where an answer depends on who the record belongs to, the target is placed so that the
 * scope the generator expects is the one the record is reached by:
 * - pairings and mentor contacts: every teacher holds the implied mentor role, so in the
 *   ownClass variant the target is a pairing of the caller (the world pairs only its mentor);
 *   elsewhere it belongs to a mentor no caller is.
 * - monitor records (alerts, watch requests): the caller's own in ownClass, another
 *   monitor's elsewhere.
 */

const TEACHERS: readonly Role[] = ['psych_teacher', 'homeroom_teacher', 'school_admin', 'mentor']

interface Extras { otherMentor: string; otherMonitor: string; otherSchoolMentor: string }
const extras = new WeakMap<World, Promise<Extras>>()

/** Users no matrix caller is: a teacher and a monitor of the other class, a teacher of school B. */
function extrasOf(w: World): Promise<Extras> {
  let p = extras.get(w)
  if (!p) {
    p = (async () => ({
      otherMentor: (await createUser(w.database, w.schoolA, [{ role: 'homeroom_teacher', classId: w.otherClassId }])).id,
      otherMonitor: (await createUser(w.database, w.schoolA, [{ role: 'peer_monitor', classId: w.otherClassId }])).id,
      otherSchoolMentor: (await createUser(w.database, w.schoolB, [{ role: 'mentor' }])).id,
    }))()
    extras.set(w, p)
  }
  return p
}

async function insertPairing(w: World, s: StudentRef, mentorId: string): Promise<string> {
  const row = (await w.database.db.insert(pairings).values({
    schoolId: s.schoolId, studentId: s.id, mentorId, purpose: '学业与情绪支持', guidance: '每周谈心一次', startDate: '2020-01-01',
  }).returning({ id: pairings.id }))[0]!
  return row.id
}

/** A fresh student and a pairing placed as the header says. */
export async function pairingFor(w: World, v: Variant, caller: WorldUser): Promise<{ student: StudentRef; pairingId: string; mentorId: string }> {
  const student = await w.newStudent(v)
  const x = await extrasOf(w)
  if (v === 'ownClass') {
    if (caller.id !== w.users.mentor.id && TEACHERS.includes(caller.role)) {
      return { student, pairingId: await insertPairing(w, student, caller.id), mentorId: caller.id }
    }
    const existing = await w.database.db.select({ id: pairings.id }).from(pairings)
      .where(and(eq(pairings.studentId, student.id), eq(pairings.mentorId, w.users.mentor.id)))
    return { student, pairingId: existing[0]!.id, mentorId: w.users.mentor.id }
  }
  const mentorId = v === 'otherClass' ? x.otherMentor : x.otherSchoolMentor
  return { student, pairingId: await insertPairing(w, student, mentorId), mentorId }
}

const pairingCases: Catalogue = {
  'POST /api/v1/students/:id/pairings': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      const s = await w.newStudent(v)
      // The world pairs its mentor with ownClass pupils: end that one so a new pairing may start.
      await w.database.db.update(pairings).set({ endedAt: new Date() }).where(eq(pairings.studentId, s.id))
      return { url: `/api/v1/students/${s.id}/pairings`, payload: { mentorId: w.users.homeroom_teacher.id, purpose: '情绪支持' }, targetId: s.id }
    },
  },
  'GET /api/v1/pairings': {
    kind: 'collection',
    ok: 200,
    async request(w, v, caller) {
      const p = await pairingFor(w, v, caller)
      return { url: `/api/v1/pairings?studentId=${p.student.id}`, targetId: p.pairingId }
    },
    contains: itemsContain,
  },
  'GET /api/v1/pairings/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const p = await pairingFor(w, v, caller)
      return { url: `/api/v1/pairings/${p.pairingId}`, targetId: p.pairingId }
    },
  },
  'PATCH /api/v1/pairings/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const p = await pairingFor(w, v, caller)
      return { url: `/api/v1/pairings/${p.pairingId}`, payload: { frequency: 'monthly' }, targetId: p.pairingId }
    },
  },
  'POST /api/v1/pairings/:id/end': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const p = await pairingFor(w, v, caller)
      return { url: `/api/v1/pairings/${p.pairingId}/end`, payload: { endedReason: '学期结束' }, targetId: p.pairingId }
    },
  },
  'POST /api/v1/pairings/:id/contacts': {
    kind: 'create',
    ok: 201,
    async request(w, v, caller) {
      const p = await pairingFor(w, v, caller)
      return { url: `/api/v1/pairings/${p.pairingId}/contacts`, payload: { kind: 'talk', summary: '聊了学习计划' }, targetId: p.pairingId }
    },
  },
  'GET /api/v1/mentor-contacts': {
    kind: 'collection',
    ok: 200,
    async request(w, v, caller) {
      const p = await pairingFor(w, v, caller)
      const row = (await w.database.db.insert(mentorContacts).values({
        schoolId: p.student.schoolId, pairingId: p.pairingId, studentId: p.student.id, mentorId: p.mentorId,
        contactDate: '2021-03-01', kind: 'talk', summary: '谈心',
      }).returning({ id: mentorContacts.id }))[0]!
      return { url: `/api/v1/mentor-contacts?studentId=${p.student.id}`, targetId: row.id }
    },
    contains: itemsContain,
  },
}

/** Whose a monitor-owned record is: the caller's in ownClass, another monitor's elsewhere. */
async function ownerFor(w: World, v: Variant, caller: WorldUser): Promise<string> {
  const x = await extrasOf(w)
  return v === 'ownClass' ? caller.id : v === 'otherClass' ? x.otherMonitor : x.otherSchoolMentor
}

async function insertAlert(w: World, v: Variant, caller: WorldUser): Promise<string> {
  const s = await w.newStudent(v)
  const row = (await w.database.db.insert(peerAlerts).values({
    schoolId: s.schoolId, studentId: s.id, classId: s.classId, submittedBy: await ownerFor(w, v, caller),
    whatSeen: '课间一个人哭', urgency: 'medium', ackDeadline: new Date(Date.now() + 4 * 3_600_000),
  }).returning({ id: peerAlerts.id }))[0]!
  return row.id
}

const alertCases: Catalogue = {
  'POST /api/v1/peer-alerts': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      const s = await w.newStudent(v)
      return { url: '/api/v1/peer-alerts', payload: { studentId: s.id, urgency: 'low', whatSeen: '最近不说话' }, targetId: s.id }
    },
  },
  'GET /api/v1/peer-alerts': {
    kind: 'collection',
    ok: 200,
    async request(w, v, caller) {
      const id = await insertAlert(w, v, caller)
      return { url: '/api/v1/peer-alerts?limit=500', targetId: id }
    },
    contains: itemsContain,
  },
  'GET /api/v1/peer-alerts/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const id = await insertAlert(w, v, caller)
      return { url: `/api/v1/peer-alerts/${id}`, targetId: id }
    },
  },
  'POST /api/v1/peer-alerts/:id/acknowledge': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const id = await insertAlert(w, v, caller)
      return { url: `/api/v1/peer-alerts/${id}/acknowledge`, payload: {}, targetId: id }
    },
  },
  'POST /api/v1/peer-alerts/:id/handle': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const id = await insertAlert(w, v, caller)
      return { url: `/api/v1/peer-alerts/${id}/handle`, payload: { handledNote: '已约谈' }, targetId: id }
    },
  },
}

async function insertWatch(w: World, v: Variant, caller: WorldUser): Promise<{ id: string; student: StudentRef }> {
  const student = await w.newStudent(v)
  const row = (await w.database.db.insert(peerWatchRequests).values({
    schoolId: student.schoolId, studentId: student.id, monitorId: await ownerFor(w, v, caller), ask: '留意午饭是否一个人', startDate: '2020-01-01',
  }).returning({ id: peerWatchRequests.id }))[0]!
  return { id: row.id, student }
}

const watchCases: Catalogue = {
  'POST /api/v1/students/:id/peer-watch-requests': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      const s = await w.newStudent(v)
      const x = await extrasOf(w)
      const monitorId = v === 'ownClass' ? w.users.peer_monitor.id : x.otherMonitor
      return { url: `/api/v1/students/${s.id}/peer-watch-requests`, payload: { monitorId, ask: '留意课间情绪' }, targetId: s.id }
    },
  },
  'GET /api/v1/students/:id/peer-monitors': {
    kind: 'create',
    ok: 200,
    async request(w, v) {
      const s = await w.newStudent(v)
      return { url: `/api/v1/students/${s.id}/peer-monitors`, targetId: s.id }
    },
  },
  'GET /api/v1/peer-watch-requests': {
    kind: 'collection',
    ok: 200,
    async request(w, v, caller) {
      const r = await insertWatch(w, v, caller)
      return { url: `/api/v1/peer-watch-requests?limit=500`, targetId: r.id }
    },
    contains: itemsContain,
  },
  'GET /api/v1/peer-watch-requests/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const r = await insertWatch(w, v, caller)
      return { url: `/api/v1/peer-watch-requests/${r.id}`, targetId: r.id }
    },
  },
  'POST /api/v1/peer-watch-requests/:id/end': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const r = await insertWatch(w, v, caller)
      return { url: `/api/v1/peer-watch-requests/${r.id}/end`, targetId: r.id }
    },
  },
  'POST /api/v1/peer-watch-requests/:id/notes': {
    kind: 'create',
    ok: 201,
    async request(w, v, caller) {
      const r = await insertWatch(w, v, caller)
      return { url: `/api/v1/peer-watch-requests/${r.id}/notes`, payload: { note: '今天和同学一起吃饭' }, targetId: r.id }
    },
  },
  'GET /api/v1/peer-watch-requests/:id/notes': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const r = await insertWatch(w, v, caller)
      await w.database.db.insert(peerWatchNotes).values({
        schoolId: r.student.schoolId, requestId: r.id, studentId: r.student.id, monitorId: await ownerFor(w, v, caller), note: '状态还好',
      })
      return { url: `/api/v1/peer-watch-requests/${r.id}/notes`, targetId: r.id }
    },
  },
}

async function insertParentContact(w: World, v: Variant): Promise<string> {
  const s = await w.newStudent(v)
  const row = (await inSchool(w, s.schoolId, () => w.database.db.insert(parentContacts).values({
    schoolId: s.schoolId, studentId: s.id, channel: 'phone', contactDate: '2021-03-02', content: '沟通近况', outcome: '家长配合',
    referralConsent: 'given',
  }).returning({ id: parentContacts.id })))[0]!
  return row.id
}

const parentCases: Catalogue = {
  'POST /api/v1/students/:id/parent-contacts': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      const s = await w.newStudent(v)
      return { url: `/api/v1/students/${s.id}/parent-contacts`, payload: { channel: 'phone', content: '电话沟通近况' }, targetId: s.id }
    },
  },
  'GET /api/v1/parent-contacts': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      const id = await insertParentContact(w, v)
      return { url: '/api/v1/parent-contacts?limit=500', targetId: id }
    },
    contains: itemsContain,
  },
  'GET /api/v1/parent-contacts/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await insertParentContact(w, v)
      return { url: `/api/v1/parent-contacts/${id}`, targetId: id }
    },
  },
  'PATCH /api/v1/parent-contacts/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await insertParentContact(w, v)
      return { url: `/api/v1/parent-contacts/${id}`, payload: { outcome: '约定下周面谈' }, targetId: id }
    },
  },
}

const classOf = (w: World, v: Variant) => (v === 'ownClass' ? w.ownClassId : v === 'otherClass' ? w.otherClassId : w.schoolB.classIds[0])

async function insertActivity(w: World, v: Variant): Promise<string> {
  const row = (await w.database.db.insert(homeSchoolActivities).values({
    schoolId: v === 'otherSchool' ? w.schoolB.schoolId : w.schoolA.schoolId, classId: classOf(w, v),
    kind: 'parent_meeting', title: '期中家长会', activityDate: '2021-11-05', attendance: 38,
  }).returning({ id: homeSchoolActivities.id }))[0]!
  return row.id
}

const activityCases: Catalogue = {
  'POST /api/v1/home-school-activities': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      return { url: '/api/v1/home-school-activities', payload: { classId: classOf(w, v), kind: 'parent_school', title: '家长学校：青春期沟通', activityDate: '2021-10-20', attendance: 40 } }
    },
  },
  'GET /api/v1/home-school-activities': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      const id = await insertActivity(w, v)
      return { url: '/api/v1/home-school-activities?limit=500', targetId: id }
    },
    contains: itemsContain,
  },
  'GET /api/v1/home-school-activities/summary': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      await insertActivity(w, v)
      return { url: '/api/v1/home-school-activities/summary' }
    },
  },
  'GET /api/v1/home-school-activities/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await insertActivity(w, v)
      return { url: `/api/v1/home-school-activities/${id}`, targetId: id }
    },
  },
  'PATCH /api/v1/home-school-activities/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await insertActivity(w, v)
      return { url: `/api/v1/home-school-activities/${id}`, payload: { attendance: 41 }, targetId: id }
    },
  },
}

async function insertInstitution(w: World, v: Variant): Promise<string> {
  const row = (await w.database.db.insert(institutions).values({
    schoolId: v === 'otherSchool' ? w.schoolB.schoolId : w.schoolA.schoolId, name: '市精神卫生中心', kind: 'mental_health_centre',
    department: '儿童青少年科', contactPhone: '010-12345678', address: '示范路1号',
  }).returning({ id: institutions.id }))[0]!
  return row.id
}

/** The directory has no parent: a create always lands in the caller's school (a collection case). */
const institutionCases: Catalogue = {
  'POST /api/v1/institutions': {
    kind: 'collection',
    ok: 201,
    async request() {
      return { url: '/api/v1/institutions', payload: { name: '区人民医院', kind: 'hospital_psychiatry', department: '心理科' } }
    },
  },
  'GET /api/v1/institutions': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      const id = await insertInstitution(w, v)
      return { url: '/api/v1/institutions?limit=500', targetId: id }
    },
    contains: itemsContain,
  },
  'GET /api/v1/institutions/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await insertInstitution(w, v)
      return { url: `/api/v1/institutions/${id}`, targetId: id }
    },
  },
  'PATCH /api/v1/institutions/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await insertInstitution(w, v)
      return { url: `/api/v1/institutions/${id}`, payload: { contactPhone: '010-87654321' }, targetId: id }
    },
  },
}

async function insertReferral(w: World, v: Variant, state = 'proposed'): Promise<string> {
  const s = await w.newStudent(v)
  const institutionId = await insertInstitution(w, v)
  const row = (await w.database.db.insert(referrals).values({
    schoolId: s.schoolId, studentId: s.id, institutionId, reason: '持续情绪低落伴自伤念头', state, followUpDate: '2099-01-01',
  }).returning({ id: referrals.id }))[0]!
  await w.database.db.insert(referralEvents).values({ schoolId: s.schoolId, referralId: row.id, studentId: s.id, toState: 'proposed', note: '拟转介' })
  return row.id
}

const referralCases: Catalogue = {
  'POST /api/v1/students/:id/referrals': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      const s = await w.newStudent(v)
      const institutionId = await insertInstitution(w, 'ownClass')
      return { url: `/api/v1/students/${s.id}/referrals`, payload: { institutionId, reason: '评估抑郁风险', followUpDate: '2099-12-31' }, targetId: s.id }
    },
  },
  'GET /api/v1/referrals': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      const id = await insertReferral(w, v)
      return { url: '/api/v1/referrals?limit=500', targetId: id }
    },
    contains: itemsContain,
  },
  'GET /api/v1/referrals/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await insertReferral(w, v)
      return { url: `/api/v1/referrals/${id}`, targetId: id }
    },
  },
  'PATCH /api/v1/referrals/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await insertReferral(w, v)
      return { url: `/api/v1/referrals/${id}`, payload: { followUpDate: '2099-06-30' }, targetId: id }
    },
  },
  'POST /api/v1/referrals/:id/transitions': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await insertReferral(w, v)
      return { url: `/api/v1/referrals/${id}/transitions`, payload: { to: 'withdrawn' }, targetId: id }
    },
  },
  'GET /api/v1/referrals/:id/events': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await insertReferral(w, v)
      return { url: `/api/v1/referrals/${id}/events`, targetId: id }
    },
  },
  'GET /api/v1/referrals/:id/form': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await insertReferral(w, v, 'consented')
      return { url: `/api/v1/referrals/${id}/form`, targetId: id }
    },
  },
}

export const supportCases: Catalogue = {
  ...referralCases,
  ...institutionCases,
  ...activityCases,
  ...parentCases,
  ...pairingCases,
  ...alertCases,
  ...watchCases,
}
