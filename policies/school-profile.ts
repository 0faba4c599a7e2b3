import { schools } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * A school's own name, as printed on its forms (the 转介单's sending school). No personal
 * data; read only for one's own school (district staff: the schools of their district with
 * the same fields they read as district_stats).
 */
export default definePolicy({
  resource: 'school_profile',
  table: schools,
  idColumn: 'id',
  fields: {
    keys: ['id'],
    info: ['name'],
    // The school's other facts: district staff read them already, as district_stats.
    admin: ['districtId', 'code', 'stage', 'createdAt'],
    /** Whether staff who read case history must use a second factor (null: the deployment's default). */
    security: ['requireSecondFactor'],
  },
  relations: { school: 'id', district: 'districtId' },
  roles: {
    psych_teacher: { actions: ['read'], scope: 'school', read: ['keys', 'info'] },
    // The admin chooses whether the school's staff who read cases must use a second factor.
    // The school's own code and stage head its reports (the 合规审计 names the school it covers).
    school_admin: { actions: ['read', 'update'], scope: 'school', read: ['keys', 'info', 'admin', 'security'], write: ['security'] },
    district_staff: { actions: ['read'], scope: 'district', read: ['keys', 'info', 'admin'] },
  },
})
