import { classes } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

export default definePolicy({
  resource: 'classes',
  table: classes,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId'],
    info: ['gradeId', 'name', 'seq'],
    meta: ['createdAt', 'endedAt'],
  },
  relations: { school: 'schoolId', class: 'id' },
  roles: {
    school_admin: { actions: ['read', 'list', 'create', 'update', 'delete'], scope: 'school', read: ['keys', 'info', 'meta'], write: ['info'] },
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'info'] },
    homeroom_teacher: { actions: ['read', 'list'], scope: 'class', read: ['keys', 'info'] },
  },
})
