import { crisisChecklist } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** 危机处置清单: first steps of a crisis response, each ticked with who and when. */
export default definePolicy({
  resource: 'crisis_checklist',
  table: crisisChecklist,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'crisisId', 'studentId'],
    step: ['item'],
    meta: ['doneBy', 'doneAt'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: { actions: ['read', 'list', 'create'], scope: 'school', read: ['keys', 'step', 'meta'], write: ['step'] },
  },
})
