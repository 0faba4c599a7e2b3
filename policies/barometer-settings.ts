import { barometerSettings } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** 心理晴雨表 period of the school (weekly or monthly). */
export default definePolicy({
  resource: 'barometer_settings',
  table: barometerSettings,
  idColumn: 'schoolId',
  fields: {
    keys: ['schoolId'],
    settings: ['period'],
    meta: ['updatedAt'],
  },
  relations: { school: 'schoolId' },
  roles: {
    psych_teacher: { actions: ['read', 'update'], scope: 'school', read: ['keys', 'settings', 'meta'], write: ['settings'] },
    school_admin: { actions: ['read', 'update'], scope: 'school', read: ['keys', 'settings', 'meta'], write: ['settings'] },
  },
})
