import { eq } from 'drizzle-orm'
import { schools, users } from '../../../db/schema/index.js'
import { rid } from '../../helpers/app.js'
import type { Catalogue } from '../catalogue.js'

/**
 * Matrix entries of the second factor's admin side. A reset targets a colleague with a second
 * factor, made fresh in the school the variant names. The school's requirement is the caller's
 * own school's (a fixed collection); the write sets "not required" and the cleanup hands the
 * choice back to the deployment, so no later case meets a required second factor.
 */
export const secondFactorCases: Catalogue = {
  'POST /api/v1/users/:id/second-factor-reset': {
    kind: 'item',
    ok: 204,
    async request(w, v) {
      const s = v === 'otherSchool' ? w.schoolB : w.schoolA
      const row = (await w.database.db.insert(users).values({
        username: `f_${rid()}${rid()}`, passwordHash: 'x', displayName: `教师${rid()}`, schoolId: s.schoolId, districtId: s.districtId,
        totpSecret: 'v1.x.y.z', totpEnabledAt: new Date(),
      }).returning())[0]!
      return { url: `/api/v1/users/${row.id}/second-factor-reset`, targetId: row.id }
    },
  },
  'GET /api/v1/school/second-factor': {
    kind: 'collection',
    ok: 200,
    async request() { return { url: '/api/v1/school/second-factor' } },
  },
  'PUT /api/v1/school/second-factor': {
    kind: 'collection',
    ok: 200,
    async request() { return { url: '/api/v1/school/second-factor', payload: { required: false } } },
    async cleanup(w) {
      await w.database.db.update(schools).set({ requireSecondFactor: null }).where(eq(schools.id, w.schoolA.schoolId))
    },
  },
}
