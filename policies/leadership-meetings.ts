import { leadershipMeetings } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** Meetings of the leadership group, with optional minutes (a document). */
export default definePolicy({
  resource: 'leadership_meetings',
  table: leadershipMeetings,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    meeting: ['meetingDate', 'topic', 'attendees', 'minutesDocumentId'],
    meta: ['createdBy', 'createdAt'],
  },
  relations: { school: 'schoolId', owner: 'createdBy' },
  roles: {
    school_admin: { actions: ['read', 'list', 'create', 'update', 'delete'], scope: 'school', read: ['keys', 'meeting', 'meta'], write: ['meeting'] },
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'meeting', 'meta'] },
  },
})
