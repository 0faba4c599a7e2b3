import { sql } from 'drizzle-orm'
import type { Catalogue, RouteCase } from '../catalogue.js'

/**
 * District tables: collections with no id and no filter. The target is a fresh
 * student of the variant's place; district scope reaches no student, so the answer must
 * never carry the id (nor does any other role get past 403).
 */
const tableCase = (url: string): RouteCase => ({
  kind: 'collection',
  ok: 200,
  async request(world, variant) {
    const s = await world.newStudent(variant)
    return { url, targetId: s.id }
  },
  contains(body, targetId) {
    return JSON.stringify(body).includes(targetId)
  },
})

const tables = ['risk-current', 'risk-by-year', 'screening-coverage', 'talk-compliance', 'home-school-activities', 'referrals', 'crisis-response', 'staffing']

export const districtCases: Catalogue = {
  ...Object.fromEntries(tables.map((name) => [`GET /api/v1/district/tables/${name}`, tableCase(`/api/v1/district/tables/${name}`)])),
  'GET /api/v1/district/releases': {
    kind: 'collection',
    ok: 200,
    async request() { return { url: '/api/v1/district/releases' } },
  },
  // An on-demand release is allowed once a week: each request starts from a district without releases.
  'POST /api/v1/district/releases': {
    kind: 'collection',
    ok: 201,
    async request(world) {
      await world.database.db.execute(sql`delete from district_releases where district_id = ${world.schoolA.districtId}`)
      return { url: '/api/v1/district/releases' }
    },
  },
  'GET /api/v1/district/export.xlsx': {
    kind: 'collection',
    ok: 200,
    async request() { return { url: '/api/v1/district/export.xlsx' } },
  },
}
