import { institutions } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** 转介机构名录: a school's directory of hospitals and mental-health centres. */
export default definePolicy({
  resource: 'institutions',
  table: institutions,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    directory: ['name', 'kind', 'department', 'contactPhone', 'address'],
    meta: ['createdAt'],
  },
  relations: { school: 'schoolId' },
  roles: {
    psych_teacher: { actions: ['read', 'list', 'create', 'update'], scope: 'school', read: ['keys', 'directory', 'meta'], write: ['directory'] },
    school_admin: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'directory', 'meta'] },
  },
})
