import { interventionPlans } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** 干预方案: goals, measures and the review date of one case. */
export default definePolicy({
  resource: 'intervention_plans',
  table: interventionPlans,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'caseId', 'studentId'],
    plan: ['goals', 'measures', 'reviewDate'],
    meta: ['createdBy', 'createdAt', 'updatedAt'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create', 'update'],
      scope: 'school',
      read: ['keys', 'plan', 'meta'],
      write: ['plan'],
    },
  },
})
