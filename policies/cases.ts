import { cases } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** 个案: case content is for the school's psychology teachers only. */
export default definePolicy({
  resource: 'cases',
  table: cases,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'studentId'],
    origin: ['source', 'sourceRef'],
    risk: ['riskLevel'],
    state: ['state', 'closedAt'],
    summary: ['summary'],
    meta: ['openedBy', 'openedAt', 'updatedAt'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create', 'update', 'transition'],
      scope: 'school',
      read: ['keys', 'origin', 'risk', 'state', 'summary', 'meta'],
      write: ['origin', 'risk', 'state', 'summary'],
    },
  },
})
