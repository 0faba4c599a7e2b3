import { auditLog } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * The audit log as a readable resource. Psychology teachers see who opened a student's
 * records (actor, role, action, time); school admins check the chain and read and export the
 * yearly compliance report made of its counts. Nobody writes it
 * through the API: rows come only from audit_append.
 */
export default definePolicy({
  resource: 'audit_log',
  table: auditLog,
  idColumn: 'seq',
  fields: {
    keys: ['seq', 'schoolId'],
    who: ['actorId', 'actorRoles'],
    what: ['ts', 'action', 'resource', 'outcome', 'purpose'],
    detail: ['recordIds', 'studentIds', 'fieldGroups', 'requestId'],
    chain: ['prevHash', 'rowHash'],
  },
  relations: { school: 'schoolId' },
  roles: {
    psych_teacher: { actions: ['list'], scope: 'school', read: ['keys', 'who', 'what'] },
    // The admin's read and export are the chain check and the yearly compliance report (counts only).
    school_admin: { actions: ['read', 'export'], scope: 'school', read: ['keys', 'chain'] },
  },
})
