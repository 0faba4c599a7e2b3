import { onCallShifts } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** 值班表: who is on call when. Kept by the school admin, read by the psychology teachers. */
export default definePolicy({
  resource: 'on_call_shifts',
  table: onCallShifts,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    shift: ['userId', 'startsAt', 'endsAt'],
    meta: ['createdBy', 'createdAt'],
  },
  relations: { school: 'schoolId' },
  roles: {
    school_admin: { actions: ['read', 'list', 'create', 'update', 'delete'], scope: 'school', read: ['keys', 'shift', 'meta'], write: ['shift'] },
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'shift', 'meta'] },
  },
})
