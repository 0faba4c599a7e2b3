import { peerAlerts } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 同伴跟防 alerts. A class psychology monitor submits them and afterwards sees only that each
 * was received and how far it got (status), with its urgency and date: never what the
 * psychology teachers did, the case, or who acknowledged it. The monitor's identity
 * (submittedBy) is read by the psychology teachers alone.
 */
export default definePolicy({
  resource: 'peer_alerts',
  table: peerAlerts,
  idColumn: 'id',
  fields: {
    ref: ['id'],
    subject: ['studentId'],
    place: ['schoolId', 'classId'],
    urgency: ['urgency'],
    progress: ['status', 'createdAt'],
    observation: ['whatSeen'],
    origin: ['source', 'submittedBy'],
    triage: ['ackDeadline', 'acknowledgedAt', 'acknowledgedBy', 'escalatedAt', 'caseId', 'handledNote'],
    // Kept by the escalation job (src/jobs/escalation.ts): read, never written, through the API.
    escalation: ['escalationLevel', 'nextEscalationAt'],
  },
  relations: { school: 'schoolId', class: 'classId', student: 'studentId', owner: 'submittedBy' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'transition'],
      scope: 'school',
      read: ['ref', 'subject', 'place', 'urgency', 'progress', 'observation', 'origin', 'triage', 'escalation'],
      write: ['triage'],
    },
    peer_monitor: {
      actions: ['create', 'read', 'list'],
      scope: 'own',
      read: ['ref', 'subject', 'urgency', 'progress'],
      // What they saw is written once and not shown back: it may become part of a case.
      write: ['subject', 'urgency', 'observation'],
    },
  },
})
