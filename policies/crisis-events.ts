import { crisisEvents } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 危机事件: psychology teachers of the school. The escalation job (src/jobs) reads the
 * deadline fields as the owner; nobody writes them through the API.
 */
export default definePolicy({
  resource: 'crisis_events',
  table: crisisEvents,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'studentId'],
    link: ['caseId'],
    origin: ['source', 'sourceRef', 'openedBy', 'openedAt'],
    summary: ['summary'],
    state: ['status', 'acknowledgedAt', 'acknowledgedBy', 'resolvedAt'],
    escalation: ['ackDeadline', 'escalatedAt', 'escalationLevel', 'nextEscalationAt'],
    /** Set by the safety assessment's disposition, never written directly. */
    followUp: ['followUpOn', 'parentContactDueOn'],
  },
  relations: { school: 'schoolId', student: 'studentId' },
  audit: { sensitive: true },
  roles: {
    psych_teacher: {
      actions: ['read', 'list', 'create', 'update', 'transition'],
      scope: 'school',
      read: ['keys', 'link', 'origin', 'summary', 'state', 'escalation', 'followUp'],
      write: ['link', 'summary', 'state'],
    },
  },
})
