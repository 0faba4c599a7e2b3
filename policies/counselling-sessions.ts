import { counsellingSessions } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/** 辅导记录: session notes are readable by psychology teachers only. */
export default definePolicy({
  resource: 'counselling_sessions',
  table: counsellingSessions,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'caseId', 'studentId'],
    session: ['kind', 'sessionDate', 'durationMin'],
    notes: ['notes'],
    reassessment: ['reassessedRisk', 'reassessmentScore'],
    meta: ['counsellorId', 'createdAt'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create', 'update'],
      scope: 'school',
      read: ['keys', 'session', 'notes', 'reassessment', 'meta'],
      write: ['session', 'notes', 'reassessment'],
    },
  },
})
