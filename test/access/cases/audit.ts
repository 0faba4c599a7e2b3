import type { Catalogue } from '../catalogue.js'

export const auditCases: Catalogue = {
  'GET /api/v1/audit/verify': {
    kind: 'collection',
    ok: 200,
    async request() { return { url: '/api/v1/audit/verify' } },
  },
  'GET /api/v1/students/:id/access-log': {
    kind: 'item',
    ok: 200,
    async request(world, variant) {
      const s = await world.newStudent(variant)
      return { url: `/api/v1/students/${s.id}/access-log`, targetId: s.id }
    },
  },
}
