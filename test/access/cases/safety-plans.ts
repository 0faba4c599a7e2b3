import {
  cases, pairings, safetyPlanReviews, safetyPlans, safetyPlanVersions,
} from '../../../db/schema/index.js'
import type { Role } from '../../../src/access/roles.js'
import { itemsContain, type Catalogue } from '../catalogue.js'
import { inSchool, type StudentRef, type Variant, type World, type WorldUser } from '../world.js'

/**
 * Matrix entries of 安全计划. A plan's versions are read by the pupil's paired mentor, and
 * every teacher holds the implied mentor role: in the ownClass variant the target pupil is
 * paired with the caller too (the world pairs only its mentor), so the paired scope the
 * generator expects for a homeroom teacher or a school admin is the one that reaches it.
 */

const TEACHERS: readonly Role[] = ['psych_teacher', 'homeroom_teacher', 'school_admin']

const day = (offset: number) => new Date(Date.now() + 8 * 3_600_000 + offset * 86_400_000).toISOString().slice(0, 10)

export const planContent = {
  warningSigns: ['一个人待在房间不出来'],
  copingStrategies: ['听喜欢的歌'],
  socialDistractions: ['去操场打球'],
  helpContacts: [{ name: '妈妈', phone: '139 0000 1234' }],
  professionals: [{ name: '心理援助热线', phone: '12356' }],
  environmentSafety: ['家长把药品收起来'],
  reasonsForLiving: ['想养一只猫'],
}

async function studentFor(w: World, v: Variant, caller: WorldUser): Promise<StudentRef> {
  const s = await w.newStudent(v)
  if (v === 'ownClass' && caller.id !== w.users.mentor.id && TEACHERS.includes(caller.role)) {
    await w.database.db.insert(pairings).values({ schoolId: s.schoolId, studentId: s.id, mentorId: caller.id, purpose: '情绪支持', startDate: '2020-01-01' })
  }
  return s
}

async function caseOf(w: World, s: StudentRef): Promise<string> {
  return (await inSchool(w, s.schoolId, () => w.database.db.insert(cases).values({
    schoolId: s.schoolId, studentId: s.id, source: 'other', riskLevel: 'red', state: 'open', summary: '危机后开案',
  }).returning({ id: cases.id })))[0]!.id
}

/** An open case with an active plan (version 1) and one review. */
async function planIn(w: World, v: Variant, caller: WorldUser): Promise<{ caseId: string; planId: string }> {
  const s = await studentFor(w, v, caller)
  const caseId = await caseOf(w, s)
  const { db } = w.database
  const planId = (await db.insert(safetyPlans).values({ schoolId: s.schoolId, caseId, studentId: s.id, status: 'active', currentVersion: 1 })
    .returning({ id: safetyPlans.id }))[0]!.id
  await inSchool(w, s.schoolId, async () => {
    await db.insert(safetyPlanVersions).values({ schoolId: s.schoolId, planId, studentId: s.id, version: 1, ...planContent })
    await db.insert(safetyPlanReviews).values({ schoolId: s.schoolId, planId, studentId: s.id, reviewedOn: day(-1), context: 'follow_up', note: '能说出应对方法' })
  })
  return { caseId, planId }
}

export const safetyPlanCases: Catalogue = {
  'POST /api/v1/cases/:id/safety-plan': {
    kind: 'create',
    ok: 201,
    async request(w, v, caller) {
      const caseId = await caseOf(w, await studentFor(w, v, caller))
      return { url: `/api/v1/cases/${caseId}/safety-plan`, payload: planContent, targetId: caseId }
    },
  },
  'GET /api/v1/cases/:id/safety-plan': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const { caseId, planId } = await planIn(w, v, caller)
      return { url: `/api/v1/cases/${caseId}/safety-plan`, targetId: planId }
    },
  },
  'GET /api/v1/cases/:id/safety-plan/defaults': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const caseId = await caseOf(w, await studentFor(w, v, caller))
      return { url: `/api/v1/cases/${caseId}/safety-plan/defaults`, targetId: caseId }
    },
  },
  'GET /api/v1/cases/:id/safety-plan/last-review': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const { caseId, planId } = await planIn(w, v, caller)
      return { url: `/api/v1/cases/${caseId}/safety-plan/last-review`, targetId: planId }
    },
  },
  'GET /api/v1/safety-plans': {
    kind: 'collection',
    ok: 200,
    async request(w, v, caller) {
      const { planId } = await planIn(w, v, caller)
      return { url: '/api/v1/safety-plans?limit=500', targetId: planId }
    },
    contains: itemsContain,
  },
  'GET /api/v1/safety-plans/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const { planId } = await planIn(w, v, caller)
      return { url: `/api/v1/safety-plans/${planId}`, targetId: planId }
    },
  },
  'POST /api/v1/safety-plans/:id/versions': {
    kind: 'item',
    ok: 201,
    async request(w, v, caller) {
      const { planId } = await planIn(w, v, caller)
      return { url: `/api/v1/safety-plans/${planId}/versions`, payload: planContent, targetId: planId }
    },
  },
  'GET /api/v1/safety-plans/:id/versions/:version': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const { planId } = await planIn(w, v, caller)
      return { url: `/api/v1/safety-plans/${planId}/versions/1`, targetId: planId }
    },
  },
  'POST /api/v1/safety-plans/:id/end': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const { planId } = await planIn(w, v, caller)
      return { url: `/api/v1/safety-plans/${planId}/end`, payload: {}, targetId: planId }
    },
  },
  'POST /api/v1/safety-plans/:id/reviews': {
    kind: 'item',
    ok: 201,
    async request(w, v, caller) {
      const { planId } = await planIn(w, v, caller)
      return { url: `/api/v1/safety-plans/${planId}/reviews`, payload: { reviewedOn: day(0), context: 'return_to_school', note: '复学当天复查' }, targetId: planId }
    },
  },
  'GET /api/v1/safety-plans/:id/reviews': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const { planId } = await planIn(w, v, caller)
      return { url: `/api/v1/safety-plans/${planId}/reviews`, targetId: planId }
    },
  },
  'GET /api/v1/safety-plans/:id/print': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const { planId } = await planIn(w, v, caller)
      return { url: `/api/v1/safety-plans/${planId}/print`, targetId: planId }
    },
  },
}
