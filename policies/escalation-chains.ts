import { escalationChains } from '../db/schema/index.js'
import { definePolicy } from '../src/access/define.js'

/**
 * 危机上报链: who is told, step by step, when a crisis or a peer alert is not acknowledged.
 * The school admin keeps it; psychology teachers read it (they are its first recipients).
 * It names roles and staff accounts, never a student.
 */
export default definePolicy({
  resource: 'escalation_chains',
  table: escalationChains,
  idColumn: 'id',
  fields: {
    keys: ['id', 'schoolId', 'kind'],
    chain: ['steps', 'repeatMinutes'],
    meta: ['updatedBy', 'updatedAt'],
  },
  relations: { school: 'schoolId' },
  roles: {
    school_admin: { actions: ['read', 'list', 'update', 'delete'], scope: 'school', read: ['keys', 'chain', 'meta'], write: ['chain'] },
    psych_teacher: { actions: ['read', 'list'], scope: 'school', read: ['keys', 'chain', 'meta'] },
  },
})
