import { userChannels } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * A teacher's own e-mail address and mobile number for alerts, and whether each is on. Nobody
 * reads another's: not the school admin, not a colleague (the outbox looks the address up only
 * when it sends).
 */
const own = { actions: ['read', 'update'], scope: 'own', read: ['keys', 'contact', 'meta'], write: ['contact'] } as const

export default definePolicy({
  resource: 'user_channels',
  table: userChannels,
  idColumn: 'userId',
  fields: {
    keys: ['schoolId', 'userId'],
    contact: ['email', 'mobile', 'emailEnabled', 'smsEnabled'],
    meta: ['updatedAt'],
  },
  relations: { school: 'schoolId', owner: 'userId' },
  roles: {
    psych_teacher: own,
    homeroom_teacher: own,
    school_admin: own,
    // Every teacher holds the implied mentor role, as with the in-app notifications.
    mentor: own,
  },
})
