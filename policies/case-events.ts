import { caseEvents } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** 个案记录: every transition and risk change with who, when and why. Written by the case service. */
export default definePolicy({
  resource: 'case_events',
  table: caseEvents,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'caseId', 'studentId'],
    change: ['fromState', 'toState', 'riskFrom', 'riskTo'],
    reason: ['reason'],
    meta: ['actorId', 'at'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create'],
      scope: 'school',
      read: ['keys', 'change', 'reason', 'meta'],
      write: ['change', 'reason'],
    },
  },
})
