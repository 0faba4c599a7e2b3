import { notifications } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * In-app notifications: each teacher reads and marks only their own. The jobs and services
 * that write them put in nothing the recipient may not read (a record id only where the
 * recipient may open it, no names, no summaries).
 */
const own = { actions: ['read', 'list', 'update'], scope: 'own', read: ['keys', 'message', 'state'] } as const

export default definePolicy({
  resource: 'notifications',
  table: notifications,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'userId'],
    message: ['kind', 'refId', 'params', 'createdAt'],
    state: ['readAt'],
  },
  relations: { school: 'schoolId', owner: 'userId' },
  roles: {
    psych_teacher: own,
    homeroom_teacher: own,
    school_admin: own,
    // Every teacher holds the implied mentor role, so this reaches every teacher's inbox.
    mentor: own,
  },
})
