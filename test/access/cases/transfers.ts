import { eq } from 'drizzle-orm'
import { students, studentTransfers } from '../../../db/schema/index.js'
import { withNotesSchool } from '../../../src/crypto/notes-keys.js'
import { rid } from '../../helpers/app.js'
import { itemsContain, type Catalogue, type RouteCase } from '../catalogue.js'
import type { StudentRef, Variant, World } from '../world.js'

/**
 * Matrix entries of 转学. A package belongs to two schools: the sending school reaches it
 * through /transfers (student_transfers), the receiving one through /received-transfers
 * (student_transfers_received). So that the scope the generator expects is the one that
 * reaches the target:
 * - sender routes: ownClass / otherClass place a package school A sends (to B) for a pupil of
 *   that class; otherSchool one school B sends to A — A's own received package, still no
 *   business of A's sender routes.
 * - receiver routes: ownClass / otherClass place a package B sent to A; otherSchool one A sent
 *   to B, which A does not receive.
 * Every request gets a fresh package (each step changes its state).
 */

const consent = { consentGuardian: `监护人${rid()}`, consentMethod: '书面', consentDate: '2026-11-02' }

async function pupilWithId(w: World, v: Variant): Promise<StudentRef & { nationalId: string }> {
  const s = await w.newStudent(v)
  const nationalId = `G${rid()}${rid()}`.toUpperCase()
  await w.database.db.update(students).set({ nationalId }).where(eq(students.id, s.id))
  return { ...s, nationalId }
}

const otherOf = (w: World, schoolId: string) => (schoolId === w.schoolA.schoolId ? w.schoolB.schoolId : w.schoolA.schoolId)

/** A package of the sending side: from the variant's school to the other one. */
async function outgoing(w: World, v: Variant, status: string): Promise<string> {
  const s = await pupilWithId(w, v)
  return withNotesSchool(w.database.db, s.schoolId, async () => (await w.database.db.insert(studentTransfers).values({
    schoolId: s.schoolId, studentId: s.id, nationalId: s.nationalId, toSchoolId: otherOf(w, s.schoolId), status, parts: ['open_risk', 'summary'],
    payload: JSON.stringify({ summary: '摘要' }), ...consent, ...(status === 'draft' ? {} : { sentAt: new Date() }),
  }).returning())[0]!.id)
}

/**
 * A package of the receiving side: in school A's variants it was sent by B to A (and A has a
 * current pupil with its 学籍号, so it can be accepted); otherSchool, A sent it to B.
 */
async function incoming(w: World, v: Variant): Promise<string> {
  if (v === 'otherSchool') return outgoing(w, 'ownClass', 'sent')
  const fromB = await pupilWithId(w, 'otherSchool')
  const here = await w.newStudent(v)
  await w.database.db.update(students).set({ nationalId: fromB.nationalId }).where(eq(students.id, here.id))
  return withNotesSchool(w.database.db, fromB.schoolId, async () => (await w.database.db.insert(studentTransfers).values({
    schoolId: fromB.schoolId, studentId: fromB.id, nationalId: fromB.nationalId, toSchoolId: w.schoolA.schoolId, status: 'sent', parts: ['open_risk'],
    payload: JSON.stringify({ openRisk: { caseRisk: null, caseOpenedOn: null, careListRisk: null, careListSince: null } }), ...consent, sentAt: new Date(),
  }).returning())[0]!.id)
}

const sentItem = (ok: number, status: string, suffix = '', payload?: unknown): RouteCase => ({
  kind: 'item', ok,
  async request(w, v) { const id = await outgoing(w, v, status); return { url: `/api/v1/transfers/${id}${suffix}`, targetId: id, ...(payload !== undefined ? { payload } : {}) } },
})

const receivedItem = (ok: number, suffix: string, payload?: unknown): RouteCase => ({
  kind: 'item', ok,
  async request(w, v) { const id = await incoming(w, v); return { url: `/api/v1/received-transfers/${id}${suffix}`, targetId: id, ...(payload !== undefined ? { payload } : {}) } },
})

export const transferCases: Catalogue = {
  'GET /api/v1/transfer-schools': { kind: 'collection', ok: 200, async request() { return { url: '/api/v1/transfer-schools' } } },
  'POST /api/v1/students/:id/transfers': {
    kind: 'create', ok: 201,
    async request(w, v) {
      const s = await pupilWithId(w, v)
      return { url: `/api/v1/students/${s.id}/transfers`, payload: { toSchoolId: w.schoolB.schoolId, parts: ['open_risk'] } }
    },
  },
  'GET /api/v1/students/:id/transfers': {
    kind: 'item', ok: 200,
    async request(w, v) { const s = await w.newStudent(v); return { url: `/api/v1/students/${s.id}/transfers`, targetId: s.id } },
  },
  'POST /api/v1/students/:id/transfer-export': {
    kind: 'item', ok: 200,
    async request(w, v) {
      const s = await w.newStudent(v)
      return {
        url: `/api/v1/students/${s.id}/transfer-export`, targetId: s.id,
        payload: { parts: ['open_risk'], receivingSchoolName: '外省某中学', ...consent, password: 'Matrix-password-1' },
      }
    },
  },
  'GET /api/v1/transfers': {
    kind: 'collection', ok: 200,
    async request(w, v) { const id = await outgoing(w, v, 'sent'); return { url: '/api/v1/transfers?limit=500', targetId: id } },
    contains: itemsContain,
  },
  'GET /api/v1/transfers/:id': sentItem(200, 'sent'),
  'PATCH /api/v1/transfers/:id': sentItem(200, 'draft', '', { consentMethod: '电话' }),
  'POST /api/v1/transfers/:id/send': sentItem(200, 'draft', '/send'),
  'POST /api/v1/transfers/:id/cancel': sentItem(200, 'sent', '/cancel'),
  'GET /api/v1/received-transfers': {
    kind: 'collection', ok: 200,
    async request(w, v) { const id = await incoming(w, v); return { url: '/api/v1/received-transfers?limit=500', targetId: id } },
    contains: itemsContain,
  },
  'POST /api/v1/received-transfers/:id/open': receivedItem(200, '/open'),
  'POST /api/v1/received-transfers/:id/accept': receivedItem(200, '/accept'),
  'POST /api/v1/received-transfers/:id/decline': receivedItem(200, '/decline', { declineReason: '未到本校报到' }),
}
