import { rectificationChecks } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** 回头看: the follow-up checks of a problem. The school admin records them; psychology teachers read them. */
export default definePolicy({
  resource: 'rectification_checks',
  table: rectificationChecks,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'itemId'],
    check: ['checkedOn', 'rectified', 'reason'],
    meta: ['checkedBy', 'createdAt'],
  },
  relations: { school: 'schoolId' },
  roles: {
    school_admin: { actions: ['read', 'list', 'create'], scope: 'school', read: ['keys', 'check', 'meta'], write: ['check'] },
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'check', 'meta'] },
  },
})
