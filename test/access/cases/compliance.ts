import type { Catalogue } from '../catalogue.js'

/**
 * Matrix entries of 合规审计. The report is the caller's own school's, for a calendar year (no
 * record to place: a school-wide answer of counts), so each route is a fixed collection: a role
 * without the decision gets 403, the school admin their own school's report.
 */
const fixed = (url: string) => ({
  kind: 'collection' as const,
  ok: 200,
  async request() { return { url } },
})

export const complianceCases: Catalogue = {
  'GET /api/v1/compliance/report': fixed('/api/v1/compliance/report?year=2026'),
  'GET /api/v1/compliance/report/export.xlsx': fixed('/api/v1/compliance/report/export.xlsx?year=2026'),
  'GET /api/v1/compliance/report/print.html': fixed('/api/v1/compliance/report/print.html?year=2026'),
}
