import { onCallShifts } from '../../../db/schema/index.js'
import { itemsContain, type Catalogue } from '../catalogue.js'
import type { Variant, World } from '../world.js'

/**
 * Matrix entries of the escalation chain, the on-call roster and the school hours. The chain
 * and the hours are the caller's own school's (no id in the path); shifts are school-wide
 * records: ownClass and otherClass place them in school A, otherSchool in school B.
 */

const HOUR = 3_600_000

async function freshShift(w: World, v: Variant): Promise<string> {
  const other = v === 'otherSchool'
  const start = new Date(Date.now() + 24 * HOUR)
  return (await w.database.db.insert(onCallShifts).values({
    schoolId: other ? w.schoolB.schoolId : w.schoolA.schoolId,
    userId: other ? w.adminB.id : w.users.psych_teacher.id,
    startsAt: start, endsAt: new Date(start.getTime() + 14 * HOUR),
  }).returning())[0]!.id
}

const fixed = (url: string, ok = 200, payload?: (w: World) => unknown) => ({
  kind: 'collection' as const,
  ok,
  async request(w: World) { return { url, ...(payload ? { payload: payload(w) } : {}) } },
})

const shiftItem = (method: string, ok: number, payload?: (w: World) => unknown) => ({
  [`${method} /api/v1/on-call/:id`]: {
    kind: 'item' as const,
    ok,
    async request(w: World, v: Variant) {
      const id = await freshShift(w, v)
      return { url: `/api/v1/on-call/${id}`, targetId: id, ...(payload ? { payload: payload(w) } : {}) }
    },
  },
})

const chain = (w: World) => ({
  steps: [
    { afterMinutes: 0, recipients: { onCall: true } },
    { afterMinutes: 10, recipients: { roles: ['psych_teacher', 'school_admin'], userIds: [w.users.psych_teacher.id] } },
  ],
  repeatMinutes: 20,
})

export const escalationCases: Catalogue = {
  'GET /api/v1/escalation-chains': fixed('/api/v1/escalation-chains'),
  'GET /api/v1/escalation-chains/:kind': fixed('/api/v1/escalation-chains/crisis'),
  'PUT /api/v1/escalation-chains/:kind': fixed('/api/v1/escalation-chains/crisis', 200, chain),
  'DELETE /api/v1/escalation-chains/:kind': fixed('/api/v1/escalation-chains/alert'),
  'GET /api/v1/on-call': {
    kind: 'collection',
    ok: 200,
    async request(w, v) {
      const id = await freshShift(w, v)
      return { url: '/api/v1/on-call?limit=500', targetId: id }
    },
    contains: itemsContain,
  },
  'GET /api/v1/on-call/now': fixed('/api/v1/on-call/now'),
  'POST /api/v1/on-call': fixed('/api/v1/on-call', 201, (w) => ({
    userId: w.users.psych_teacher.id, startsAt: '2026-10-09T17:30:00+08:00', endsAt: '2026-10-10T07:30:00+08:00',
  })),
  ...shiftItem('GET', 200),
  ...shiftItem('PATCH', 200, (w) => ({ userId: w.users.school_admin.id })),
  ...shiftItem('DELETE', 204),
  'GET /api/v1/school-hours': fixed('/api/v1/school-hours'),
  'PUT /api/v1/school-hours': fixed('/api/v1/school-hours', 200, () => ({ dayStart: '07:40', dayEnd: '17:20', weekdays: [1, 2, 3, 4, 5] })),
}
