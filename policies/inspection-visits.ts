import { inspectionVisits } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 督导检查 visits: when the inspectors came and what their 整改通知书 said. The school admin
 * keeps them; psychology teachers read them (they add progress notes to the problems). Nobody
 * outside the school reads a visit: the district sees counts only.
 */
export default definePolicy({
  resource: 'inspection_visits',
  table: inspectionVisits,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    visit: ['visitedOn', 'inspectorName', 'inspectorRole', 'noticeRef', 'summary'],
    meta: ['createdBy', 'createdAt'],
  },
  relations: { school: 'schoolId' },
  roles: {
    school_admin: { actions: ['read', 'list', 'create', 'update'], scope: 'school', read: ['keys', 'visit', 'meta'], write: ['visit'] },
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'visit', 'meta'] },
  },
})
