import { schoolHours } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** 在校时间: outside these hours a crisis goes to the teacher on call. One row per school. */
export default definePolicy({
  resource: 'school_hours',
  table: schoolHours,
  idColumn: 'schoolId',
  fields: {
    keys: ['schoolId'],
    hours: ['dayStart', 'dayEnd', 'weekdays'],
    meta: ['updatedBy', 'updatedAt'],
  },
  relations: { school: 'schoolId' },
  roles: {
    school_admin: { actions: ['read', 'update'], scope: 'school', read: ['keys', 'hours', 'meta'], write: ['hours'] },
    psych_teacher: { actions: ['read'], scope: 'school', read: ['keys', 'hours', 'meta'] },
  },
})
