import { schoolYearRollovers } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 升年级 (school-year rollover): the school admin's alone. It rewrites every class, ends
 * grants and graduates pupils, so no other role previews, applies, lists or undoes one.
 */
export default definePolicy({
  resource: 'school_year_rollovers',
  table: schoolYearRollovers,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    year: ['schoolYear'],
    info: ['appliedAt', 'appliedBy', 'undoneAt', 'undoneBy'],
    changes: ['auditSeq', 'changes'],
  },
  relations: { school: 'schoolId' },
  roles: {
    school_admin: { actions: ['read', 'list', 'create', 'update'], scope: 'school', read: ['keys', 'year', 'info', 'changes'], write: ['year'] },
  },
})
