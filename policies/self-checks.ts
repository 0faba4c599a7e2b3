import { selfChecks } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 学校自查: the parts of the self-check report the school writes itself (亮点, 存在的主要问题,
 * per-item 备注, the signature block). The report's figures are counts computed when it is
 * shown (src/modules/inspection/self-check/facts.ts), never stored. The district has no
 * access to a school's report: its view is the district summary's counts.
 */
export default definePolicy({
  resource: 'self_checks',
  table: selfChecks,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    period: ['periodKind', 'periodKey', 'checklistId'],
    school: ['highlights', 'problems', 'remarks', 'inspector', 'inspectedOn'],
    meta: ['updatedBy', 'updatedAt'],
  },
  relations: { school: 'schoolId' },
  roles: {
    school_admin: { actions: ['read', 'update', 'export'], scope: 'school', read: ['keys', 'period', 'school', 'meta'], write: ['school', 'period'] },
    psych_teacher: { actions: ['read', 'export'], scope: 'school', read: ['keys', 'period', 'school', 'meta'] },
  },
})
