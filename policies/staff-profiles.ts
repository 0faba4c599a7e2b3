import { staffProfiles } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 心理健康教师基本情况: staff facts, kept by the school admin. The district sees only the
 * counts (staffingBySchool), never a profile.
 */
export default definePolicy({
  resource: 'staff_profiles',
  table: staffProfiles,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    who: ['userId', 'name'],
    staffing: ['employment', 'qualifications', 'trainingHoursYear', 'trainingYear'],
    meta: ['createdAt', 'updatedAt'],
  },
  relations: { school: 'schoolId', owner: 'userId' },
  roles: {
    school_admin: { actions: ['read', 'list', 'create', 'update', 'delete'], scope: 'school', read: ['keys', 'who', 'staffing', 'meta'], write: ['who', 'staffing'] },
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'who', 'staffing'] },
  },
})
