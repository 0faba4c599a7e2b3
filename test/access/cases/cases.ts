import {
  cases, counsellingSessions, crisisChecklist, crisisDisclosures, crisisEvents, interventionPlans, safetyAssessments,
} from '../../../db/schema/index.js'
import { itemsContain, type Catalogue } from '../catalogue.js'
import { inSchool, type StudentRef, type Variant, type World } from '../world.js'

/**
 * Matrix entries of 积极干预 and 危机事件. Every record hangs off a fresh student
 * of the variant's place, inserted directly as the owner.
 */

const day = (offset: number) => new Date(Date.now() + 8 * 3_600_000 + offset * 86_400_000).toISOString().slice(0, 10)

async function caseFor(w: World, s: StudentRef, openedBy: string | null = null, state = 'open'): Promise<string> {
  const row = (await inSchool(w, s.schoolId, () => w.database.db.insert(cases).values({
    schoolId: s.schoolId, studentId: s.id, source: 'other', riskLevel: 'yellow', state, summary: '谈话后开案', openedBy,
  }).returning({ id: cases.id })))[0]!
  return row.id
}

async function caseIn(w: World, v: Variant, openedBy: string | null = null): Promise<{ id: string; student: StudentRef }> {
  const student = await w.newStudent(v)
  return { id: await caseFor(w, student, openedBy), student }
}

async function planIn(w: World, v: Variant): Promise<{ caseId: string; planId: string }> {
  const c = await caseIn(w, v)
  const row = (await w.database.db.insert(interventionPlans).values({
    schoolId: c.student.schoolId, caseId: c.id, studentId: c.student.id, goals: '恢复作息', measures: '每周辅导', reviewDate: day(3),
  }).returning({ id: interventionPlans.id }))[0]!
  return { caseId: c.id, planId: row.id }
}

async function sessionIn(w: World, v: Variant): Promise<string> {
  const c = await caseIn(w, v)
  const row = (await inSchool(w, c.student.schoolId, () => w.database.db.insert(counsellingSessions).values({
    schoolId: c.student.schoolId, caseId: c.id, studentId: c.student.id, kind: 'individual', sessionDate: day(-1), durationMin: 40, notes: '辅导记录',
  }).returning({ id: counsellingSessions.id })))[0]!
  return row.id
}

async function crisisIn(w: World, v: Variant, status = 'open', s?: StudentRef): Promise<string> {
  s ??= await w.newStudent(v)
  const row = (await w.database.db.insert(crisisEvents).values({
    schoolId: s.schoolId, studentId: s.id, source: 'manual', summary: '课间发现', status, ackDeadline: new Date(Date.now() + 30 * 60_000),
    ...(status !== 'open' ? { acknowledgedAt: new Date() } : {}),
  }).returning({ id: crisisEvents.id }))[0]!
  return row.id
}

/** What a crisis needs before resolution beyond its checklist: an assessment, the homeroom teacher and a guardian told. */
async function safetyStepsOf(w: World, s: StudentRef, crisisId: string): Promise<string> {
  const row = (await inSchool(w, s.schoolId, () => w.database.db.insert(safetyAssessments).values({
    schoolId: s.schoolId, crisisId, studentId: s.id, formCode: 'ASQ-BSSA', formVersion: 1,
    answers: { thoughtsFrequency: 'notNow', thoughtsLast: 'longer', hasPlan: false, hasIntent: false, meansAccess: false, pastAttempt: false },
    disposition: 'none', reason: '学生否认近期想法',
  }).returning({ id: safetyAssessments.id })))[0]!
  await w.database.db.insert(crisisDisclosures).values([
    { schoolId: s.schoolId, crisisId, studentId: s.id, role: 'homeroom_teacher', channel: 'in_person', toldAt: new Date() },
    { schoolId: s.schoolId, crisisId, studentId: s.id, role: 'guardian', notToldReason: '学生要求先由本人告知' },
  ])
  return row.id
}

export const casesCases: Catalogue = {
  // ── cases ──
  'GET /api/v1/cases': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      return { url: '/api/v1/cases?limit=500', targetId: (await caseIn(w, v)).id }
    },
    contains: itemsContain,
  },
  'GET /api/v1/cases/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const { id } = await caseIn(w, v)
      return { url: `/api/v1/cases/${id}`, targetId: id }
    },
  },
  'GET /api/v1/cases/:id/page': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const c = await caseIn(w, v)
      await crisisIn(w, v, 'open', c.student)
      return { url: `/api/v1/cases/${c.id}/page`, targetId: c.id }
    },
  },
  'POST /api/v1/students/:id/cases': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      const s = await w.newStudent(v)
      return { url: `/api/v1/students/${s.id}/cases`, payload: { source: 'talk', riskLevel: 'yellow', summary: '谈话后开案' }, targetId: s.id }
    },
  },
  'PATCH /api/v1/cases/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const { id } = await caseIn(w, v)
      return { url: `/api/v1/cases/${id}`, payload: { summary: '更新' }, targetId: id }
    },
  },
  'POST /api/v1/cases/:id/transition': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const { id } = await caseIn(w, v)
      return { url: `/api/v1/cases/${id}/transition`, payload: { to: 'intervening', reason: '开始干预' }, targetId: id }
    },
  },
  'GET /api/v1/cases/:id/events': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const { id } = await caseIn(w, v)
      return { url: `/api/v1/cases/${id}/events`, targetId: id }
    },
  },
  'GET /api/v1/worklist': {
    kind: 'collection',
    ok: 200,
    async request(w, v, caller) {
      return { url: '/api/v1/worklist', targetId: (await caseIn(w, v, caller.id)).id }
    },
    contains(body, id) {
      const items = (body as { myOpenCases?: { items?: Array<{ id?: string }> } }).myOpenCases?.items ?? []
      return items.some((i) => i.id === id)
    },
  },

  // ── plans & sessions ──
  'POST /api/v1/cases/:id/plan': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      const { id } = await caseIn(w, v)
      return { url: `/api/v1/cases/${id}/plan`, payload: { goals: '恢复作息', measures: '每周辅导', reviewDate: day(7) }, targetId: id }
    },
  },
  'GET /api/v1/cases/:id/plan': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const { caseId } = await planIn(w, v)
      return { url: `/api/v1/cases/${caseId}/plan`, targetId: caseId }
    },
  },
  'PATCH /api/v1/plans/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const { planId } = await planIn(w, v)
      return { url: `/api/v1/plans/${planId}`, payload: { reviewDate: day(10) }, targetId: planId }
    },
  },
  'POST /api/v1/cases/:id/sessions': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      const { id } = await caseIn(w, v)
      return { url: `/api/v1/cases/${id}/sessions`, payload: { kind: 'individual', sessionDate: day(0), durationMin: 40, notes: '首次辅导' }, targetId: id }
    },
  },
  'GET /api/v1/cases/:id/sessions': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const { id, student } = await caseIn(w, v)
      await inSchool(w, student.schoolId, () => w.database.db.insert(counsellingSessions).values({ schoolId: student.schoolId, caseId: id, studentId: student.id, kind: 'group', sessionDate: day(-2), durationMin: 60, notes: '团体辅导' }))
      return { url: `/api/v1/cases/${id}/sessions`, targetId: id }
    },
  },
  'GET /api/v1/sessions/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await sessionIn(w, v)
      return { url: `/api/v1/sessions/${id}`, targetId: id }
    },
  },
  'PATCH /api/v1/sessions/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await sessionIn(w, v)
      return { url: `/api/v1/sessions/${id}`, payload: { notes: '补充记录' }, targetId: id }
    },
  },

  // ── crisis events ──
  'GET /api/v1/crisis-events': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      return { url: '/api/v1/crisis-events?limit=500', targetId: await crisisIn(w, v) }
    },
    contains: itemsContain,
  },
  'GET /api/v1/crisis-events/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await crisisIn(w, v)
      return { url: `/api/v1/crisis-events/${id}`, targetId: id }
    },
  },
  'POST /api/v1/students/:id/crisis-events': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      const s = await w.newStudent(v)
      return { url: `/api/v1/students/${s.id}/crisis-events`, payload: { summary: '课间发现情绪异常' }, targetId: s.id }
    },
  },
  'PATCH /api/v1/crisis-events/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await crisisIn(w, v)
      return { url: `/api/v1/crisis-events/${id}`, payload: { summary: '补充情况' }, targetId: id }
    },
  },
  'POST /api/v1/crisis-events/:id/acknowledge': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await crisisIn(w, v)
      return { url: `/api/v1/crisis-events/${id}/acknowledge`, payload: {}, targetId: id }
    },
  },
  'POST /api/v1/crisis-events/:id/resolve': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const s = await w.newStudent(v)
      const id = await crisisIn(w, v, 'acknowledged', s)
      await w.database.db.insert(crisisChecklist).values(
        ['parent_notified', 'escort', 'safety_assessment', 'leader_informed', 'referral_considered'].map((item) => ({ schoolId: s.schoolId, crisisId: id, studentId: s.id, item })),
      )
      await safetyStepsOf(w, s, id)
      return { url: `/api/v1/crisis-events/${id}/resolve`, payload: {}, targetId: id }
    },
  },

  // ── safety assessment and who was told ──
  'GET /api/v1/safety-assessment-form': {
    kind: 'collection',
    ok: 200,
    async request() { return { url: '/api/v1/safety-assessment-form' } },
  },
  'PUT /api/v1/safety-assessment-form/wording': {
    kind: 'collection',
    ok: 200,
    async request() { return { url: '/api/v1/safety-assessment-form/wording', payload: { texts: { hasPlan: '你有没有想过具体怎么结束自己的生命？' } } } },
  },
  'POST /api/v1/crisis-events/:id/assessment': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      const id = await crisisIn(w, v)
      return {
        url: `/api/v1/crisis-events/${id}/assessment`,
        payload: { answers: { thoughtsFrequency: 'notNow', thoughtsLast: 'longer', hasPlan: false, hasIntent: false, meansAccess: false, pastAttempt: false }, disposition: 'none', reason: '学生否认近期想法' },
        targetId: id,
      }
    },
  },
  'GET /api/v1/crisis-events/:id/assessment': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const s = await w.newStudent(v)
      const id = await crisisIn(w, v, 'open', s)
      await safetyStepsOf(w, s, id)
      return { url: `/api/v1/crisis-events/${id}/assessment`, targetId: id }
    },
  },
  'POST /api/v1/crisis-events/:id/disclosures': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      const id = await crisisIn(w, v)
      return { url: `/api/v1/crisis-events/${id}/disclosures`, payload: { role: 'homeroom_teacher', channel: 'phone', note: '已电话告知班主任' }, targetId: id }
    },
  },
  'GET /api/v1/crisis-events/:id/disclosures': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const s = await w.newStudent(v)
      const id = await crisisIn(w, v, 'open', s)
      await safetyStepsOf(w, s, id)
      return { url: `/api/v1/crisis-events/${id}/disclosures`, targetId: id }
    },
  },
  'POST /api/v1/crisis-events/:id/checklist': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      const id = await crisisIn(w, v)
      return { url: `/api/v1/crisis-events/${id}/checklist`, payload: { item: 'escort' }, targetId: id }
    },
  },
}
