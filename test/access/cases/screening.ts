import { eq } from 'drizzle-orm'
import {
  careList, classes, grades, instruments, pairings, screeningCampaigns, screeningResponses, students,
} from '../../../db/schema/index.js'
import type { Role } from '../../../src/access/roles.js'
import { BUILT_IN_INSTRUMENTS } from '../../../src/modules/screening/instruments/index.js'
import { importJobs } from '../../../src/modules/screening/import-jobs.js'
import { rid } from '../../helpers/app.js'
import { itemsContain, type Catalogue } from '../catalogue.js'
import type { StudentRef, Variant, World, WorldUser } from '../world.js'

/**
 * Matrix entries of 测评建档. Records are inserted directly (as the owner) in the
 * place the variant names: the student's class, or school B for otherSchool.
 *
 * Care-list entries are read by mentors of paired students, and every teacher holds the
 * implied mentor role: in the ownClass variant the target student is paired with the caller
 * too (the world pairs only its mentor), so the paired scope the generator expects for a
 * school admin is the one that reaches the record.
 */

const GAD7 = BUILT_IN_INSTRUMENTS[2].id
const TEACHERS: readonly Role[] = ['psych_teacher', 'homeroom_teacher', 'school_admin']

const day = (offset: number) => new Date(Date.now() + 8 * 3_600_000 + offset * 86_400_000).toISOString().slice(0, 10)
const schoolOf = (w: World, v: Variant) => (v === 'otherSchool' ? w.schoolB.schoolId : w.schoolA.schoolId)

export async function campaignIn(w: World, v: Variant, status = 'open'): Promise<string> {
  const schoolId = schoolOf(w, v)
  const row = (await w.database.db.insert(screeningCampaigns).values({
    schoolId, name: `测评${rid()}`, schoolYear: '2026-2027', instrumentIds: [GAD7], gradeLevels: [7],
    startDate: day(-10), endDate: day(10), status,
    // Entry and import cases test who may enter, not consent (their own entries below do).
    consentRequired: false,
  }).returning({ id: screeningCampaigns.id }))[0]!
  return row.id
}

export async function responseFor(w: World, s: StudentRef, campaignId?: string): Promise<string> {
  const cid = campaignId ?? await campaignIn(w, s.schoolId === w.schoolB.schoolId ? 'otherSchool' : 'ownClass')
  const row = (await w.database.db.insert(screeningResponses).values({
    schoolId: s.schoolId, campaignId: cid, studentId: s.id, instrumentId: GAD7, answers: [0, 0, 0, 0, 0, 0, 0],
    totalScore: 0, band: 'minimal', suggestedRisk: 'green', safetyFlag: false, screenedOn: day(-1), source: 'api',
  }).returning({ id: screeningResponses.id }))[0]!
  return row.id
}

/** A fresh student of the variant, paired with the caller in ownClass when the caller is a teacher. */
async function studentFor(w: World, v: Variant, caller: WorldUser): Promise<StudentRef> {
  const s = await w.newStudent(v)
  if (v === 'ownClass' && caller.id !== w.users.mentor.id && TEACHERS.includes(caller.role)) {
    await w.database.db.insert(pairings).values({ schoolId: s.schoolId, studentId: s.id, mentorId: caller.id, purpose: '情绪支持', startDate: '2020-01-01' })
  }
  return s
}

async function careEntryFor(w: World, v: Variant, caller: WorldUser): Promise<string> {
  const s = await studentFor(w, v, caller)
  const row = (await w.database.db.insert(careList).values({
    schoolId: s.schoolId, studentId: s.id, riskLevel: 'yellow', reason: '访谈后关注', guidance: '多鼓励',
  }).returning({ id: careList.id }))[0]!
  return row.id
}

async function instrumentIn(w: World, v: Variant): Promise<string> {
  const def = BUILT_IN_INSTRUMENTS[2].definition
  const code = `SCH-${rid()}`
  const row = (await w.database.db.insert(instruments).values({
    schoolId: schoolOf(w, v), code, version: 1, nameZh: '校本量表', nameEn: 'School scale', definition: { ...def, code }, licence: 'school-owned', builtIn: false,
  }).returning({ id: instruments.id }))[0]!
  return row.id
}

function csvFor(studentNo: string): string {
  return `学号,第1题,第2题,第3题,第4题,第5题,第6题,第7题\n${studentNo},0,1,0,0,0,0,0\n`
}

async function studentNoOf(w: World, s: StudentRef): Promise<string> {
  return (await w.database.db.select({ no: students.studentNo }).from(students).where(eq(students.id, s.id)))[0]!.no
}

/** The grade level world classes have (createSchool makes grade 7). */
export async function gradeOfWorld(w: World): Promise<number> {
  const r = await w.database.db.select({ level: grades.level }).from(classes).innerJoin(grades, eq(grades.id, classes.gradeId)).where(eq(classes.id, w.ownClassId))
  return r[0]!.level
}

const schoolDefinition = () => {
  const def = BUILT_IN_INSTRUMENTS[2].definition
  return { ...def, code: `SCH-${rid()}`, columnPrefixes: ['SCH'], licence: 'School-owned scale' }
}

const classOf = (w: World, v: Variant) => (v === 'ownClass' ? w.ownClassId : v === 'otherClass' ? w.otherClassId : w.schoolB.classIds[0]!)

export const screeningCases: Catalogue = {
  // ── consent ──
  'GET /api/v1/screening/campaigns/:id/consents': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await campaignIn(w, v)
      return { url: `/api/v1/screening/campaigns/${id}/consents?classId=${classOf(w, v)}`, targetId: id }
    },
  },
  'GET /api/v1/screening/campaigns/:id/consents/summary': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await campaignIn(w, v)
      return { url: `/api/v1/screening/campaigns/${id}/consents/summary?classId=${classOf(w, v)}`, targetId: id }
    },
  },
  'PUT /api/v1/screening/campaigns/:id/consents/:studentId': {
    kind: 'create',
    ok: 200,
    async request(w, v) {
      const s = await w.newStudent(v)
      const id = await campaignIn(w, v)
      return { url: `/api/v1/screening/campaigns/${id}/consents/${s.id}`, payload: { guardianConsent: 'given' }, targetId: s.id }
    },
  },
  'POST /api/v1/screening/campaigns/:id/consents/bulk': {
    kind: 'create',
    ok: 200,
    async request(w, v) {
      const s = await w.newStudent(v)
      const id = await campaignIn(w, v)
      return { url: `/api/v1/screening/campaigns/${id}/consents/bulk`, payload: { studentIds: [s.id], guardianConsent: 'refused', studentAssent: 'not_asked' }, targetId: s.id }
    },
  },

  // ── instruments ──
  'GET /api/v1/screening/instruments': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      return { url: '/api/v1/screening/instruments?limit=500', targetId: await instrumentIn(w, v) }
    },
    contains: itemsContain,
  },
  'GET /api/v1/screening/instruments/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await instrumentIn(w, v)
      return { url: `/api/v1/screening/instruments/${id}`, targetId: id }
    },
  },
  'GET /api/v1/screening/instruments/:id/template.xlsx': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await instrumentIn(w, v)
      return { url: `/api/v1/screening/instruments/${id}/template.xlsx`, targetId: id }
    },
  },
  'POST /api/v1/screening/instruments': {
    kind: 'collection',
    ok: 201,
    async request() {
      return { url: '/api/v1/screening/instruments', payload: { definition: schoolDefinition() } }
    },
  },

  // ── campaigns ──
  'GET /api/v1/screening/campaigns': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      return { url: '/api/v1/screening/campaigns?limit=500', targetId: await campaignIn(w, v) }
    },
    contains: itemsContain,
  },
  'POST /api/v1/screening/campaigns': {
    kind: 'collection',
    ok: 201,
    async request(w) {
      return {
        url: '/api/v1/screening/campaigns',
        payload: { name: '秋季测评', schoolYear: '2026-2027', instrumentIds: [GAD7], gradeLevels: [await gradeOfWorld(w)], startDate: day(-1), endDate: day(10) },
      }
    },
  },
  'GET /api/v1/screening/campaigns/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await campaignIn(w, v)
      return { url: `/api/v1/screening/campaigns/${id}`, targetId: id }
    },
  },
  'PATCH /api/v1/screening/campaigns/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await campaignIn(w, v)
      return { url: `/api/v1/screening/campaigns/${id}`, payload: { name: '改名' }, targetId: id }
    },
  },
  'GET /api/v1/screening/campaigns/:id/coverage': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await campaignIn(w, v)
      return { url: `/api/v1/screening/campaigns/${id}/coverage`, targetId: id }
    },
  },

  // ── responses ──
  'POST /api/v1/screening/campaigns/:id/responses': {
    kind: 'create',
    ok: 201,
    async request(w, v) {
      const s = await w.newStudent(v)
      const id = await campaignIn(w, v)
      return { url: `/api/v1/screening/campaigns/${id}/responses`, payload: { studentId: s.id, instrumentId: GAD7, answers: [0, 0, 0, 0, 0, 0, 0] }, targetId: s.id }
    },
  },
  'GET /api/v1/screening/campaigns/:id/responses': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await campaignIn(w, v)
      await responseFor(w, await w.newStudent(v), id)
      return { url: `/api/v1/screening/campaigns/${id}/responses`, targetId: id }
    },
  },
  'GET /api/v1/screening/responses/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await responseFor(w, await w.newStudent(v))
      return { url: `/api/v1/screening/responses/${id}`, targetId: id }
    },
  },
  'PATCH /api/v1/screening/responses/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const id = await responseFor(w, await w.newStudent(v))
      return { url: `/api/v1/screening/responses/${id}`, payload: { confirmedRisk: 'green' }, targetId: id }
    },
  },

  // ── import ──
  'POST /api/v1/screening/campaigns/:id/import': {
    kind: 'item',
    ok: 200,
    async request(w, v) {
      const s = await w.newStudent(v)
      const id = await campaignIn(w, v)
      return {
        url: `/api/v1/screening/campaigns/${id}/import?wait=true`, payload: csvFor(await studentNoOf(w, s)),
        headers: { 'content-type': 'text/csv' }, targetId: id,
      }
    },
  },
  'GET /api/v1/screening/imports/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const job = importJobs.start({ schoolId: schoolOf(w, v), campaignId: await campaignIn(w, v), createdBy: caller.id })
      importJobs.succeed(job, { rows: 1, responses: 1, inserted: 1, alreadyOnFile: 0, crisisEventsOpened: 0 })
      return { url: `/api/v1/screening/imports/${job.id}`, targetId: job.id }
    },
  },

  // ── care list ──
  'GET /api/v1/care-list': {
    kind: 'collection',
    ok: 200,
    async request(w, v, caller) {
      return { url: '/api/v1/care-list?limit=500', targetId: await careEntryFor(w, v, caller) }
    },
    contains: itemsContain,
  },
  'GET /api/v1/care-list/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const id = await careEntryFor(w, v, caller)
      return { url: `/api/v1/care-list/${id}`, targetId: id }
    },
  },
  'POST /api/v1/students/:id/care-list': {
    kind: 'create',
    ok: 201,
    async request(w, v, caller) {
      const s = await studentFor(w, v, caller)
      return { url: `/api/v1/students/${s.id}/care-list`, payload: { riskLevel: 'yellow', guidance: '多鼓励' }, targetId: s.id }
    },
  },
  'PATCH /api/v1/care-list/:id': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const id = await careEntryFor(w, v, caller)
      return { url: `/api/v1/care-list/${id}`, payload: { guidance: '每天问候' }, targetId: id }
    },
  },
  'POST /api/v1/care-list/:id/remove': {
    kind: 'item',
    ok: 200,
    async request(w, v, caller) {
      const id = await careEntryFor(w, v, caller)
      return { url: `/api/v1/care-list/${id}/remove`, payload: { removedReason: '复评正常' }, targetId: id }
    },
  },
}
