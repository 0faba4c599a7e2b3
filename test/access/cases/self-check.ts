import type { Catalogue } from '../catalogue.js'

/**
 * Matrix entries of 学校自查. The report is the caller's own school's, for a school year (no
 * record to place: a school-wide answer of counts), so each route is a fixed collection: a
 * role without the decision gets 403, the others their own school's report.
 */
const fixed = (url: string, ok = 200, payload?: unknown) => ({
  kind: 'collection' as const,
  ok,
  async request() { return { url, ...(payload !== undefined ? { payload } : {}) } },
})

const year = 'schoolYear=2026-2027'

export const selfCheckCases: Catalogue = {
  'GET /api/v1/self-check': fixed(`/api/v1/self-check?${year}`),
  'PUT /api/v1/self-check': fixed(`/api/v1/self-check?${year}`, 200, { highlights: '亮点', remarks: { 1: '备注' } }),
  'GET /api/v1/self-check/export.xlsx': fixed(`/api/v1/self-check/export.xlsx?${year}`),
  'GET /api/v1/self-check/print.html': fixed(`/api/v1/self-check/print.html?${year}`),
  'GET /api/v1/self-check/report.html': fixed(`/api/v1/self-check/report.html?${year}`),
  'GET /api/v1/self-check/staffing-survey.xlsx': fixed('/api/v1/self-check/staffing-survey.xlsx?year=2026'),
}
