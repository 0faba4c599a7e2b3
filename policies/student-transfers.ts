import { studentTransfers } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 转学档案, as the sending school reaches it: every package it prepared (school_id is the
 * sending school). Psychology teachers only; the service keeps a package the receiving school
 * accepted out of the sender's reads (the file follows the pupil).
 */
const fields = {
  keys: ['id', 'schoolId'],
  pupil: ['studentId'],
  routing: ['toSchoolId', 'nationalId', 'parts', 'status', 'createdAt', 'sentAt', 'viewedAt', 'decidedAt', 'remindedAt'],
  content: ['payload'],
  consent: ['consentGuardian', 'consentMethod', 'consentDate'],
  preparation: ['preparedBy'],
  decision: ['decidedBy', 'declineReason'],
  receipt: ['receivedStudentId'],
} as const

export const studentTransfersPolicy = definePolicy({
  resource: 'student_transfers',
  table: studentTransfers,
  idColumn: 'id',
  fields,
  relations: { school: 'schoolId', student: 'studentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create', 'update', 'transition', 'export'],
      scope: 'school',
      read: ['keys', 'pupil', 'routing', 'content', 'consent', 'preparation', 'decision'],
      write: ['routing', 'consent'],
    },
  },
})

/**
 * The same packages as the receiving school reaches them: the school relation is to_school_id,
 * so the engine's own school condition is the receiving school's, and the sending school's
 * pupil id (another school's record) is never read here. The database's wall shows a package
 * to the receiving school only once it was sent; the service shows its content only once the
 * receiving psychology teacher accepted it.
 */
export const receivedTransfersPolicy = definePolicy({
  resource: 'student_transfers_received',
  table: studentTransfers,
  idColumn: 'id',
  fields,
  relations: { school: 'toSchoolId', student: 'receivedStudentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'transition'],
      scope: 'school',
      read: ['keys', 'routing', 'content', 'consent', 'decision', 'receipt'],
    },
  },
})
