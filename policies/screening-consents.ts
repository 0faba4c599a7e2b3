import { screeningConsents } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 知情同意 of a screening: whether a student's guardian consented and the student assented.
 * A refusal says something about a family, so only psychology teachers read the states.
 * Homeroom teachers collect the reply slips of their own class and may record them, but what
 * they read back is the key of the row they wrote and, on the consent summary, how many of
 * their class have consent and how many do not — never who refused.
 */
export default definePolicy({
  resource: 'screening_consents',
  table: screeningConsents,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'campaignId', 'studentId'],
    decision: ['guardianConsent', 'studentAssent'],
    // Set by the server beside each state the caller sends.
    recorded: ['guardianRecordedBy', 'guardianRecordedAt', 'assentRecordedBy', 'assentRecordedAt'],
    meta: ['createdAt'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create', 'update'],
      scope: 'school',
      read: ['keys', 'decision', 'recorded', 'meta'],
      write: ['decision'],
    },
    homeroom_teacher: {
      actions: ['read', 'create', 'update'],
      scope: 'class',
      read: ['keys'],
      write: ['decision'],
    },
  },
})
