import { yearlyPlans } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** The school year's 心理健康工作方案 and its budget line (an amount only). The year comes from the path. */
export default definePolicy({
  resource: 'yearly_plans',
  table: yearlyPlans,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'schoolYear'],
    plan: ['title', 'adoptedOn', 'planDocumentId', 'budgetYuan'],
    meta: ['updatedBy', 'updatedAt'],
  },
  relations: { school: 'schoolId', owner: 'updatedBy' },
  roles: {
    school_admin: { actions: ['read', 'list', 'create', 'update'], scope: 'school', read: ['keys', 'plan', 'meta'], write: ['plan'] },
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'plan', 'meta'] },
  },
})
