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
  },
  relations: { school: 'id', district: 'districtId' },
  roles: {
    psych_teacher: { actions: ['read'], scope: 'school', read: ['keys', 'info'] },
    school_admin: { actions: ['read'], scope: 'school', read: ['keys', 'info'] },
    district_staff: { actions: ['read'], scope: 'district', read: ['keys', 'info', 'admin'] },
  },
})
