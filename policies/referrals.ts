import { referralEvents, referrals } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 及时转介. Medical details (why, what the institution answered, the return-to-school
 * assessment and the risk it set) are for psychology teachers only; the homeroom teacher
 * sees that a pupil of their class is referred and how far the referral got.
 */
export const referralsPolicy = definePolicy({
  resource: 'referrals',
  table: referrals,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'studentId'],
    links: ['caseId', 'institutionId', 'consentContactId'],
    medical: ['reason', 'feedback', 'reassessmentResult', 'reassessedRisk'],
    schedule: ['followUpDate', 'receivedOn', 'urgent'],
    progress: ['state', 'proposedAt', 'sentAt', 'feedbackAt', 'reassessedAt', 'closedAt', 'updatedAt'],
    meta: ['createdBy'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create', 'update', 'transition', 'export'],
      scope: 'school',
      read: ['keys', 'links', 'medical', 'schedule', 'progress', 'meta'],
      write: ['links', 'medical', 'schedule'],
    },
    homeroom_teacher: { actions: ['read', 'list'], scope: 'class', read: ['keys', 'schedule', 'progress'] },
  },
})

/** Each step of a referral: who moved it and when. */
export const referralEventsPolicy = definePolicy({
  resource: 'referral_events',
  table: referralEvents,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'referralId', 'studentId'],
    transition: ['fromState', 'toState', 'actorId', 'at'],
    note: ['note'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'transition', 'note'] },
  },
})
