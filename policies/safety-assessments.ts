import { safetyAssessments } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 简要自杀安全评估: what a pupil said about suicidal thoughts, plans and attempts. Only the
 * psychology teachers of the school read or record it; nobody else sees that it exists.
 * Recorded once per crisis event and never edited (a new concern is a new crisis event).
 */
export default definePolicy({
  resource: 'safety_assessments',
  table: safetyAssessments,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'crisisId', 'studentId'],
    link: ['caseId', 'referralId'],
    answers: ['formCode', 'formVersion', 'answers'],
    disposition: ['disposition', 'followUpOn', 'reason'],
    meta: ['assessedBy', 'assessedAt'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'create'],
      scope: 'school',
      read: ['keys', 'link', 'answers', 'disposition', 'meta'],
      write: ['link', 'answers', 'disposition'],
    },
  },
})
