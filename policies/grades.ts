import { grades } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

export default definePolicy({
  resource: 'grades',
  table: grades,
  idColumn: 'id',
  fields: { keys: ['id', 'schoolId'], info: ['level', 'name'] },
  relations: { school: 'schoolId' },
  roles: {
    school_admin: { actions: ['read', 'list', 'create', 'update', 'delete'], scope: 'school', read: ['keys', 'info'], write: ['info'] },
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'info'] },
    homeroom_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'info'] },
  },
})
