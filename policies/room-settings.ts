import { roomSettings } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** 心理辅导室: location and opening hours. */
export default definePolicy({
  resource: 'room_settings',
  table: roomSettings,
  idColumn: 'schoolId',
  fields: {
    keys: ['schoolId'],
    settings: ['location', 'openingHours'],
    meta: ['updatedAt'],
  },
  relations: { school: 'schoolId' },
  roles: {
    psych_teacher: { actions: ['read', 'update'], scope: 'school', read: ['keys', 'settings', 'meta'], write: ['settings'] },
    school_admin: { actions: ['read', 'update'], scope: 'school', read: ['keys', 'settings', 'meta'], write: ['settings'] },
  },
})
