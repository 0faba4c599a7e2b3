import { groupSessions } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** 团体辅导 sessions: topic, date, who the group is for (多帮一) and a head count, no names. */
export default definePolicy({
  resource: 'group_sessions',
  table: groupSessions,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    session: ['sessionDate', 'kind', 'topic', 'attendance', 'durationMin'],
    meta: ['facilitatorId', 'createdAt'],
  },
  relations: { school: 'schoolId' },
  roles: {
    psych_teacher: { actions: ['read', 'list', 'create', 'update', 'delete'], scope: 'school', read: ['keys', 'session', 'meta'], write: ['session'] },
    school_admin: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'session', 'meta'] },
  },
})
