import { mentorContacts, pairings } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 师生结对. A mentor reaches a pairing only while it is active (scope `paired`, evaluated per
 * request), so an ended pairing stops granting anything on the next request. The homeroom
 * teacher sees that a pairing exists for a pupil of their class, never its purpose or the
 * guidance addressed to the mentor; why it ended stays with the psychology teachers.
 */
export const pairingsPolicy = definePolicy({
  resource: 'pairings',
  table: pairings,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'studentId'],
    mentor: ['mentorId'],
    team: ['teamId', 'teamRole'],
    term: ['frequency', 'startDate', 'plannedEndDate'],
    status: ['endedAt'],
    purpose: ['purpose', 'guidance'],
    ending: ['endedReason'],
    meta: ['createdBy', 'createdAt'],
  },
  relations: { school: 'schoolId', student: 'studentId', owner: 'mentorId', mentor: 'mentorId' },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create', 'update', 'transition'],
      scope: 'school',
      read: ['keys', 'mentor', 'team', 'term', 'status', 'purpose', 'ending', 'meta'],
      // The student comes from the path, ids and end time from the server.
      write: ['mentor', 'term', 'purpose', 'ending'],
    },
    homeroom_teacher: { actions: ['read', 'list'], scope: 'class', read: ['keys', 'mentor', 'team', 'term', 'status'] },
    mentor: { actions: ['read', 'list'], scope: 'paired', read: ['keys', 'mentor', 'team', 'term', 'status', 'purpose'] },
  },
})

/** 结对教师的联系记录: written by the mentor while paired; read by the psychology teachers. */
export const mentorContactsPolicy = definePolicy({
  resource: 'mentor_contacts',
  table: mentorContacts,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'pairingId', 'studentId'],
    author: ['mentorId'],
    contact: ['contactDate', 'kind'],
    summary: ['summary'],
    meta: ['createdAt'],
  },
  relations: { school: 'schoolId', student: 'studentId', owner: 'mentorId', mentor: 'mentorId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'author', 'contact', 'summary', 'meta'] },
    mentor: {
      actions: ['create', 'read', 'list'],
      scope: 'paired',
      read: ['keys', 'author', 'contact', 'summary', 'meta'],
      write: ['contact', 'summary'],
    },
  },
})
