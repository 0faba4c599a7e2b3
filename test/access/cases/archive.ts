import type { Catalogue } from '../catalogue.js'

export const archiveCases: Catalogue = {
  'GET /api/v1/students/:id/archive': {
    kind: 'item',
    ok: 200,
    async request(world, variant) {
      const s = await world.newStudent(variant)
      return { url: `/api/v1/students/${s.id}/archive`, targetId: s.id }
    },
  },
}
