import { inspectionVisits, rectificationItems } from '../../../db/schema/index.js'
import { rid } from '../../helpers/app.js'
import { itemsContain, type Catalogue, type RouteCase } from '../catalogue.js'
import type { Variant, World } from '../world.js'

/**
 * Matrix entries of the 整改 loop. Visits and their problems are school-wide records: the
 * ownClass and otherClass variants place them in school A, otherSchool in school B. Every
 * request gets a fresh problem (a 回头看 that finds it rectified closes it). The district
 * summary is a collection of counts: a fresh student of the variant never appears in it.
 */

const schoolOf = (w: World, v: Variant) => (v === 'otherSchool' ? w.schoolB.schoolId : w.schoolA.schoolId)

async function freshVisit(w: World, v: Variant): Promise<string> {
  return (await w.database.db.insert(inspectionVisits).values({ schoolId: schoolOf(w, v), visitedOn: '2026-09-20', inspectorName: `督学${rid()}` }).returning())[0]!.id
}

async function freshItem(w: World, v: Variant): Promise<string> {
  const visitId = await freshVisit(w, v)
  return (await w.database.db.insert(rectificationItems).values({
    schoolId: schoolOf(w, v), visitId, itemCode: '2', problem: `问题${rid()}`, responsibleName: '李主任', deadline: '2026-10-31',
  }).returning())[0]!.id
}

const visitItem = (ok: number, suffix = '', payload?: unknown): RouteCase => ({
  kind: 'item', ok,
  async request(w, v) { const id = await freshVisit(w, v); return { url: `/api/v1/inspection-visits/${id}${suffix}`, targetId: id, ...(payload !== undefined ? { payload } : {}) } },
})

const problemItem = (ok: number, suffix = '', payload?: unknown): RouteCase => ({
  kind: 'item', ok,
  async request(w, v) { const id = await freshItem(w, v); return { url: `/api/v1/rectification-items/${id}${suffix}`, targetId: id, ...(payload !== undefined ? { payload } : {}) } },
})

const summaryCase = (url: string, json: boolean): RouteCase => ({
  kind: 'collection',
  ok: 200,
  async request(w, v) {
    await freshItem(w, v)
    const s = await w.newStudent(v)
    return { url, targetId: s.id }
  },
  ...(json ? { contains: (body: unknown, targetId: string) => JSON.stringify(body).includes(targetId) } : {}),
})

export const rectificationCases: Catalogue = {
  'GET /api/v1/inspection-checklist': { kind: 'collection', ok: 200, async request() { return { url: '/api/v1/inspection-checklist' } } },
  'GET /api/v1/inspection-visits': {
    kind: 'collection', ok: 200,
    async request(w, v) { const id = await freshVisit(w, v); return { url: '/api/v1/inspection-visits?limit=500', targetId: id } },
    contains: itemsContain,
  },
  'POST /api/v1/inspection-visits': {
    kind: 'collection', ok: 201,
    async request() {
      return {
        url: '/api/v1/inspection-visits',
        payload: { visitedOn: '2026-09-20', inspectorName: '王督学', items: [{ itemCode: '10', problem: '应急预案未演练', responsibleName: '李主任', deadline: '2026-10-31' }] },
      }
    },
  },
  'GET /api/v1/inspection-visits/:id': visitItem(200),
  'PATCH /api/v1/inspection-visits/:id': visitItem(200, '', { summary: '查看资料、查看记录' }),
  'POST /api/v1/inspection-visits/:id/items': visitItem(201, '/items', { itemCode: '3', problem: '主题活动记录不全', responsibleName: '张老师', deadline: '2026-11-30' }),
  'GET /api/v1/rectification-items': {
    kind: 'collection', ok: 200,
    async request(w, v) { const id = await freshItem(w, v); return { url: '/api/v1/rectification-items?limit=500', targetId: id } },
    contains: itemsContain,
  },
  'GET /api/v1/rectification-items/:id': problemItem(200),
  'PATCH /api/v1/rectification-items/:id': problemItem(200, '', { measure: '按课表补齐课时' }),
  'POST /api/v1/rectification-items/:id/notes': problemItem(201, '/notes', { body: '已调整课表' }),
  'POST /api/v1/rectification-items/:id/checks': problemItem(201, '/checks', { checkedOn: '2026-11-05', rectified: true }),
  'GET /api/v1/district/inspection-summary': summaryCase('/api/v1/district/inspection-summary?from=2026-09-01&to=2027-01-31', true),
  'GET /api/v1/district/inspection-summary.xlsx': summaryCase('/api/v1/district/inspection-summary.xlsx?from=2026-09-01&to=2027-01-31', false),
}
