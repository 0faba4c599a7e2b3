import { parentContacts } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 家校协同 contacts. The homeroom teacher may log a contact and sees when and how their
 * class's parents were contacted, never what was said, the outcome, the consent to referral
 * or why parents were not told (homeroom never sees parent-contact notes).
 */
export default definePolicy({
  resource: 'parent_contacts',
  table: parentContacts,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'studentId'],
    guardian: ['guardianId'],
    case: ['caseId'],
    when: ['channel', 'contactDate'],
    notes: ['content', 'outcome'],
    consent: ['referralConsent'],
    disclosure: ['notToldReason'],
    meta: ['createdBy', 'createdAt'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create', 'update'],
      scope: 'school',
      read: ['keys', 'guardian', 'case', 'when', 'notes', 'consent', 'disclosure', 'meta'],
      write: ['guardian', 'case', 'when', 'notes', 'consent', 'disclosure'],
    },
    homeroom_teacher: {
      actions: ['read', 'list', 'create'],
      scope: 'class',
      read: ['keys', 'guardian', 'when', 'meta'],
      // Written once, not shown back: the notes are for the psychology teachers.
      write: ['guardian', 'when', 'notes'],
    },
  },
})
