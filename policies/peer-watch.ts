import { peerWatchNotes, peerWatchRequests } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 同伴跟防 watch requests: a psychology teacher asks a monitor to keep an eye on a classmate.
 * The monitor reads only the ask and the classmate of their own open requests.
 */
export const peerWatchRequestsPolicy = definePolicy({
  resource: 'peer_watch_requests',
  table: peerWatchRequests,
  idColumn: 'id',
  fields: {
    keys: ['id'],
    place: ['schoolId'],
    subject: ['studentId'],
    ask: ['ask'],
    assignment: ['monitorId'],
    term: ['startDate', 'endDate'],
    status: ['endedAt'],
    meta: ['requestedBy', 'createdAt'],
  },
  relations: { school: 'schoolId', student: 'studentId', owner: 'monitorId' },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create', 'transition'],
      scope: 'school',
      read: ['keys', 'place', 'subject', 'ask', 'assignment', 'term', 'status', 'meta'],
      write: ['assignment', 'ask', 'term'],
    },
    peer_monitor: { actions: ['read', 'list'], scope: 'own', read: ['keys', 'subject', 'ask'] },
  },
})

/** Notes a monitor adds to a request addressed to them: write-only for the monitor. */
export const peerWatchNotesPolicy = definePolicy({
  resource: 'peer_watch_notes',
  table: peerWatchNotes,
  idColumn: 'id',
  fields: {
    keys: ['id'],
    place: ['schoolId', 'requestId', 'studentId'],
    author: ['monitorId'],
    note: ['note'],
    meta: ['createdAt'],
  },
  relations: { school: 'schoolId', student: 'studentId', owner: 'monitorId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'place', 'author', 'note', 'meta'] },
    // No read or list: the answer to a create is the new id only.
    peer_monitor: { actions: ['create'], scope: 'own', read: ['keys'], write: ['note'] },
  },
})
