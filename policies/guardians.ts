import { guardians } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** 监护人: contact details are personal data of adults linked to a minor. */
export default definePolicy({
  resource: 'guardians',
  table: guardians,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'studentId'],
    identity: ['name', 'relation', 'isPrimary'],
    contact: ['phone'],
    meta: ['createdAt'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  roles: {
    school_admin: {
      actions: ['read', 'list', 'create', 'update', 'delete'],
      scope: 'school',
      read: ['keys', 'identity', 'contact', 'meta'],
      // The student comes from the path and the ids from the database: nobody writes keys.
      write: ['identity', 'contact'],
    },
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'identity', 'contact'] },
    homeroom_teacher: { actions: ['read', 'list'], scope: 'class', read: ['keys', 'identity', 'contact'] },
  },
})
