import { emergencyPlans } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 心理危机干预应急预案: each adopted text is a new version, numbered by the server (never by
 * the body); a version is not changed afterwards, a new one is adopted instead.
 */
export default definePolicy({
  resource: 'emergency_plans',
  table: emergencyPlans,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'version'],
    plan: ['title', 'adoptedOn', 'changeNote', 'documentId'],
    meta: ['createdBy', 'createdAt'],
  },
  relations: { school: 'schoolId', owner: 'createdBy' },
  roles: {
    school_admin: { actions: ['read', 'list', 'create'], scope: 'school', read: ['keys', 'plan', 'meta'], write: ['plan'] },
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'plan', 'meta'] },
  },
})
