import { roomVisits } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 心理辅导室 visits. Who came is counselling content: psychology teachers only. The school
 * admin prepares the inspection summary (export: counts by month and topic) and gets no
 * row-level read or list, so no visit can be tied to a student through any list or archive.
 */
export default definePolicy({
  resource: 'room_visits',
  table: roomVisits,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    person: ['studentId'],
    visit: ['visitDate', 'durationMin', 'topic', 'followUp'],
    meta: ['counsellorId', 'createdAt'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create', 'update', 'delete', 'export'],
      scope: 'school',
      read: ['keys', 'person', 'visit', 'meta'],
      write: ['person', 'visit'],
    },
    school_admin: { actions: ['export'], scope: 'school', read: ['visit'] },
  },
})
